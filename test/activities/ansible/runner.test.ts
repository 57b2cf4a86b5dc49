// The runner with the real ansible-playbook on this machine (`ansible_connection: local`) and the tiny
// playbooks of ansible/test-fixtures/: results, reports, failures, the vars file and what `ps` shows,
// and that a cancel or a timeout leaves no process of the run behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync } from 'node:fs';
import { removeStaleRunFolders, runPlaybook, toUnsafeYaml, type PlaybookResult } from '../../../activities/ansible/runner.js';
import { stopLeftoversOf } from '../../../activities/ansible/process-group.js';
import { ansibleProcess, cmdline, environ, fixture, localInventory, running, runMarker, runProcesses, until } from './fixtures/processes.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-runner-test-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const expectOk = (r: PlaybookResult) => expect(r.ok, r.logTail.join('\n')).toBe(true);

/** The pids a fixture wrote to its pid file, once it is there. */
const pidsIn = (file: string) => until(() => existsSync(file) && readFileSync(file, 'utf8').trim().split(/\s+/).map(Number));

describe('runPlaybook', () => {
  it('when a three-task playbook runs, then it ends ok, progress named its tasks and the report comes back', async () => {
    const progress: string[] = [];
    const logFile = path.join(tmp, 'three.log');
    const result = await runPlaybook({
      playbook: fixture('three_tasks.yml'),
      inventory: localInventory(),
      extraVars: { qs_name: 'queryshield' },
      onProgress: (task) => progress.push(task),
      logFile,
    });
    expectOk(result);
    expect(result.exitCode).toBe(0);
    expect(result.failedTask).toBeUndefined();
    expect(result.reported).toEqual({ greeting: 'hello queryshield', answer: 42 });
    // throttled: the first header at once, the last one always, the ones between maybe
    const headers = ['play: three tasks', 'first, a fact', 'second, a command', 'third, the report'];
    expect(progress[0]).toBe(headers[0]);
    expect(progress.at(-1)).toBe(headers.at(-1));
    expect(headers.filter((h) => progress.includes(h))).toEqual(progress);
    expect(result.logTail.some((l) => l.startsWith('PLAY RECAP'))).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    for (const task of headers.slice(1)) expect(log).toContain(`TASK [${task}]`);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });

  it('when a task fails, then ok is false, failedTask names it (not the ignored one) and logTail holds its message', async () => {
    const result = await runPlaybook({
      playbook: fixture('fails.yml'),
      inventory: localInventory(),
      extraVars: { qs_failure_message: 'the disk is full of shares' },
      tailLines: 10,
    });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(result.failedTask).toBe('the failing task');
    expect(result.failures).toEqual([{ task: 'the failing task', host: 'localhost', unreachable: false, msg: 'the disk is full of shares' }]);
    expect(result.logTail.join('\n')).toContain('the disk is full of shares');
    expect(result.logTail.length).toBeLessThanOrEqual(10);
    expect(result.logTail.join('\n')).not.toContain('never reached');
    expect(result.reported).toEqual({});
  });

  it('when failures are handled by a rescue (also in an included file, also no_log) or ignore_errors, then the run is ok with no failure, and the recap counts them', async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const result = await runPlaybook({ playbook: fixture('rescued.yml'), inventory: localInventory(), extraVars: { qs_secret: secret, qs_fail_at_end: false, qs_final_message: '' } });
    expectOk(result);
    expect(result.failedTask).toBeUndefined();
    expect(result.failures).toEqual([]);
    expect(result.recap).toEqual({ localhost: expect.objectContaining({ failures: 0, rescued: 3, ignored: 1 }) });
    expect(result.logTail.join('\n')).not.toContain(secret);
  });

  it('when a rescued failure comes before a real one, then failedTask is the real one and its message comes with it; a no_log failure says no message', async () => {
    const extraVars = { qs_secret: 'rescued secret', qs_fail_at_end: true, qs_final_message: 'the real cause' };
    const result = await runPlaybook({ playbook: fixture('rescued.yml'), inventory: localInventory(), extraVars });
    expect(result.ok).toBe(false);
    expect(result.failedTask).toBe('the real failure');
    expect(result.failures).toEqual([{ task: 'the real failure', host: 'localhost', unreachable: false, msg: 'the real cause' }]);
    expect(result.recap?.localhost).toMatchObject({ failures: 1, rescued: 3 });
    const hidden = await runPlaybook({ playbook: fixture('rescued.yml'), inventory: localInventory(), extraVars: { ...extraVars, qs_final_no_log: true, qs_final_message: 'a hidden cause' } });
    // (ansible-core 2.19's own human-readable output still prints a no_log `fail`'s message in its [ERROR] line)
    expect(hidden.failures).toEqual([{ task: 'the real failure', host: 'localhost', unreachable: false }]);
  });

  it('when the playbook does not exist, then ok is false and logTail says why', async () => {
    const result = await runPlaybook({ playbook: 'no_such_playbook.yml', inventory: localInventory(), extraVars: {} });
    expect(result.ok).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.logTail.join('\n')).toMatch(/no_such_playbook\.yml.*could not be found/);
  });

  it('when a secret goes in extraVars, then its file is 0600 while the run lasts, gone after, and no command line or environment shows it', async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const release = path.join(tmp, 'release');
    const playbook = fixture('vars_file.yml');
    const run = runPlaybook({ playbook, inventory: localInventory(), extraVars: { qs_secret: secret, qs_release_file: release } });
    try {
      const ansible = await until(() => ansibleProcess(playbook));
      const marker = runMarker(ansible)!;
      expect(marker).toBeDefined();
      const args = cmdline(ansible)!;
      const varsArg = args[args.indexOf('-e') + 1];
      expect(varsArg).toMatch(/^@\/.*vars\.yml$/);
      const varsFile = varsArg.slice(1);
      // the run is waiting in its last task once the report is written and a module's python runs under it
      // (pipelined, ansible.cfg: a python reading the module on its stdin, no module file in its arguments)
      const members = await until(() => {
        const pids = runProcesses(marker);
        const moduleRuns = pids.some((p) => cmdline(p)?.length === 1 && /python[\d.]*$/.test(cmdline(p)![0]));
        return existsSync(path.join(path.dirname(varsFile), 'report.json')) && moduleRuns && pids;
      });
      expect(members.length).toBeGreaterThan(2); // ansible-playbook, its fork, the module's shell and python
      expect(statSync(varsFile).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(varsFile)).mode & 0o777).toBe(0o700);
      expect(readFileSync(varsFile, 'utf8')).toContain(secret);
      for (const pid of members) {
        expect(cmdline(pid)?.join(' ') ?? '').not.toContain(secret);
        expect(environ(pid)?.join('\n') ?? '').not.toContain(secret);
      }
      writeFileSync(release, '');
      const result = await run;
      expectOk(result);
      expect(result.reported).toEqual({ path: varsFile, exists: true, mode: '0600', secret_length: secret.length });
      expect(existsSync(varsFile)).toBe(false);
      expect(existsSync(path.dirname(varsFile))).toBe(false); // inventory and report went with it
    } finally {
      writeFileSync(release, '');
      await run.catch(() => undefined);
    }
  });

  it('when an extra var holds a template (a lookup running a command), then it is passed as data: nothing runs, and vars used inside expressions still work', async () => {
    const marker = path.join(tmp, `injected-${Math.random().toString(36).slice(2)}`);
    const hostile = `{{ lookup('ansible.builtin.pipe', 'touch ${marker}') }}`;
    const odd = 'quote " backslash \\ tab \t line\u2028sep \u0085 nul-ish \u007f emoji \u{1F600} lone \ud800 {% raw %}';
    const dir = path.join(tmp, 'unsafe dir');
    const result = await runPlaybook({
      playbook: path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'unsafe_vars.yml'),
      inventory: localInventory(), // its '{{ ansible_playbook_python }}' is still a template
      extraVars: { qs_hostile: hostile, qs_empty: '', qs_dir: dir, qs_nested: { list: [{ name: `{{ 7 * 6 }}` }, { name: 'b' }] }, qs_count: 41, qs_flag: true, qs_odd: odd },
    });
    expectOk(result);
    expect(existsSync(marker)).toBe(false);
    expect(result.reported).toEqual({
      hostile,
      nested: '{{ 7 * 6 }}',
      joined: `${dir}/sub`,
      sum: 42,
      names: ['{{ 7 * 6 }}', 'b'],
      flag: true,
      empty: 0,
      odd: odd.replace('\ud800', '\ufffd'),
    });
    expect(statSync(path.join(dir, 'sub')).isDirectory()).toBe(true);
  });

  it('when extra vars are written, then every string is tagged !unsafe and numbers stay numbers', () => {
    expect(toUnsafeYaml({ a: 'x', b: [1, 'y', null, 1e21], c: { d: false }, e: undefined, f: '' })).toBe('{"a": !unsafe "x", "b": [1, !unsafe "y", null, 1.0e+21], "c": {"d": false}, "f": ""}\n');
  });

  it('when a worker was killed mid-run, then the next run removes its vars folder (secrets), and leaves a live worker\'s alone', async () => {
    // a pid that is gone: a process that ran and exited
    const deadPid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const root = os.tmpdir();
    const dead = path.join(root, `qs-ansible-${deadPid}-killed${Math.random().toString(36).slice(2, 8)}`);
    const live = path.join(root, `qs-ansible-${process.ppid}-alive${Math.random().toString(36).slice(2, 8)}`);
    const oldStyle = path.join(root, `qs-ansible-oldstyle${Math.random().toString(36).slice(2, 8)}`);
    for (const d of [dead, live, oldStyle]) {
      mkdirSync(d, { mode: 0o700 });
      writeFileSync(path.join(d, 'vars.yml'), 'secret: !unsafe "s3cr3t"\n', { mode: 0o600 });
    }
    const dayAgo = (Date.now() - 25 * 3600 * 1000) / 1000;
    utimesSync(oldStyle, dayAgo, dayAgo);
    try {
      expect(await removeStaleRunFolders()).toBeGreaterThanOrEqual(2);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(oldStyle)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      for (const d of [dead, live, oldStyle]) rmSync(d, { recursive: true, force: true });
    }
  });

  it('when the signal aborts during a `sleep 300` task, then the promise rejects with AbortError and no process of the run is left', async () => {
    const pidFile = path.join(tmp, 'sleeps.pids');
    const controller = new AbortController();
    const run = runPlaybook({ playbook: fixture('sleeps.yml'), inventory: localInventory(), extraVars: { qs_pid_file: pidFile }, signal: controller.signal });
    const [shell, background, ownSession] = await pidsIn(pidFile);
    const marker = runMarker(shell)!;
    const members = runProcesses(marker);
    expect(members).toEqual(expect.arrayContaining([shell, background, ownSession]));
    expect(members.length).toBeGreaterThan(4); // ansible-playbook and its fork, the module, the shell, three sleeps
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'QS_PLAYBOOK_ABORTED' });
    expect(members.filter(running)).toEqual([]);
    expect(runProcesses(marker)).toEqual([]);
  });

  it('when the signal is already aborted, then nothing runs and the promise rejects with AbortError', async () => {
    const pidFile = path.join(tmp, 'never.pids');
    await expect(
      runPlaybook({ playbook: fixture('sleeps.yml'), inventory: localInventory(), extraVars: { qs_pid_file: pidFile }, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(pidFile)).toBe(false);
  });

  it('when timeoutMs passes, then the run resolves not ok with a timeout note and no process of the run is left', async () => {
    const pidFile = path.join(tmp, 'timeout.pids');
    const run = runPlaybook({ playbook: fixture('sleeps.yml'), inventory: localInventory(), extraVars: { qs_pid_file: pidFile }, timeoutMs: 4000 });
    // the pid file shows up before the timeout unless the machine is very slow; either way the run must end
    const pids = await Promise.race([pidsIn(pidFile), run.then(() => [] as number[])]);
    const marker = pids.length ? runMarker(pids[0]) : undefined;
    const result = await run;
    expect(result.ok).toBe(false);
    expect(result.logTail.at(-1)).toMatch(/timed out after 4000 ms/);
    expect(pids.filter(running)).toEqual([]);
    if (marker) expect(runProcesses(marker)).toEqual([]);
  });

  it('when a run for an owner starts while an earlier one for the same owner still runs (a crashed worker\'s orphan), then the earlier one is stopped first', async () => {
    const pidFile = path.join(tmp, 'orphan.pids');
    const orphan = runPlaybook({ playbook: fixture('sleeps.yml'), inventory: localInventory(), extraVars: { qs_pid_file: pidFile }, owner: 'job-orphan' });
    const pids = await pidsIn(pidFile);
    const other = runPlaybook({ playbook: fixture('sleeps.yml'), inventory: localInventory(), extraVars: { qs_pid_file: path.join(tmp, 'other.pids') }, owner: 'job-other', timeoutMs: 60_000 });
    await pidsIn(path.join(tmp, 'other.pids'));
    const next = await runPlaybook({ playbook: fixture('three_tasks.yml'), inventory: localInventory(), extraVars: { qs_name: 'next' }, owner: 'job-orphan' });
    expectOk(next);
    expect(next.logTail.join('\n')).toMatch(/stopped \d+ process\(es\) that an earlier run for job-orphan left running/);
    expect(pids.filter(running)).toEqual([]);
    expect((await orphan).ok).toBe(false);
    const otherPids = readFileSync(path.join(tmp, 'other.pids'), 'utf8').trim().split(/\s+/).map(Number);
    expect(otherPids.filter(running)).toEqual(otherPids); // another owner's run is left alone
    await stopLeftoversOf('job-other', 1000);
    await other;
  });

  it('when a task leaves a child running and the playbook ends ok, then the child does not outlive the run', async () => {
    const pidFile = path.join(tmp, 'leftover.pid');
    const result = await runPlaybook({ playbook: fixture('leaves_child.yml'), inventory: localInventory(), extraVars: { qs_pid_file: pidFile } });
    expectOk(result);
    const [child] = await pidsIn(pidFile);
    expect(running(child)).toBe(false);
  });
});
