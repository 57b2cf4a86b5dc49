// The result on the job page: the parties' result shares fetched from their read URLs, rebuilt here by
// domain/shares' resultTable (the valid rows, in order), shown as a table and downloadable as CSV.
import { resultTable } from '../../domain/shares.js';
import { h, plural, table } from './dom.js';

interface Table {
  columns: string[];
  rows: number[][];
}

export function toCsv(t: Table): string {
  return [t.columns.join(','), ...t.rows.map((r) => r.join(','))].join('\n') + '\n';
}

async function download(urls: string[]): Promise<string[]> {
  return Promise.all(
    urls.map(async (u, i) => {
      const r = await fetch(u, { cache: 'no-store', referrerPolicy: 'no-referrer' }).catch(() => undefined);
      if (!r || !r.ok) throw new Error(`party ${i + 1}/${urls.length}: download failed${r ? ` (HTTP ${r.status})` : ' (network or CORS error)'}; the read link may have expired: reload this page`);
      return r.text();
    }),
  );
}

function downloadButton(t: Table, jobId: string): HTMLElement {
  const save = () => {
    const url = URL.createObjectURL(new Blob([toCsv(t)], { type: 'text/csv' }));
    const link = h('a', { href: url, download: `result-${jobId}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return h('button', { type: 'button', onclick: save }, 'Download CSV');
}

/** Appends the rebuilt result (or what went wrong) to the section. */
export async function showResult(section: HTMLElement, jobId: string, urls: string[]): Promise<void> {
  const msg = h('p', { role: 'status' }, `Downloading ${urls.length} result shares and rebuilding the result in this page…`);
  section.append(msg);
  const fail = (text: string) => msg.replaceWith(h('p', { class: 'notice err', role: 'alert' }, text));
  let files: string[];
  try {
    files = await download(urls);
  } catch (err) {
    return fail((err as Error).message);
  }
  let t: Table;
  try {
    const rebuilt = resultTable(files);
    t = { columns: rebuilt.columns, rows: rebuilt.rows };
  } catch (err) {
    return fail(`Cannot rebuild the result: ${(err as Error).message}`);
  }
  const head = t.columns.map((c) => h('th', { scope: 'col', class: 'num' }, c));
  msg.replaceWith(
    h('p', { class: 'hint' }, `Rebuilt here from the ${urls.length} parties’ shares: the valid rows, in the order the parties wrote them (ORDER BY order when the query has one).`),
    table({ id: 'result-table' }, `Result (${plural(t.rows.length, 'row')})`, head, t.rows.map((r) => r.map((v) => h('td', { class: 'num' }, v)))),
    h('div', { class: 'actions' }, downloadButton(t, jobId)),
  );
}
