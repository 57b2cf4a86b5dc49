// A failed engine's error line reaches the stage's failure message: run_experiment.yml's check task,
// for real through ansible-playbook (the failure's message as the runner's events carry it), then engineFailure
// on the failures' messages.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlaybook } from '../../../activities/ansible/runner.js';
import { engineFailure } from '../../../activities/stages/index.js';

const LINE = "qs-engine party 1: connecting to the other parties failed: link party1 <-> party0: handshake failed: the peer refused the handshake (it does not hold the expected key, or does not expect this party's)";

describe('engineFailure', () => {
  it("when a party's engine fails, then the stage message carries its last error line, naming the link", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-engine-fail-'));
    const playbook = path.join(dir, 'fail.yml');
    // The check task of run_experiment.yml, fed what a failed engine run registers.
    writeFileSync(playbook, `- hosts: localhost
  gather_facts: false
  tasks:
    - name: Check the engine succeeded
      ansible.builtin.fail:
        msg: "party1: engine exited {{ qs_engine_run.rc }}: {{ (qs_engine_run.stderr_lines | select | list | last) | default('no error output', true) }}"
      vars:
        qs_engine_run: { rc: 2, stderr_lines: ["starting", ${JSON.stringify(LINE)}, ""] }
`);
    const r = await runPlaybook({ playbook, inventory: { all: { hosts: { localhost: { ansible_connection: 'local' } } } }, extraVars: {}, timeoutMs: 50_000 });
    expect(r.ok).toBe(false);
    expect(r.failedTask).toBe('Check the engine succeeded');
    expect(engineFailure(r.failures.map((f) => f.msg ?? ''))).toBe(`party1: engine exited 2: ${LINE}`);
  });

  it('when the first failed party was killed (no link in its line), then the message carries a line that names the link', () => {
    const tail = [
      'fatal: [party1]: FAILED! => msg: "party1: engine exited 137: Killed"',
      `fatal: [party0]: FAILED! => msg: "party0: engine exited 2: qs-engine party 0: computing failed: link party0 <-> party1: the stream ended where a frame was due"`,
    ];
    expect(engineFailure(tail)).toBe('party0: engine exited 2: qs-engine party 0: computing failed: link party0 <-> party1: the stream ended where a frame was due');
    expect(engineFailure([tail[0]])).toBe('party1: engine exited 137: Killed');
  });

  it('when no engine failed, then there is nothing to add', () => {
    expect(engineFailure(['TASK [Download] ***', 'fatal: [party0]: FAILED! =>', '    msg: Request failed'])).toBeUndefined();
  });
});
