// qs result: the analyst's side. Downloads every party's result share through the read URLs
// get_status hands out on Success, reconstructs (reconstructResult) and prints the plaintext table.
import { writeFile } from 'node:fs/promises';
import { reconstructResult } from '../../activities/shares/index.js';
import { printJson, str, type Command } from '../context.js';
import { CliError } from '../errors.js';
import { causeOf } from '../http.js';
import { getStatus } from './status.js';

export function toCsv(table: { columns: string[]; rows: number[][] }): string {
  return [table.columns.join(','), ...table.rows.map((r) => r.join(','))].join('\n') + '\n';
}

async function download(url: string, party: number, n: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    throw new CliError(`party ${party + 1}/${n} result: download failed: ${causeOf(err)}`);
  }
  const text = await res.text();
  if (!res.ok) throw new CliError(`party ${party + 1}/${n} result: download failed: HTTP ${res.status} (the read URL may have expired: run qs result again)`);
  return text;
}

export const result: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const st = await getStatus(ctx, jobId);
  if (st.status !== 'Success') {
    throw new CliError(st.status === 'Fail' ? `job ${jobId} failed${st.error ? `: ${st.error}` : ''}; there is no result` : `job ${jobId} is ${st.status}: no result yet (qs status --job ${jobId} --watch)`);
  }
  const urls = st.result ?? [];
  if (urls.length === 0) throw new CliError(`job ${jobId} succeeded but the server gave no result URLs`);
  const files = await Promise.all(urls.map((u, i) => download(u, i, urls.length)));
  let table;
  try {
    table = reconstructResult(files);
  } catch (err) {
    throw new CliError(`cannot reconstruct the result: ${(err as Error).message}`);
  }
  const out = ctx.values.out as string | undefined;
  if (out) {
    await writeFile(out, toCsv(table));
    if (ctx.json) printJson(ctx, { job_id: jobId, out, ...table });
    else ctx.stderr(`wrote ${table.rows.length} row${table.rows.length === 1 ? '' : 's'} to ${out}`);
  } else if (ctx.json) printJson(ctx, { job_id: jobId, ...table });
  else ctx.stdout(toCsv(table).trimEnd());
};
