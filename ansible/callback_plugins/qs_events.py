# QueryShield's structured progress: one JSON object per line, written to the file descriptor named by
# QS_ANSIBLE_EVENTS_FD (the runner, activities/ansible/runner.ts, reads it while the playbook runs). Without
# that variable the plugin does nothing, so operators running a playbook by hand see only the usual output.
# It needs no enabling (it runs wherever it is on the callback path), so a worker environment's own
# ANSIBLE_CALLBACKS_ENABLED (profile_tasks, say) adds to it rather than replacing it.
#
# Events (every one has "event"):
#   {"event": "play", "name"}
#   {"event": "task", "name", "handler"}                     a task (or handler) starts
#   {"event": "result", "task", "host", "status", "ignored", "rescued", "msg"?}
#       status: ok | changed | failed | skipped | unreachable; "rescued": a block's rescue handles this
#       failure; "msg" only for failed and unreachable results, never for a no_log task's
#   {"event": "recap", "hosts": {host: {ok, changed, failures, unreachable, skipped, rescued, ignored}}}
#
# Nothing else of a result goes out: no stdout, no module arguments, no registered values.
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: qs_events
    type: notification
    short_description: one JSON line per playbook event, for QueryShield's runner
    description:
      - Writes task starts, host results (with whether a rescue handled a failure) and the recap as JSON
        lines to the file descriptor in QS_ANSIBLE_EVENTS_FD.
    requirements:
      - on the callback plugin path (ansible.cfg, or ANSIBLE_CALLBACK_PLUGINS as the runner sets it)
"""

MAX_MSG = 2000


def _section(block, child) -> str | None:
    """Which of block's sections (block, rescue, always) holds child, by identity or uuid (copies made
    for includes keep the uuid)."""
    uuid = getattr(child, "_uuid", None)
    for name in ("block", "rescue", "always"):
        for item in getattr(block, name, None) or []:
            if item is child or (uuid is not None and getattr(item, "_uuid", None) == uuid):
                return name
    return None


def rescued_by_block(task) -> bool:
    """Whether a failure of task is handled by the rescue of an enclosing block: the first block up the
    parent chain that holds the path to the task in its `block` section and has a rescue."""
    child, parent = task, getattr(task, "_parent", None)
    while parent is not None:
        if hasattr(parent, "rescue") and hasattr(parent, "always"):  # a Block (includes are Tasks)
            if parent.rescue and _section(parent, child) == "block":
                return True
        child, parent = parent, getattr(parent, "_parent", None)
    return False


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "qs_events"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = None
        fd = os.environ.get("QS_ANSIBLE_EVENTS_FD")
        if fd and fd.isdigit():
            try:
                self._out = os.fdopen(int(fd), "w", buffering=1, encoding="utf-8", closefd=False)
            except OSError:
                self._out = None
        self.disabled = self._out is None

    def _emit(self, event: dict) -> None:
        try:
            self._out.write(json.dumps(event, ensure_ascii=True, default=str) + "\n")
            self._out.flush()
        except (OSError, ValueError):
            # the reader is gone (the run is being stopped): nothing left to tell
            self.disabled = True

    def v2_playbook_on_play_start(self, play):
        self._emit({"event": "play", "name": play.get_name().strip()})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit({"event": "task", "name": task.get_name().strip(), "handler": False})

    def v2_playbook_on_handler_task_start(self, task):
        self._emit({"event": "task", "name": task.get_name().strip(), "handler": True})

    def _result(self, result, status: str, ignored: bool = False) -> None:
        task = result._task
        event = {
            "event": "result",
            "task": task.get_name().strip(),
            "host": result._host.get_name(),
            "status": status,
            "ignored": bool(ignored),
            "rescued": status == "failed" and not ignored and rescued_by_block(task),
        }
        if status in ("failed", "unreachable"):
            data = result._result
            hidden = task.no_log or data.get("_ansible_no_log") or "censored" in data
            if not hidden and data.get("msg"):
                event["msg"] = str(data.get("msg"))[:MAX_MSG]
        self._emit(event)

    def v2_runner_on_ok(self, result):
        self._result(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "failed", ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable", bool(getattr(result._task, "ignore_unreachable", False)))

    def v2_playbook_on_stats(self, stats):
        hosts = {h: dict(stats.summarize(h)) for h in sorted(stats.processed)}
        self._emit({"event": "recap", "hosts": hosts})
