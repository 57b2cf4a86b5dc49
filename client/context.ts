// What every command gets: the API client, the --json switch and the two output streams. Commands
// write results to stdout (so they can be piped) and progress to stderr.
import type { Api } from './http.js';

export interface Context {
  api: Api;
  json: boolean;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** A command returns its exit code (0 unless it says otherwise, e.g. status --watch on Fail). */
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

/** Job ids become URL path/query parts: encode so a stray character cannot change the route. */
export const enc = encodeURIComponent;
