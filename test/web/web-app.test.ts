// The web app (issue 20) in a real browser: Debian's headless Chromium driven by playwright-core, against a
// real API and worker (the suite's dev server and emulators), tokens configured. The owner page never sends
// the plaintext (every request body during an upload is a share file); a failed party upload is named; and
// a whole job: the analyst signs in, creates a job (the grammar's 400 shown inline first), invites two
// owners; each owner opens the invitation link, checks, shares and uploads a CSV; the analyst submits,
// watches the stages reach Success and reads the rebuilt result table (and its CSV). Screenshots of every
// page at desktop and phone widths go to .data/screenshots/. The open loopback default is open-default.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { hashToken } from '../../api/auth.js';
import { reconstructTable, shareHeader } from '../../domain/shares.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { launch, screenshots, type Browser } from './browser.js';

const ANALYST = `qs-web-analyst-${Math.random().toString(36).slice(2)}`;
const HEADER = 'salary,degree,years_exp,region,academia';
const COLUMNS = HEADER.split(',');
const uni = [[52000, 2, 12, 1, 1], [48000, 1, 3, 2, 1], [61000, 2, 7, 1, 0]];
const corp = [[75000, 2, 25, 3, 0], [39000, 0, 0, 2, 0], [44000, 1, 4, 2, 1]];
const csv = (rows: number[][]) => `${HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
const SQL = 'SELECT academia, AVG(salary) FROM emp GROUP BY academia';
const SCHEMA = { salary: 'usd', degree: 'level', years_exp: 'years', region: 'code', academia: 'flag' };
const auth = { authorization: `Bearer ${ANALYST}` };

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  // The browser first: without chromium this fails at once with the setup step to run.
  browser = await launch();
  stack = await startStack({ env: { QS_API_TOKEN_HASHES: `analyst:${hashToken(ANALYST)}` } });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** An analyst's tab, signed in through the sign-in page. */
async function analystPage(shot = false): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${stack.url}/`);
  await page.getByLabel('API token').waitFor();
  expect(page.url()).toMatch(/#\/signin$/);
  if (shot) await screenshots(page, 'sign-in');
  // By keyboard: the field has focus on arrival, Enter signs in.
  await page.keyboard.type(ANALYST);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
  expect(page.url()).not.toContain(ANALYST);
  return page;
}

/** Invites an owner on the job page; returns the link shown once. */
async function invite(page: Page, owner: string): Promise<string> {
  await page.getByLabel('Data owner name').fill(owner);
  await page.getByRole('button', { name: 'Invite owner' }).click();
  const link = await page.locator(`.invite-url[data-owner="${owner}"]`).inputValue();
  const u = new URL(link);
  expect(u.search).toBe(''); // the token is in the fragment only: no server ever sees it
  expect(u.hash).toMatch(new RegExp(`^#/owner/[0-9a-f-]{36}\\?owner=${owner}&token=qsi_`));
  return link;
}

interface Sent {
  method: string;
  url: string;
  body: string | null;
}
/** Every request the page sends, with its body. */
function record(page: Page): Sent[] {
  const sent: Sent[] = [];
  page.on('request', (r: Request) => sent.push({ method: r.method(), url: r.url(), body: r.postData() }));
  return sent;
}

