// Per-connection request budgets (web/server/rate-gate.js): every request of a connection
// passes through the proxy, so concurrent syncs of one connection share the platform's budget
// (KiotViet counts 5,000 GET an hour per retailer, not per job).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRateGates, gateKey } from '../../web/server/rate-gate.js';
import { startServer, sl } from './helpers/server.js';

const RATE = { requestsPerSecond: 2, burst: 3, minSpacingMs: 0, scope: 'account' };

test('the bucket: a burst at once, then one slot per 1/rate; long waits refused without taking a slot', () => {
  let t = 1_000_000;
  const gates = createRateGates({ now: () => t, maxHoldMs: 1_000 });
  const waits = [];
  for (let i = 0; i < 5; i++) waits.push(gates.reserve('cn_a', RATE).waitMs);
  assert.deepEqual(waits, [0, 0, 0, 500, 1000], 'burst of 3, then queued 500 ms apart');
  const refused = gates.reserve('cn_a', RATE);
  assert.equal(refused.retryAfterMs, 1500, 'the next slot is 1.5 s away: over maxHoldMs');
  assert.equal(gates.reserve('cn_b', RATE).waitMs, 0, 'another connection has its own budget');
  t += 1500;
  assert.equal(gates.reserve('cn_a', RATE).waitMs, 0, 'the refusal took nothing: 1.5 s later the slot is free');
  assert.deepEqual(gates.stats(), { requests: 8, held: 2, heldMs: 1500, refused: 1, gates: 2 });
  gates.forget('cn_a');
  assert.equal(gates.stats().gates, 1);
});

test('minimum spacing and per-URL budgets', () => {
  const t = 5_000;
  const gates = createRateGates({ now: () => t });
  const spaced = { requestsPerSecond: 100, burst: 100, minSpacingMs: 100, scope: 'account' };
  assert.deepEqual([0, 1, 2].map(() => gates.reserve('cn', spaced).waitMs), [0, 100, 200]);
  const perUrl = { ...RATE, scope: 'url' };
  assert.equal(gateKey('cn', perUrl, 'https://pos.open.nhanh.vn/v3.0/product/list?x=1'), 'cn /v3.0/product/list');
  assert.equal(gateKey('cn', RATE, 'https://public.kiotapi.com/products'), 'cn');
  assert.notEqual(gateKey('cn', perUrl, 'https://pos.open.nhanh.vn/v3.0/order/list'), gateKey('cn', perUrl, 'https://pos.open.nhanh.vn/v3.0/product/list'));
  const fast = createRateGates({ now: () => t, speedup: 10 });
  assert.deepEqual([0, 1, 2, 3].map(() => fast.reserve('cn', RATE).waitMs), [0, 0, 0, 50], 'sandbox speedup: refills 10x faster');
});

test('platforms() publishes each connector budget: KiotViet per account under 5,000 an hour, Nhanh.vn per URL', () => {
  const rates = Object.fromEntries(sl.platforms().map((p) => [p.id, p.rate]));
  assert.equal(rates.kiotviet.scope, 'account');
  assert.ok(rates.kiotviet.burst + rates.kiotviet.requestsPerSecond * 3600 <= 5000, 'no hour can exceed 5,000');
  assert.equal(rates.nhanh.scope, 'url');
  assert.ok(rates.nhanh.burst + rates.nhanh.requestsPerSecond * 30 <= 150, '150 per 30 s per URL');
  assert.ok(rates.pancake.burst + rates.pancake.requestsPerSecond * 3600 <= 10_000, 'Pancake: 10,000 per hour');
  assert.ok(rates.pancake.burst + rates.pancake.requestsPerSecond * 60 <= 1000, 'Pancake: 1,000 per minute');
  for (const p of sl.platforms().filter((x) => x.status === 'available')) assert.ok(rates[p.id]?.requestsPerSecond > 0, p.id);
});

describe('the proxy holds the budget per connection (sqlite)', () => {
  let t;
  let api;
  let conn;
  let frozen = Date.now();
  const gates = createRateGates({ now: () => frozen, maxHoldMs: 0 });
  const warehouses = { method: 'GET', url: '{{secret.domain|origin:getflycrm.com}}/api/v6.1/warehouses', query: [['fields', 'id,store_name'], ['limit', '10']], headers: [['X-API-KEY', '{{secret.apiKey}}']], body: '', purpose: 'page' };

  before(async () => {
    t = await startServer('sqlite', { sandboxes: ['getfly'], sandboxOptions: {}, rateGates: gates });
    api = t.api();
    const getfly = (await api.get('/api/sandbox/credentials')).body.platforms.find((x) => x.platform === 'getfly');
    const res = await api.post('/api/connections', { platform: 'getfly', credentials: getfly.credentials });
    assert.equal(res.status, 201, res.text);
    conn = res.body.connection;
  });
  after(() => t?.close());

  test('concurrent requests over the budget never reach the platform: 429 + Retry-After from the gate', async () => {
    const rate = sl.platforms().find((p) => p.id === 'getfly').rate;
    const sim = t.server.sandboxes.getfly.sim;
    const before = sim.stats().total;
    const n = rate.burst + 4;
    const answers = await Promise.all(Array.from({ length: n }, () => api.post(`/api/proxy/${conn.id}`, warehouses)));
    const ok = answers.filter((a) => a.body.status === 200);
    const gated = answers.filter((a) => a.body.status === 429);
    assert.equal(ok.length, rate.burst, 'the burst goes through');
    assert.equal(gated.length, n - rate.burst);
    for (const g of gated) {
      assert.equal(g.body.headers['x-storelink-rate-gate'], 'connection');
      assert.ok(Number(g.body.headers['retry-after']) >= 1);
    }
    assert.equal(sim.stats().total - before, rate.burst, 'only the burst reached the simulator');
    frozen += (1000 * n) / rate.requestsPerSecond;  // time passes: the budget refills
    const later = await api.post(`/api/proxy/${conn.id}`, warehouses);
    assert.equal(later.body.status, 200);
  });
});
