// Cancel from the job page, in a real browser (Debian's headless Chromium via playwright-core) against a
// real API and worker: the analyst submits a job, sees its first stage running, presses Cancel job, accepts
// the confirmation, and the page follows the job to Fail with the cancel reason. The first stage is held
// (heartbeating, cancellable) until the cancellation reaches it, so the job is surely running when cancelled;
// the other stages are the quick fakes, teardown included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { hashToken } from '../../api/auth.js';
import { jobParties } from '../../domain/names.js';
import { shareTable } from '../../domain/shares.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { jobBody, SCHEMA } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { launch, screenshots, type Browser } from './browser.js';

const ANALYST = `qs-web-cancel-${Math.random().toString(36).slice(2)}`;
const auth = { authorization: `Bearer ${ANALYST}` };

/** createVMs that runs until it is cancelled (heartbeats carry the cancellation to it). */
async function heldUntilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat({ task: 'held by the test until cancelled' });
    await ctx.sleep(250);
  }
}

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
  stack = await startStack({ activities: { ...fakeStages(), createVMs: heldUntilCancelled }, env: { QS_API_TOKEN_HASHES: `analyst:${hashToken(ANALYST)}` } });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A job with one owner's share files uploaded, ready to submit (made through the API). */
async function readyJob(): Promise<string> {
  const created = await stack.call('POST', '/create_job', jobBody({ analysis_name: 'cancel me (web)' }), auth);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const jobId = created.body.job_id as string;
  const inv = await stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: 'uni' }, auth);
  const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'uni' }, { authorization: `Bearer ${inv.body.token}` });
  expect(reg.status, JSON.stringify(reg.body)).toBe(200);
  const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
  const files = shareTable(Object.keys(SCHEMA), [[30, 1000], [41, 2500]], parties.length);
  for (const p of parties) {
    const res = await fetch(reg.body.presigned_urls[p.index], { method: 'PUT', headers: stack.storage.uploadHeaders(p), body: files[p.index] });
    expect(res.status, await res.text()).toBeLessThan(300);
  }
  return jobId;
}

describe('the web app: cancel a running job', () => {
  it('the analyst submits, sees the first stage running, cancels from the job page and sees the job end Fail with the cancel reason', { timeout: 180_000 }, async () => {
    const jobId = await readyJob();
    const page = await browser.page();
    await page.goto(`${stack.url}/#/job/${jobId}`);
    await page.getByLabel('API token').waitFor();
    await page.keyboard.type(ANALYST);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'cancel me (web)' }).waitFor();
    // The owner list says who has uploaded, before submit.
    await expect.poll(() => page.locator('#owners-list tr[data-owner="uni"] td.uploaded').textContent()).toBe('yes');

    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.locator('.timeline li.running[data-stage="createVMs"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#job-status').textContent()).toBe('Creating VMs');

    // Cancel asks for a confirmation first; the page then follows the job to its end.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => page.locator('#job-status').textContent(), { timeout: 120_000, interval: 500 }).toBe('Fail');
    expect(asked).toEqual(['Cancel this job? Everything it created is torn down and it ends as Fail.']);
    const failure = await page.locator('#job-failure').textContent();
    expect(failure).toBe('The job ended as Fail: Cancelled. Last status is Creating VMs.');
    expect(await page.locator('.timeline li[data-stage="createVMs"]').getAttribute('class')).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel job' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Submit job' }).isVisible()).toBe(false);
    await screenshots(page, 'job-cancelled');

    // The API says the same.
    const status = await stack.call('GET', `/get_status?job_id=${jobId}`, undefined, auth);
    expect(status.body).toMatchObject({ status: 'Fail', error: 'Cancelled. Last status is Creating VMs.' });
    await page.close();
  });
});
