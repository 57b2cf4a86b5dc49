// qs login / logout: keep an API URL and a token in a stored profile (profile.ts), so later commands need
// neither --url nor QS_TOKEN. The token is read from a file or stdin, never from the command line, where
// the shell history and `ps` would see it.
import { printJson, type Command } from '../context.js';
import { UsageError } from '../errors.js';
import { writeProfile, readProfiles } from '../profile.js';
import { checkUrl, readTokenFile } from '../settings.js';

export const login: Command = async (ctx) => {
  const url = ctx.values.url ? checkUrl(String(ctx.values.url), '--url') : undefined;
  const token = ctx.values['token-file'] ? readTokenFile(String(ctx.values['token-file'])) : undefined;
  if (!url && !token) throw new UsageError('login: give --url, --token-file or both (usage: qs login [--url URL] [--token-file FILE] [--profile NAME])');
  const { profile, profilesFile } = ctx.settings;
  const before = readProfiles(profilesFile)[profile] ?? {};
  // What is not given is kept: `qs login --token-file new.token` rotates the token, the URL stays.
  const next = { ...before, ...(url ? { url } : {}), ...(token ? { token } : {}) };
  writeProfile(profilesFile, profile, next);
  if (ctx.json) printJson(ctx, { profile, file: profilesFile, url: next.url ?? null, token: next.token ? 'stored' : null });
  else ctx.stderr(`saved profile ${profile} in ${profilesFile} (mode 0600)${next.url ? `: ${next.url}` : ''}${next.token ? ', with a token' : ''}`);
};

export const logout: Command = async (ctx) => {
  const { profile, profilesFile } = ctx.settings;
  const had = Object.hasOwn(readProfiles(profilesFile), profile);
  if (had) writeProfile(profilesFile, profile, undefined);
  if (ctx.json) printJson(ctx, { profile, removed: had });
  else ctx.stderr(had ? `removed profile ${profile} from ${profilesFile}` : `no profile ${profile} in ${profilesFile}: nothing to remove`);
};
