// qs upload: the data owner's whole path. The plaintext never leaves this process: it is read with
// csv-parse and checked (csv.ts), secret-shared here with a crypto RNG (shareTable), and only the n share
// files are PUT, one per party, with a live byte count per party on a terminal.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { shareTable } from '../../domain/shares.js';
import { readDataCsv } from '../csv.js';
import { enc, formatBytes, printJson, str, type Command, type Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { putShare, type PutResult } from '../put-share.js';

interface JobInfo {
  job_id: string;
  columns: string[];
  party_count: number;
  cloud_providers: string[];
}

export const upload: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const owner = str(ctx, 'owner');
  const file = ctx.positionals[0];

  // Read and check before any server call: a bad file should not register the owner.
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const job = await ctx.api.request<JobInfo>('GET', `/jobs/${enc(jobId)}`);
  const rows = readDataCsv(text, job.columns, path.basename(file));
  const n = job.party_count;

  const reg = await ctx.api.request<{ presigned_urls: string[]; upload_headers?: Record<string, string>[] }>('POST', '/register_data_owner', { job_id: jobId, data_owner: owner });
  if (reg.presigned_urls?.length !== n) throw new CliError(`the server gave ${reg.presigned_urls?.length ?? 0} upload URLs for a ${n}-party job`);

  const shares = shareTable(job.columns, rows, n);
  const meter = progressMeter(ctx, n);
  // Parallel PUTs (parties sit on different clouds); a line appears as each one finishes.
  const results: PutResult[] = await Promise.all(
    reg.presigned_urls.map(async (url, i) => {
      const provider = job.cloud_providers?.length ? job.cloud_providers[i % job.cloud_providers.length] : undefined;
      const r = await putShare(url, shares[i], `party ${i + 1}/${n}`, provider, (sent, total) => meter.update(i, sent, total), reg.upload_headers?.[i]);
      meter.clear();
      ctx.stderr(`party ${i + 1}/${n} uploaded (${formatBytes(r.bytes)}${r.verified === 'md5' ? ', MD5 verified' : ''})`);
      return r;
    }),
  ).catch((err: Error) => {
    meter.clear();
    // Some parties may hold this owner's new file and some not; a second run registers again and
    // overwrites all of them, so that is the fix to suggest.
    throw new CliError(`${err.message} (nothing is submitted; run qs upload again to replace ${owner}'s files)`, EXIT.failure, 'QS_UPLOAD_FAILED');
  });

  const summary = {
    job_id: jobId,
    owner,
    rows: rows.length,
    parties: results.map((r, i) => ({ party: i, bytes: r.bytes, http_status: r.status, verified: r.verified })),
  };
  if (ctx.json) printJson(ctx, summary);
  else {
    const md5 = results.filter((r) => r.verified === 'md5').length;
    ctx.stdout(`uploaded ${rows.length} row${rows.length === 1 ? '' : 's'} as ${n} share files for ${owner} (every PUT answered 2xx with the full byte count sent${md5 ? `; ${md5}/${n} stores confirmed the MD5` : ''})`);
  }
};

/** One redrawn line with every party's bytes sent so far (at most ten redraws a second). */
function progressMeter(ctx: Context, n: number) {
  const sent = new Array<number>(n).fill(0);
  const total = new Array<number>(n).fill(0);
  let last = 0;
  const draw = () => ctx.progress(`uploading: ${sent.map((s, i) => `party ${i + 1}/${n} ${formatBytes(s)}/${formatBytes(total[i])}`).join(' · ')}`);
  return {
    update(party: number, bytes: number, of: number) {
      sent[party] = bytes;
      total[party] = of;
      const now = Date.now();
      if (now - last >= 100 || bytes === of) {
        last = now;
        draw();
      }
    },
    clear: () => ctx.progress(''),
  };
}
