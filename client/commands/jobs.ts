// qs jobs: one page of GET /jobs as a table; the next page's token goes to stderr so stdout stays a
// clean table.
import { parseLimit } from '../args.js';
import { printJson, type Command } from '../context.js';

interface JobRow {
  job_id: string;
  analysis_name?: string;
  status: string;
  created_at?: string;
}

export const jobs: Command = async (ctx) => {
  const q = new URLSearchParams();
  if (ctx.values.status) q.set('status', String(ctx.values.status));
  const limit = parseLimit(ctx.values.limit as string | undefined);
  if (limit) q.set('limit', String(limit));
  if (ctx.values['page-token']) q.set('page_token', String(ctx.values['page-token']));
  const res = await ctx.api.request<{ jobs: JobRow[]; next_page_token?: string }>('GET', `/jobs${q.size ? `?${q}` : ''}`);
  if (ctx.json) {
    printJson(ctx, res);
    return;
  }
  if (res.jobs.length === 0) ctx.stderr('no jobs');
  else {
    const rows = [['JOB ID', 'STATUS', 'CREATED', 'NAME'], ...res.jobs.map((j) => [j.job_id, j.status, j.created_at ?? '', j.analysis_name ?? ''])];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) ctx.stdout(r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join('  ').trimEnd());
  }
  if (res.next_page_token) ctx.stderr(`more: qs jobs${ctx.values.status ? ` --status ${ctx.values.status}` : ''} --page-token ${res.next_page_token}`);
};
