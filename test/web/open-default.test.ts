// The web app in the open loopback default (no token loaded), in a real browser (Debian's headless Chromium
// via playwright-core) against a real API and worker: the pages are served with a CSP; the analyst needs no
// sign-in to create a job and invite an owner, and the owner uploads from the link.
import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { startStack } from '../helpers/stack.js';
import { launch, type Browser } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Every request the page sends, with its body. */
function record(page: Page): { method: string; body: string | null }[] {
  const sent: { method: string; body: string | null }[] = [];
  page.on('request', (r: Request) => sent.push({ method: r.method(), body: r.postData() }));
  return sent;
}

describe('the web app, open loopback default', () => {
  it('serves the pages with a CSP; with no token loaded the analyst needs no sign-in (creates a job, invites an owner) and the owner uploads from the link', { timeout: 180_000 }, async () => {
    const open = await startStack();
    try {
      const res = await fetch(`${open.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<script type="module" src="/app.js">');
      const js = await fetch(`${open.url}/app.js`);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await js.text()).not.toMatch(/node:crypto/);

      const page = await browser.page();
      await page.goto(`${open.url}/`);
      await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
      expect(page.url()).not.toContain('signin');
      await page.getByRole('link', { name: 'New job' }).first().click();
      await page.getByLabel('Analysis name').fill('open default (web)');
      await page.getByLabel('SQL query').fill('SELECT SUM(salary) AS total FROM payroll');
      await page.getByLabel('Column 1 name').fill('salary');
      await page.getByLabel('Column 1 unit').fill('usd');
      await page.getByRole('button', { name: 'Create job' }).click();
      await page.waitForURL(/#\/job\/[0-9a-f-]{36}$/, { timeout: 60_000 });
      const jobId = page.url().split('/').pop()!;
      await page.getByLabel('Data owner name').fill('solo');
      await page.getByRole('button', { name: 'Invite owner' }).click();
      const link = await page.locator('.invite-url[data-owner="solo"]').inputValue();
      await page.close();

      const owner = await browser.page();
      const sent = record(owner);
      await owner.goto(link);
      await owner.getByLabel('CSV file').setInputFiles({ name: 'solo.csv', mimeType: 'text/csv', buffer: Buffer.from('salary\n1000\n2000\n') });
      await owner.getByRole('button', { name: 'Share and upload' }).click();
      await owner.locator('#upload-done').waitFor({ timeout: 60_000 });
      expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(3);
      expect(sent.some((r) => r.body?.includes('1000\n2000'))).toBe(false);
      await owner.close();
      await open.call('POST', '/cancel_job', { job_id: jobId });
    } finally {
      await open.close();
    }
  });
});
