// UI: the longest main-thread task in Chromium while the dashboard syncs N KiotViet products.
// The real server (sandbox mode, in this process) with only the KiotViet simulator, N products
// and its rate limit on but `speedup` times faster (web/sandbox rateSpeedup); the dashboard
// (web/dashboard/dist) in Debian's Chromium, headless, flags as tests/js/helpers/browser.js.
// The page's sync worker gets the same speed-up of its clock (Date.now and setTimeout), so the
// engine paces against the faster limit: pages arrive `speedup` times more often than in a
// real sync, which can only make the main thread busier. A trace of the renderer's top-level
// tasks (CDP Tracing, category "toplevel") gives every main-thread task's duration; a
// PerformanceObserver('longtask') in the page counts the ones over 50 ms as a cross-check.
import { existsSync } from 'node:fs';
import { createServer } from '../web/server/app.js';
import { launchBrowser, DESKTOP } from '../tests/js/helpers/browser.js';

const DIST = new URL('../web/dashboard/dist/', import.meta.url).pathname;
const TOKEN = 'bench-ui-token';

// Runs in the worker before the sync starts: its clock runs `s` times faster.
function speedUpWorkerClock(s) {
  const realNow = Date.now.bind(Date);
  const t0 = realNow();
  Date.now = () => t0 + (realNow() - t0) * s;
  const realSetTimeout = self.setTimeout.bind(self);
  self.setTimeout = (fn, ms = 0, ...args) => realSetTimeout(fn, ms / s, ...args);
  return s;
}

async function readTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** Top-level task durations (ms) on the renderer main thread(s) of the trace. */
function mainThreadTasks(events) {
  const main = new Set();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') main.add(`${e.pid}:${e.tid}`);
  const tasks = [];
  for (const e of events) {
    if (e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`)) continue;
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') tasks.push({ ms: e.dur / 1000, ts: e.ts });
  }
  return tasks;
}

export async function runUiBench({ n = 100_000, speedup = 50, log = () => {} } = {}) {
  if (!existsSync(`${DIST}index.html`)) return { skipped: 'web/dashboard/dist is missing (bash scripts/build-dashboard.sh)' };
  log(`  ui: server with the KiotViet simulator (${n.toLocaleString('en-US')} products, rate limit ×${speedup})…`);
  const server = await createServer({
    mode: 'sandbox', dbFile: ':memory:', devToken: TOKEN, syncIntervalMs: 0, logger: false, dashboardDir: DIST,
    sandboxes: ['kiotviet'], sandboxRateSpeedup: speedup,
    sandboxOptions: { kiotviet: { counts: { products: n, customers: 0, orders: 0, invoices: 0, branches: 2 } } },
  });
  const base = (await server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const browser = await launchBrowser();
  try {
    const api = async (path, init = {}) => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    // Connect through the API (the e2e suite covers the form), then sync from the page.
    const creds = (await api('/api/sandbox/credentials')).platforms.find((x) => x.platform === 'kiotviet');
    const created = await api('/api/connections', { method: 'POST', body: JSON.stringify({ platform: 'kiotviet', credentials: creds.credentials, settings: creds.settings }) });
    const info = (await api('/api/platforms')).platforms.find((p) => p.id === 'kiotviet');
    if (created.locations?.length > 1) {
      const branch = Object.fromEntries(info.settings.filter((s) => s.kind === 'branch').map((s) => [s.key, created.locations[0].externalId]));
      if (Object.keys(branch).length) await api(`/api/connections/${created.connection.id}`, { method: 'PATCH', body: JSON.stringify({ settings: branch }) });
    }

    const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const workerReady = new Promise((resolve) => page.on('worker', resolve));
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${base}/#token=${TOKEN}`);
    await page.evaluate(() => (location.hash = '#/channels/kiotviet'));
    const row = page.getByTestId('sync-products');
    await row.getByTestId('sync-start').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="sync-products"] [data-testid="sync-start"][disabled]'));
    const worker = await workerReady;
    await worker.evaluate(speedUpWorkerClock, speedup);
    await page.waitForTimeout(500); // the page settles; the trace covers the sync only
    await page.evaluate(() => (window.__longTasks = []));

    const cdp = await context.newCDPSession(page);
    await cdp.send('Tracing.start', { categories: 'toplevel', transferMode: 'ReturnAsStream' });
    const t0 = performance.now();
    log(`  ui: syncing ${n.toLocaleString('en-US')} products from the dashboard…`);
    await row.getByTestId('sync-start').click();
    await row.getByTestId('sync-done').waitFor({ timeout: 30 * 60_000 });
    const syncMs = performance.now() - t0;
    const longTasks = await page.evaluate(() => window.__longTasks);
    const doneText = await row.getByTestId('sync-done').innerText();
    const events = await readTrace(cdp);
    const tasks = mainThreadTasks(events);
    const stored = (await api('/api/records/counts')).counts.filter((c) => c.type === 'product').reduce((s, c) => s + (c.live ?? 0), 0);
    const sorted = tasks.map((t) => t.ms).sort((a, b) => b - a);
    await context.close();
    return {
      n,
      speedup,
      syncSeconds: syncMs / 1000,
      stored,
      doneText,
      tasks: tasks.length,
      longestMs: sorted[0] ?? NaN,
      top: sorted.slice(0, 5),
      over50: sorted.filter((ms) => ms > 50).length,
      longTaskEntries: longTasks.length,
      longestLongTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
      problems,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

// `node bench/ui.js [N] [speedup]`: the UI measurement alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runUiBench({ n: Number(process.argv[2] ?? 100_000), speedup: Number(process.argv[3] ?? 50), log: (s) => process.stderr.write(`${s}\n`) });
  console.log(JSON.stringify(r, null, 1));
  process.exit(0);
}
