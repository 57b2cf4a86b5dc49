// What every command gets: the API client, the settings it was made from, the --json switch and the
// output streams. Commands write results to stdout (so they can be piped) and progress to stderr;
// `progress` redraws one status line (a terminal only: elsewhere it is a no-op, so logs stay clean).
import type { Api } from './http.js';
import type { Settings } from './settings.js';

export interface Context {
  api: Api;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  json: boolean;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  progress: (text: string) => void;
}

/** A command returns its exit code (0 unless it says otherwise). */
export type Command = (ctx: Context) => Promise<number | void>;

export const str = (ctx: Context, name: string): string => String(ctx.values[name] ?? '');

export function printJson(ctx: Context, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2));
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** 75_000 → "1:15", 3_725_000 → "1:02:05": elapsed times in --watch. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** Job ids become URL path/query parts: encode so a stray character cannot change the route. */
export const enc = encodeURIComponent;
