// Sharing and uploading for the data owner's page: the rows are secret-shared here with the browser's
// CSPRNG by domain/shares (the CLI's own module), and each party's share file is PUT straight to its bucket
// through the presigned URL, with a progress bar per party and up to 3 attempts (as `qs upload`).
import { cryptoRng, shareTable } from '../../domain/shares.js';
import { formatBytes, h, nextId } from './dom.js';

const ATTEMPTS = 3;

/** Browser PUT of one share file with upload progress; Azure needs x-ms-blob-type (as client/put-share),
 *  and a header the URL was signed with (register's upload_headers: GCS's size limit) goes along. */
function putShare(url: string, body: string, azure: boolean, onProgress: (sent: number, total: number) => void, extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    // each header once: setRequestHeader appends to a header already set ("BlockBlob, BlockBlob": a 400)
    const headers: Record<string, string> = { 'content-type': 'text/csv', ...(azure ? { 'x-ms-blob-type': 'BlockBlob' } : {}) };
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.length);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText ?? '')?.[1];
      reject(Object.assign(new Error(`HTTP ${xhr.status}${code ? ` ${code}` : ''}`), { status: xhr.status }));
    };
    xhr.onerror = () => reject(Object.assign(new Error('network error (the storage did not answer, or refused this page’s origin)'), { status: 0 }));
    xhr.ontimeout = () => reject(Object.assign(new Error('timed out'), { status: 0 }));
    xhr.timeout = 600_000;
    xhr.send(body);
  });
}

const isAzure = (url: string, provider?: string) => {
  if (provider === 'azure') return true;
  const u = new URL(url);
  return u.hostname.includes('.blob.') || u.pathname.startsWith('/devstoreaccount1/') || (u.searchParams.get('sr') === 'b' && u.searchParams.has('sig'));
};

interface PartyBar {
  bar: HTMLProgressElement;
  state: HTMLElement;
  label: string;
  cloud: string;
}

function partyBar(progress: HTMLElement, i: number, n: number, clouds: string[]): PartyBar {
  const pid = nextId('party');
  const cloud = clouds.length ? clouds[i % clouds.length] : '';
  const label = `Party ${i + 1} of ${n}${cloud ? ` (${cloud})` : ''}`;
  const bar = h('progress', { id: pid, max: 100, value: 0, 'aria-describedby': `${pid}-state` });
  const state = h('span', { id: `${pid}-state`, class: 'hint' }, 'waiting');
  progress.append(h('div', { class: 'party', 'data-party': i + 1 }, h('label', { for: pid }, label), bar, state));
  return { bar, state, label, cloud };
}

/** One party's file, tried up to ATTEMPTS times (a 4xx other than 429 is final); the failure, or undefined. */
async function uploadOne(url: string, share: string, b: PartyBar, headers?: Record<string, string>): Promise<string | undefined> {
  const bytes = new TextEncoder().encode(share).length;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      b.state.textContent = attempt > 1 ? `retrying (attempt ${attempt} of ${ATTEMPTS})…` : 'uploading…';
      await putShare(url, share, isAzure(url, b.cloud), (sent, total) => (b.bar.value = Math.round((100 * sent) / Math.max(1, total))), headers);
      b.bar.value = 100;
      b.state.textContent = `uploaded (${formatBytes(bytes)})`;
      return undefined;
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if ((status >= 400 && status < 500 && status !== 429) || attempt === ATTEMPTS) {
        b.state.textContent = `failed: ${(err as Error).message}`;
        return `${b.label}: ${(err as Error).message}`;
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
    }
  }
  return undefined;
}

/** Shares the rows for the URLs' parties and uploads every file (bars in `progress`); the failures, by party. */
export async function shareAndUpload(columns: string[], rows: number[][], urls: string[], clouds: string[], progress: HTMLElement, headers: Record<string, string>[] = []): Promise<string[]> {
  const shares = shareTable(columns, rows, urls.length, cryptoRng(window.crypto));
  progress.replaceChildren();
  const bars = urls.map((_, i) => partyBar(progress, i, urls.length, clouds));
  const failures = await Promise.all(urls.map((url, i) => uploadOne(url, shares[i], bars[i], headers[i])));
  return failures.filter((f): f is string => f !== undefined);
}
