// Debian's Chromium driven by playwright-core (no browser download works here), for the
// dashboard's end-to-end tests. Every page fails its test on any console error or page error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const OUTPUT_DIR = join(ROOT, 'test-output', 'dashboard');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 360, height: 740 };

/**
 * A page whose console errors and uncaught exceptions are collected in `page.problems`
 * (assert it is empty at the end of the test). `allow` lists substrings of expected messages.
 */
export async function openPage(browser, { viewport = DESKTOP, allow = [] } = {}) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.problems = [];
  const allowed = (text) => allow.some((a) => text.includes(a));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text())) page.problems.push(`console.error: ${msg.text()} @ ${msg.location()?.url ?? ''}`);
  });
  page.on('pageerror', (err) => {
    if (!allowed(err.message)) page.problems.push(`pageerror: ${err.message}`);
  });
  page.on('crash', () => page.problems.push('page crashed'));
  if (process.env.E2E_DEBUG) {
    page.on('request', (r) => r.url().includes('/api/') && r.method() !== 'GET' && console.log('>>', r.method(), r.url(), (r.postData() ?? '').slice(0, 160)));
    page.on('response', async (r) => r.url().includes('/api/connections') && console.log('<<', r.status(), r.url(), (await r.text().catch(() => '')).slice(0, 200)));
  }
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
