// Stored profiles: an API URL and a token per name, in one JSON file only its owner may read (0600, in a
// 0700 folder), like ~/.netrc or the cloud CLIs' credential files. Written whole to a temporary file
// and renamed, so a crash never leaves half a token behind.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.js';

export interface Profile {
  url?: string;
  token?: string;
}
interface ProfilesFile {
  profiles: Record<string, Profile>;
}

/** QS_CONFIG, else $XDG_CONFIG_HOME/queryshield/profiles.json, else ~/.config/queryshield/profiles.json. */
export function profilesPath(env: NodeJS.ProcessEnv): string {
  if (env.QS_CONFIG) return path.resolve(env.QS_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'queryshield', 'profiles.json');
}

/** Every stored profile ({} without a file); `warn` hears about a file others may read. */
export function readProfiles(file: string, warn: (line: string) => void = () => {}): Record<string, Profile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read the profiles file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) warn(`qs: warning: ${file} holds tokens and is readable by others (mode ${mode.toString(8)}): chmod 600 ${file}`);
  try {
    const parsed = JSON.parse(text) as Partial<ProfilesFile>;
    return parsed.profiles && typeof parsed.profiles === 'object' ? parsed.profiles : {};
  } catch {
    throw new CliError(`the profiles file ${file} is not JSON: fix or remove it (qs login writes a new one)`);
  }
}

/** Replaces (or with `undefined` removes) one profile; the file ends up mode 0600 whatever it was. */
export function writeProfile(file: string, name: string, profile: Profile | undefined): void {
  const profiles = readProfiles(file);
  if (profile) profiles[name] = profile;
  else delete profiles[name];
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ profiles } satisfies ProfilesFile, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600); // the umask may have taken bits away, never added: this is for clarity
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write the profiles file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