/** An owner opens the invitation link, picks the CSV, shares and uploads; returns the requests sent. */
async function ownerUploads(link: string, owner: string, rows: number[][], shotName?: string): Promise<Sent[]> {
  const page = await browser.page();
  const sent = record(page);
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: /^Upload your data: / }).waitFor();
  expect(page.url()).not.toContain('token='); // taken out of the address bar at once
  await expect.poll(() => page.locator('#privacy').textContent()).toMatch(/plaintext never leaves it/);
  if (shotName) {
    // A file that does not match the schema: errors per line, nothing sent.
    await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`${HEADER}\n1,2,3,4,5\n1,x,3,4,5\n1,2,3\n1,2,3,4,99999999999\n`) });
    await expect.poll(() => page.locator('.problems li').allTextContents()).toEqual([
      'line 3, column degree: "x" is not an integer',
      'line 4: 3 values, expected 5 (salary,degree,years_exp,region,academia)',
      'line 5, column academia: 99999999999 is outside the 32-bit range -2147483648..2147483647',
    ]);
    expect(await page.getByRole('button', { name: 'Share and upload' }).isDisabled()).toBe(true);
    await screenshots(page, `${shotName}-csv-errors`);
  }
  await page.getByLabel('CSV file').setInputFiles({ name: `${owner}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv(rows)) });
  await page.getByText(`${owner}.csv: ${rows.length} rows`).waitFor();
  await page.getByRole('button', { name: 'Share and upload' }).click();
  await page.locator('#upload-done').waitFor({ timeout: 60_000 });
  expect(await page.locator('#upload-done').textContent()).toContain(`${rows.length} rows uploaded as 3 share files for ${owner}`);
  expect(await page.locator('.party progress').evaluateAll((bars) => bars.map((b) => (b as unknown as { value: number }).value))).toEqual([100, 100, 100]);
  if (shotName) await screenshots(page, shotName);
  await page.close();
  return sent;
}

/** The checks of "no plaintext leaves the page" on what an upload sent. */
function expectOnlyShares(sent: Sent[], jobId: string, owner: string, rows: number[][]) {
  const text = csv(rows);
  const lines = text.trim().split('\n');
  for (const r of sent) {
    if (!r.body) continue;
    expect(r.body.includes(text), `${r.method} ${r.url} carries the CSV`).toBe(false);
    for (const l of lines.slice(1)) expect(r.body.includes(l), `${r.method} ${r.url} carries the row ${l}`).toBe(false);
  }
  const withBody = sent.filter((r) => r.body);
  const puts = withBody.filter((r) => r.method === 'PUT');
  const others = withBody.filter((r) => r.method !== 'PUT');
  // Besides the share files, the only body is the registration (job and owner name, no data).
  expect(others.map((r) => [r.method, new URL(r.url).pathname, JSON.parse(r.body!)])).toEqual([['POST', '/register_data_owner', { job_id: jobId, data_owner: owner }]]);
  expect(puts).toHaveLength(3);
  const header = shareHeader(COLUMNS, 3).join(',');
  for (const p of puts) {
    expect(new URL(p.url).origin).not.toBe(stack.url); // straight to the party's storage
    expect(p.body!.split('\n')[0]).toBe(header);
    expect(p.body!.trim().split('\n')).toHaveLength(rows.length + 1);
  }
  // They are real shares of exactly these rows (in party order, as the presigned URLs are).
  const ordered = puts.map((p) => p.body!);
  expect(reconstructTable(COLUMNS, ordered)).toEqual(rows);
}

/** On the new-job page: the wage-gap job, first with a UNION (the grammar's 400 inline), then right; its id. */
async function createWageGapJob(page: Page): Promise<string> {
  await page.getByLabel('Analysis name').fill('wage gap (web)');
  await page.getByLabel('SQL query').fill('SELECT academia FROM emp UNION SELECT region FROM emp');
  const names = Object.keys(SCHEMA);
  for (const [i, [col, unit]] of Object.entries(SCHEMA).entries()) {
    if (i > 0) await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByLabel(`Column ${i + 1} name`).fill(col);
    await page.getByLabel(`Column ${i + 1} unit`).fill(unit);
  }
  expect(names).toHaveLength(5);
  await page.getByRole('button', { name: 'Create job' }).click();
  // The grammar's 400, as the API says it, next to the field; focus goes to the field.
  await expect.poll(() => page.locator('#err-query_sql').textContent()).toBe('query_sql: UNION is not supported (at 1:26)');
  expect(await page.getByLabel('SQL query').getAttribute('aria-invalid')).toBe('true');
  await screenshots(page, 'new-job');
  await page.getByLabel('SQL query').fill(SQL);
  await page.getByRole('button', { name: 'Create job' }).click();
  await page.waitForURL(/#\/job\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  const jobId = page.url().split('/').pop()!;
  await page.getByRole('heading', { level: 1, name: 'wage gap (web)' }).waitFor();
  return jobId;
}

/** Submits and watches the live timeline reach Success. */
async function submitAndWatch(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Submit job' }).click();
  await page.getByText('Submitted. The stages start now.').waitFor();
  await page.locator('.timeline li.running').first().waitFor({ timeout: 120_000 });
  await screenshots(page, 'job-running');
  await expect.poll(() => page.locator('#job-status').textContent(), { timeout: 540_000, interval: 1000 }).toMatch(/^(Success|Fail)$/);
  expect(await page.locator('#job-status').textContent(), await page.locator('.timeline').textContent() ?? '').toBe('Success');
  expect(await page.getByRole('button', { name: 'Submit job' }).isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Cancel job' }).isVisible()).toBe(false);
  const stages = await page.locator('.timeline li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-stage'), li.className]));
  expect(stages.filter(([, state]) => state === 'succeeded').map(([name]) => name)).toEqual(expect.arrayContaining(['createVMs', 'setupAuthentication', 'deployTvaCore', 'runExperiment']));
}

/** The result, rebuilt in the browser, as a table and as the CSV download. */
async function checkResult(page: Page): Promise<void> {
  // No ORDER BY: the rows come in any order.
  const table = page.locator('#result-table');
  await table.waitFor({ timeout: 60_000 });
  expect(await table.locator('thead th').allTextContents()).toEqual(['academia', 'avg_salary']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
  expect([...rows].sort((a, b) => a[0] - b[0])).toEqual([[0, 58333], [1, 48000]]);
  expect(await table.locator('caption').textContent()).toBe('Result (2 rows)');
  await screenshots(page, 'job-result');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const file = readFileSync((await download.path())!, 'utf8');
  expect(file.split('\n')[0]).toBe('academia,avg_salary');
  expect(file.trim().split('\n').slice(1).sort()).toEqual(['0,58333', '1,48000']);
}

/** The list filtered by status, and paging one job a page. */
async function checkJobList(page: Page): Promise<void> {
  await page.goto(`${stack.url}/#/?status=Success`);
  await page.getByRole('link', { name: 'wage gap (web)' }).waitFor();
  await screenshots(page, 'jobs');

  // Paging, one job a page: this analyst's two jobs, newest first (the list is Temporal's visibility, which
  // may lag a moment behind).
  await expect.poll(async () => {
    await page.goto(`${stack.url}/#/?limit=1`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    return page.getByRole('button', { name: 'Next page' }).isEnabled();
  }, { timeout: 30_000 }).toBe(true);
  expect(await page.locator('table.jobs tbody a').allTextContents()).toEqual(['wage gap (web)']);
  expect(await page.getByRole('button', { name: 'Previous page' }).isEnabled()).toBe(false);
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect.poll(() => page.locator('table.jobs tbody a').allTextContents()).toEqual(['web plaintext check']);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect.poll(() => page.locator('table.jobs tbody a').allTextContents()).toEqual(['wage gap (web)']);
}

describe('the web app, tokens configured', () => {
  it('the owner page sends only share files: no request body during an upload holds the CSV or a row of it; a failing party is named with what to do', { timeout: 180_000 }, async () => {
    const created = await stack.call('POST', '/create_job', { analysis_name: 'web plaintext check', query_sql: SQL, security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: SCHEMA }, auth);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const jobId = created.body.job_id as string;
    const inv = await stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: 'uni' }, auth);
    expect(inv.status).toBe(200);
    const link = `${stack.url}/#/owner/${jobId}?owner=uni&token=${inv.body.token}`;

    // First, party 2's storage refuses the PUT: the page names party 2 and says what to do.
    const page = await browser.page();
    let party2: string | undefined;
    await page.route(/.*/, async (route) => {
      const r = route.request();
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/register_data_owner') {
        const answer = await route.fetch();
        party2 = ((await answer.json()) as { presigned_urls: string[] }).presigned_urls[1];
        return route.fulfill({ response: answer });
      }
      if (r.method() === 'PUT' && r.url() === party2) {
        return route.fulfill({ status: 403, contentType: 'application/xml', headers: { 'access-control-allow-origin': '*' }, body: '<Error><Code>AccessDenied</Code></Error>' });
      }
      return route.continue();
    });
    await page.goto(link);
    await page.getByLabel('CSV file').setInputFiles({ name: 'uni.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(uni)) });
    await page.getByRole('button', { name: 'Share and upload' }).click();
    const outcome = page.locator('#outcome .notice');
    await outcome.waitFor({ timeout: 60_000 });
    const said = (await outcome.textContent()) ?? '';
    expect(said).toContain('Upload failed for 1 of 3 parties');
    expect(said).toContain('Party 2 of 3 (gcp): HTTP 403 AccessDenied');
    expect(said).toContain('Press “Share and upload” again');
    await screenshots(page, 'owner-upload-error');
    await page.close();

    // Then a clean upload, every request recorded.
    const sent = await ownerUploads(link, 'uni', uni);
    expectOnlyShares(sent, jobId, 'uni', uni);
    await stack.call('POST', '/cancel_job', { job_id: jobId }, auth);
  });

  it('a whole job: create (SQL error inline), invite two owners, each uploads on the owner page, submit, the stages reach Success, the result table and its CSV', { timeout: 600_000 }, async () => {
    const page = await analystPage(true);
    await page.getByRole('link', { name: 'New job' }).first().click();
    const jobId = await createWageGapJob(page);
    expect(await page.locator('#job-status').textContent()).toBe('Created');

    const links = { uni: await invite(page, 'uni'), corp: await invite(page, 'corp') };
    await screenshots(page, 'job-invite');

    // The job page lists the owners invited and who has uploaded, read from the parties' storage.
    const uploaded = (owner: string) => page.locator(`#owners-list tr[data-owner="${owner}"] td.uploaded`).textContent();
    await expect.poll(async () => [await uploaded('uni'), await uploaded('corp')]).toEqual(['no', 'no']);
    const sentUni = await ownerUploads(links.uni, 'uni', uni, 'owner');
    expectOnlyShares(sentUni, jobId, 'uni', uni);
    // Refreshed while the job is open: uni's upload shows without a reload.
    await expect.poll(async () => [await uploaded('uni'), await uploaded('corp')], { timeout: 30_000 }).toEqual(['yes', 'no']);
    expect(await page.locator('#owners-list tr[data-owner="uni"] td:nth-child(2)').textContent()).toBe('yes');
    await screenshots(page, 'job-owners');
    const sentCorp = await ownerUploads(links.corp, 'corp', corp);
    expectOnlyShares(sentCorp, jobId, 'corp', corp);

    // The analyst submits and watches the live timeline.
    await page.reload();
    await expect.poll(() => uploaded('corp')).toBe('yes');
    await submitAndWatch(page);
    await checkResult(page);
    await checkJobList(page);
    await page.close();
  });
});
