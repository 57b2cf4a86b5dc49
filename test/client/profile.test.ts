// Stored profiles and where qs takes its URL and token from (profile.ts, settings.ts, commands/login.ts),
// through main() against a small fake API that records what it was sent: login writes a 0600 file in a
// 0700 folder; later commands use its URL and token; flags and the environment come first; logout removes it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../client/qs.js';
import { resolveSettings } from '../../client/settings.js';

let server: Server;
let base = '';
let tmp = '';
let file = '';
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"jobs":[]}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-profile-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
  file = path.join(mkdtempSync(path.join(tmp, 'home-')), 'queryshield', 'profiles.json');
});

async function run(args: string[], env: Record<string, string> = {}) {
  const err: string[] = [];
  const code = await main(args, { QS_CONFIG: file, ...env }, { stdout: () => {}, stderr: (l) => err.push(l) });
  return { code, stderr: err.join('\n') };
}
const tokenFile = (token: string) => {
  const f = path.join(tmp, `${token}.token`);
  writeFileSync(f, `${token}\n`);
  return f;
};

describe('qs login and the stored profile', () => {
  it('when login is given a URL and a token file, then the profile file is mode 0600 in a 0700 folder and holds them', async () => {
    expect(await run(['login', '--url', base, '--token-file', tokenFile('tok-a')])).toMatchObject({ code: 0, stderr: expect.stringMatching(/saved profile default .*\(mode 0600\)/) });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ profiles: { default: { url: base, token: 'tok-a' } } });
  });

  it('when a profile is stored, then commands use its URL and token; --token-file, QS_TOKEN and --url come first', async () => {
    await run(['login', '--url', base, '--token-file', tokenFile('tok-a')]);
    expect((await run(['jobs'])).code).toBe(0);
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-a');
    await run(['jobs'], { QS_TOKEN: 'tok-env' });
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-env');
    await run(['jobs', '--token-file', tokenFile('tok-flag')], { QS_TOKEN: 'tok-env' });
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-flag');
    expect(resolveSettings({ url: 'http://flag:1' }, { QS_CONFIG: file, QS_URL: 'http://env:1' }, () => {}).url).toBe('http://flag:1');
    expect(resolveSettings({}, { QS_CONFIG: file, QS_URL: 'http://env:1' }, () => {}).url).toBe('http://env:1');
    expect(resolveSettings({}, { QS_CONFIG: file }, () => {})).toMatchObject({ url: base, token: 'tok-a', profile: 'default' });
  });

  it('when login names a profile, then only --profile or QS_PROFILE selects it; an unknown one is a usage error', async () => {
    await run(['login', '--profile', 'staging', '--url', base, '--token-file', tokenFile('tok-s')]);
    await run(['jobs', '--profile', 'staging']);
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-s');
    await run(['jobs'], { QS_PROFILE: 'staging' });
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-s');
    expect(await run(['jobs', '--profile', 'prod'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no profile "prod"/) });
    // A second login changes what it is given and keeps the rest (a token rotation keeps the URL).
    await run(['login', '--profile', 'staging', '--token-file', tokenFile('tok-s2')]);
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles.staging).toEqual({ url: base, token: 'tok-s2' });
  });

  it('when the file is readable by others, then every command warns; logout removes the profile', async () => {
    await run(['login', '--url', base]);
    chmodSync(file, 0o644);
    expect((await run(['jobs'])).stderr).toMatch(/readable by others \(mode 644\): chmod 600/);
    expect(await run(['logout'])).toMatchObject({ code: 0, stderr: expect.stringMatching(/removed profile default/) });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ profiles: {} });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('when login gets nothing, or a token file that is empty or missing, then it is a usage error', async () => {
    expect(await run(['login'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --url, --token-file or both/) });
    writeFileSync(path.join(tmp, 'empty.token'), '\n');
    expect(await run(['login', '--token-file', path.join(tmp, 'empty.token')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/must hold one token.*found nothing/) });
    expect(await run(['jobs', '--token-file', path.join(tmp, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read .*ENOENT/) });
  });
});
