// Headless Chromium from Debian (`chromium`, installed by the setup step as root), driven by playwright-core
// with the system executable: nothing downloads a browser. Each launch gets a fresh profile folder, removed
// on close. A missing browser is a failure that says how to install it, never a skip.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.QS_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Every screenshot of a run (desktop and phone widths). */
export const SCREENSHOTS = path.join(ROOT, '.data', 'screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  /** a new tab (its own session storage, like a person opening a link) */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the browser tests need Debian's chromium. Run the setup step as root (npm run setup, or apt-get install -y chromium), or set QS_CHROMIUM to a Chromium executable.`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'qs-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext takes the profile folder itself (Playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: DESKTOP,
      acceptDownloads: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  for (const p of context.pages()) await p.close();
  return {
    context,
    page: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page shows that fails the basics: a form control without a label (its own <label>, or
 *  aria-label), a duplicate id, or content wider than the window (sideways scrolling on a phone). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    const problems: string[] = [];
    for (const el of doc.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      if (!(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.id || el.name || ''}`);
    }
    const ids = [...doc.querySelectorAll('[id]')].map((e: any) => e.id);
    for (const id of new Set(ids.filter((id: string, i: number) => ids.indexOf(id) !== i))) problems.push(`duplicate id ${id}`);
    const width = doc.documentElement.clientWidth;
    if (doc.documentElement.scrollWidth > width + 1) problems.push(`content is ${doc.documentElement.scrollWidth}px wide in a ${width}px window`);
    return problems;
  });
}

/** Screenshots of the page as it is at desktop and phone widths (full page), then back to desktop; each
 *  width checked by accessibilityProblems first. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const [width, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    const problems = await accessibilityProblems(page);
    if (problems.length) throw new Error(`${name} at ${width} width (${size.width}px): ${problems.join('; ')}`);
    const file = path.join(SCREENSHOTS, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(DESKTOP);
  return files;
}
