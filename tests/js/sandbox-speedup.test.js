// The simulators' one rate knob (web/sandbox/index.js `rateSpeedup`): N times faster limits,
// same ratios. Checked on the platform's own 429 signals: Haravan's leaky bucket (Retry-After,
// haravan.md A.4.1), KiotViet's hourly window, and every simulator starting with the knob.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOXES, startSandbox, speedupOptions } from '../../web/sandbox/index.js';

/** Requests as fast as possible until the first 429: → {sent, retryAfter}. */
async function until429(send, max) {
  for (let i = 1; i <= max; i++) {
    const res = await send();
    if (res.status === 429) return { sent: i, retryAfter: res.headers.get('retry-after') };
    await res.arrayBuffer();
  }
  return { sent: max, retryAfter: null };
}

test('every simulator starts with rateSpeedup, and the knob maps to each one’s own option', async () => {
  for (const platform of Object.keys(SANDBOXES)) {
    const env = await startSandbox(platform, { seed: 3, rateSpeedup: 50, counts: { products: 5, customers: 5, orders: 5 } });
    try {
      assert.ok(env.url.startsWith('http://127.0.0.1'), platform);
    } finally {
      await env.close();
    }
  }
  assert.deepEqual(speedupOptions('sapo', { rateSpeedup: 10, seed: 1 }), { seed: 1, timeScale: 10 });
  assert.deepEqual(speedupOptions('nhanh', { rateSpeedup: 10 }), { timeScale: 0.1 });
  assert.equal(speedupOptions('kiotviet', { rateSpeedup: 3600 }).rateLimit.windowMs, 1000);
  assert.deepEqual(speedupOptions('odoo', { rateSpeedup: 10 }), {}, 'no documented limit, none simulated');
  assert.throws(() => speedupOptions('sapo', { rateSpeedup: 0 }));
});

test('haravan: the same bucket (80) fills, and drains ten times faster', async () => {
  const results = {};
  for (const n of [1, 10]) {
    const env = await startSandbox('haravan', { seed: 4, rateSpeedup: n, counts: { products: 5, customers: 5, orders: 5 } });
    try {
      const send = () => fetch(`${env.url}/com/shop.json`, { headers: { authorization: `Bearer ${env.secrets.accessToken}` } });
      const started = performance.now();
      const first = await until429(send, 400);
      const elapsedSec = (performance.now() - started) / 1000;
      assert.ok(Number(first.retryAfter) > 0, 'a 429 with Retry-After');
      // Half a second later: at 4 calls/s two calls have leaked out; at ×10, twenty.
      await new Promise((r) => setTimeout(r, 500));
      const again = await until429(send, 100);
      // What may leak while the burst is being sent (4 calls/s × n): a loaded machine sends slower.
      results[n] = { burst: first.sent - 1, afterHalfSecond: again.sent - 1, leakAllowance: Math.ceil(4 * n * elapsedSec) };
    } finally {
      await env.close();
    }
  }
  // The burst is the platform's: 80 calls whatever the speed, plus what leaked while sending.
  for (const n of [1, 10]) assert.ok(results[n].burst >= 80 && results[n].burst <= 82 + results[n].leakAllowance, JSON.stringify(results));
  assert.ok(results[1].afterHalfSecond <= 4, JSON.stringify(results));
  assert.ok(results[10].afterHalfSecond >= 15, JSON.stringify(results));
});
