// Where the API is and which token to send, each from the first that has it:
//   URL:   --url, QS_URL, the profile, http://127.0.0.1:5000
//   token: --token-file, QS_TOKEN, the profile
// The profile is --profile, else QS_PROFILE, else "default"; naming one that does not exist is a usage error.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { profilesPath, readProfiles } from './profile.js';

export const DEFAULT_URL = 'http://127.0.0.1:5000';

export interface Settings {
  url: string;
  token?: string;
  profile: string;
  profilesFile: string;
}

type Values = Record<string, string | boolean | undefined>;

/** Reads a token file ("-": stdin), trimmed; an empty one is a mistake, not "no token". */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) throw new UsageError(`--token-file: ${file} must hold one token (no spaces), found ${token ? 'several words' : 'nothing'}`);
  return token;
}

export function checkUrl(url: string, from: string): string {
  // Catch `localhost:5000` here: fetch's own message for it ("Failed to parse URL") hides the cause.
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`${from} must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(url)}`);
  return url.replace(/\/+$/, '');
}

/** The profile's name and file, nothing read yet (what login and logout need). */
export function profileOf(values: Values, env: NodeJS.ProcessEnv): { profile: string; profilesFile: string; explicit: boolean } {
  const named = (values.profile as string | undefined) || env.QS_PROFILE || undefined;
  if (named !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(named)) throw new UsageError(`--profile: ${JSON.stringify(named)} is not a profile name (letters, digits, _ . -)`);
  return { profile: named ?? 'default', profilesFile: profilesPath(env), explicit: named !== undefined };
}

export function resolveSettings(values: Values, env: NodeJS.ProcessEnv, warn: (line: string) => void): Settings {
  const { profile, profilesFile, explicit } = profileOf(values, env);
  const profiles = readProfiles(profilesFile, warn);
  const stored = Object.hasOwn(profiles, profile) ? profiles[profile] : undefined;
  if (explicit && profile !== 'default' && !stored) throw new UsageError(`no profile ${JSON.stringify(profile)} in ${profilesFile} (make it with qs login --profile ${profile} --url …)`);
  const url = values.url ? checkUrl(String(values.url), '--url') : env.QS_URL ? checkUrl(env.QS_URL, 'QS_URL') : stored?.url ? checkUrl(stored.url, `profile ${profile}'s url`) : DEFAULT_URL;
  const token = values['token-file'] ? readTokenFile(String(values['token-file'])) : env.QS_TOKEN || stored?.token || undefined;
  return { url, token, profile, profilesFile };
}
