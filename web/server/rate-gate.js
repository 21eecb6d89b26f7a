// Per-connection request budgets. A sync job paces only itself (its token bucket travels in
// its checkpoint), but a platform counts every request of the account: KiotViet allows 5,000
// GET an hour per retailer whether they come from one job or from the products, orders and
// customers jobs the scheduler and the dashboard run side by side. Every request of a
// connection passes through the proxy, so the proxy holds the budget: the same token bucket
// the connector declares (platforms()[i].rate), one per connection — or per connection and
// path where the platform counts per URL (Nhanh.vn). A request waits for its slot; when the
// wait would be long, it is answered at once with a 429 + Retry-After that never reached the
// platform, and the job backs off as it would for the platform's own.

/**
 * @param {{ now?: () => number, maxHoldMs?: number, speedup?: number }} [options] speedup: the
 *   sandbox's simulators run their rate limits N times faster (sandboxRateSpeedup); so do the gates.
 */
export function createRateGates({ now = Date.now, maxHoldMs = 15_000, speedup = 1 } = {}) {
  const gates = new Map();
  const stats = { requests: 0, held: 0, heldMs: 0, refused: 0 };

  /**
   * Reserves a slot for one request. → { waitMs } to wait before sending (the slot is taken),
   * or { retryAfterMs } when the wait would exceed maxHoldMs (nothing taken).
   */
  function reserve(key, rate) {
    const t = now();
    let g = gates.get(key);
    if (!g) gates.set(key, (g = { tokens: rate.burst, at: t, lastSlot: -Infinity }));
    const perMs = (rate.requestsPerSecond * speedup) / 1000;
    g.tokens = Math.min(rate.burst, g.tokens + Math.max(0, t - g.at) * perMs);
    g.at = t;
    // Tokens below zero are slots already promised to waiting requests: this one queues behind.
    let wait = g.tokens >= 1 ? 0 : Math.ceil((1 - g.tokens) / perMs);
    wait = Math.max(wait, g.lastSlot + (rate.minSpacingMs ?? 0) / speedup - t);
    stats.requests++;
    if (wait > maxHoldMs) {
      stats.refused++;
      return { retryAfterMs: wait };
    }
    g.tokens -= 1;
    g.lastSlot = t + wait;
    if (wait > 0) {
      stats.held++;
      stats.heldMs += wait;
    }
    return { waitMs: wait };
  }

  /** Drops a connection's budgets (disconnect). */
  function forget(connectionId) {
    for (const key of gates.keys()) if (key === connectionId || key.startsWith(`${connectionId} `)) gates.delete(key);
  }

  return { reserve, forget, stats: () => ({ ...stats, gates: gates.size }) };
}

/** The budget key of a request: the connection, plus the URL's path when the platform counts per URL. */
export function gateKey(connectionId, rate, url) {
  if (rate.scope !== 'url') return connectionId;
  const path = String(url).replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0];
  return `${connectionId} ${path}`;
}

export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
