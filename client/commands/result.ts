// qs result: the analyst's side. Downloads every party's result share through the read URLs get_status
// hands out on Success, rebuilds the result (resultTable: the rows whose _valid is 1, in order) and prints
// it as a table, or as CSV (--csv, --out) or JSON (--json).
import { writeFile } from 'node:fs/promises';
import { resultTable } from '../../domain/shares.js';
import { printJson, str, type Command } from '../context.js';
import { CliError, JobFailedError, UsageError } from '../errors.js';
import { causeOf } from '../http.js';
import { getStatus } from './status.js';

type Rows = { columns: string[]; rows: number[][] };

export function toCsv(table: Rows): string {
  return [table.columns.join(','), ...table.rows.map((r) => r.join(','))].join('\n') + '\n';
}

/** A plain-text table: the header, a rule, one line per row (numbers right-aligned), then the row count. */
export function toText(table: Rows): string {
  const width = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i])).join('  ').trimEnd();
  const count = `(${table.rows.length} row${table.rows.length === 1 ? '' : 's'})`;
  return [line(table.columns), width.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map((r) => line(r.map(String))), count].join('\n') + '\n';
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
  if (ctx.values.csv && ctx.json) throw new CliError('--csv and --json cannot be used together');
  const st = await getStatus(ctx, jobId);
  if (st.status === 'Fail') throw new JobFailedError(`job ${jobId} failed${st.error ? `: ${st.error}` : ''}; there is no result`);
  if (st.status !== 'Success') throw new CliError(`job ${jobId} is ${st.status}: no result yet (qs status --job ${jobId} --watch)`, 1, 'QS_NO_RESULT_YET');
  const urls = st.result ?? [];
  if (urls.length === 0) throw new CliError(`job ${jobId} succeeded but the server gave no result URLs`);
  const files = await Promise.all(urls.map((u, i) => download(u, i, urls.length)));
  let table: Rows;
  try {
    const rebuilt = resultTable(files);
    table = { columns: rebuilt.columns, rows: rebuilt.rows };
  } catch (err) {
    throw new CliError(`cannot reconstruct the result: ${(err as Error).message}`);
  }
  const out = ctx.values.out as string | undefined;
  if (out) {
    await writeFile(out, toCsv(table));
    if (ctx.json) printJson(ctx, { job_id: jobId, out, ...table });
    else ctx.stderr(`wrote ${table.rows.length} row${table.rows.length === 1 ? '' : 's'} to ${out}`);
  } else if (ctx.json) printJson(ctx, { job_id: jobId, ...table });
  else if (ctx.values.csv) ctx.stdout(toCsv(table).trimEnd());
  else ctx.stdout(toText(table).trimEnd());
};
