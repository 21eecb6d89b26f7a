// End-to-end checks shared by Sapo and Haravan (one connector family, one simulator family):
// the wasm module in Node syncs from the local simulator over real loopback HTTP, secrets
// filled the way the proxy fills them, waits on a virtual clock that the simulator's leaky
// bucket also follows (so rate limits are real but cost no wall time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { SANDBOXES } from '../../../web/sandbox/index.js';
import { assertValidRecords } from './schema.js';

export const sl = await createStoreLink();
export const ENTITIES = ['locations', 'products', 'orders', 'customers'];

/** Waits pass instantly but move the clock the simulator reads. */
export function virtualClock(start = Date.parse('2026-05-04T03:00:00Z')) {
  let t = start;
  const c = {
    waited: [],
    now: () => t,
    sleep: async (ms) => { c.waited.push(ms); t += ms; },
    advance: (ms) => { t += ms; },
  };
  return c;
}

export async function withSim(platform, options, fn) {
  const clock = options.clock ?? virtualClock();
  const env = await SANDBOXES[platform].start({ seed: 5, now: clock.now, ...options });
  const transport = createLocalTransport(sl, { secrets: { ...env.secrets, ...options.secrets }, hostMap: env.hostMap });
  try {
    return await fn(env.sim, transport, clock, env);
  } finally {
    await env.sim.close();
  }
}

export function idsOf(records, { deleted = false } = {}) {
  return records.filter((r) => r.deleted === deleted).map((r) => r.externalId);
}

export function assertSameIds(got, truth, label) {
  assert.equal(got.length, new Set(got).size, `${label}: duplicates`);
  assert.deepEqual([...got].sort(), truth.map((r) => String(r.id)).sort(), `${label}: records differ from the simulator's truth`);
}

/** Applies records (tombstones delete) to a map, as the dashboard's store does. */
export function applier() {
  const latest = new Map();
  return {
    latest,
    apply(records) {
      for (const r of records) {
        if (r.deleted) latest.delete(r.externalId);
        else latest.set(r.externalId, r);
      }
    },
  };
}

/** The tests both platforms must pass; `p` names the platform's own spellings. */
export function familySuite(platform, p) {
  test(`${platform}: full sync of every entity matches the simulator and the schema`, async () => {
    await withSim(platform, {}, async (sim, transport, clock) => {
      for (const entity of ENTITIES) {
        const job = sl.createSync({ platform, entity });
        const { records, progress } = await runSync(job, transport, { clock });
        assertValidRecords(records);
        assertSameIds(idsOf(records), sim.truth(entity), entity);
        assert.equal(progress.phase, 'done');
        job.dispose();
      }
      assert.equal(sim.stats().rateLimited, 0, 'never rate limited');
    });
  });

  test(`${platform}: normalized values follow the simulator rows`, async () => {
    await withSim(platform, {}, async (sim, transport, clock) => {
      const products = new Map(sim.truth('products').map((x) => [String(x.id), x]));
      const got = (await runSync(sl.createSync({ platform, entity: 'products' }), transport, { clock })).records;
      let multi = 0;
      for (const r of got) {
        const src = products.get(r.externalId);
        assert.equal(r.name, src[p.productName]);
        assert.equal(r.variants.length, src.variants.length);
        const tracked = src.variants.filter((v) => v.inventory_management);
        const expected = tracked.length ? tracked.reduce((s, v) => s + v.inventory_quantity, 0) : null;
        assert.equal(r.totalStock, expected, `${r.externalId}: totalStock`);
        if (src.variants.length > 1) {
          multi++;
          const v = src.variants[0];
          const names = src.options.map((o) => o.name);
          const want = Object.fromEntries([v.option1, v.option2, v.option3].map((val, i) => [names[i], val]).filter(([, val]) => val != null));
          assert.deepEqual(r.variants[0].options, want);
        }
        assert.equal(r.category, src.product_type ?? null);
        assert.match(r.updatedAt, /Z$/);
        for (const url of r.images) assert.match(url, /^https:\/\//);
      }
      assert.ok(multi > 10, 'products with several variants');

      const orders = new Map(sim.truth('orders').map((x) => [String(x.id), x]));
      const o = (await runSync(sl.createSync({ platform, entity: 'orders' }), transport, { clock })).records;
      for (const r of o) {
        const src = orders.get(r.externalId);
        assert.equal(r.total, src.total_price, `${r.externalId}: total`);
        const sum = r.subtotal - (r.discount ?? 0) + (r.shippingFee ?? 0) + (r.tax ?? 0);
        assert.ok(Math.abs(sum - r.total) < 0.01, `${r.externalId}: subtotal − discount + shipping + tax = total (${sum} vs ${r.total})`);
        assert.equal(r.lines.length, src.line_items.length);
        assert.equal(r.locationId, String(src.location_id));
      }
      const statuses = new Set(o.map((r) => r.status));
      for (const s of ['pending', 'confirmed', 'shipping', 'completed', 'cancelled']) assert.ok(statuses.has(s), `status ${s} appears`);
      const payments = new Set(o.map((r) => r.paymentStatus));
      for (const s of ['unpaid', 'paid', 'partially_paid']) assert.ok(payments.has(s), `payment ${s} appears`);
      assert.ok(o.some((r) => r.customer === null), 'walk-in orders have no customer');
      assert.ok(o.some((r) => r.shippingAddress?.ward && r.shippingAddress?.district && r.shippingAddress?.province), 'ward/district/province');

      const c = (await runSync(sl.createSync({ platform, entity: 'customers' }), transport, { clock })).records;
      const phones = c.map((x) => x.phone).filter(Boolean);
      assert.ok(phones.filter((ph) => /^\+84\d{9}$/.test(ph)).length / phones.length > 0.85, 'phones become E.164');
      assert.ok(c.some((x) => x.gender === 'male') && c.some((x) => x.gender === 'female'));
      assert.ok(c.some((x) => /^\d{4}-\d{2}-\d{2}$/.test(x.birthday ?? '')));
      assert.ok(c.some((x) => x.orderCount > 0 && x.totalSpent > 0));
      assert.ok(c.every((x) => !/^\s|\s$/.test(x.name ?? '')));
    });
  });

  test(`${platform}: edits during the sweep are not lost; the next run is incremental`, async () => {
    await withSim(platform, { counts: { products: p.bigCatalogue } }, async (sim, transport, clock) => {
      const store = applier();
      const truth0 = sim.truth('products');
      let page = 0;
      const first = sl.createSync({ platform, entity: 'products' });
      const { checkpoint } = await runSync(first, transport, {
        clock,
        onRecords: async (records, cp) => {
          store.apply(records);
          page++;
          if (JSON.parse(cp).state === 'done') return;
          clock.advance(1500); // time passes between pages
          sim.touch('products', truth0[(page * 37) % truth0.length].id);
          sim.touch('products', truth0[(page * 91) % truth0.length].id);
          sim.create('products');
        },
      });
      assert.ok(page > 3, `several pages (${page})`);
      assert.deepEqual([...store.latest.keys()].sort(), sim.truth('products').map((x) => String(x.id)).sort());
      for (const x of sim.truth('products')) assert.equal(store.latest.get(String(x.id)).variants[0].price, x.variants[0].price, `price of ${x.id}`);

      sim.touch('products', sim.truth('products')[3].id);
      const inc = sl.createSync({ platform, entity: 'products', checkpoint });
      const pages = [];
      let events = 0;
      let locations = 0;
      const counting = async (request, o) => {
        if (request.url.endsWith('/products.json')) pages.push(request);
        if (request.url.endsWith('/events.json')) events++; // Haravan's deletions feed
        if (request.url.endsWith('/locations.json')) locations++;
        return transport(request, o);
      };
      const result = await runSync(inc, counting, { clock, onRecords: async (r) => store.apply(r) });
      assert.equal(result.progress.mode, 'incremental');
      assert.ok(pages.length <= 2, `incremental read ${pages.length} pages`);
      // The locations and the stock probe come from the checkpoint (the first run's setup is
      // younger than an hour): only the pages and their stock.
      assert.equal(locations, 0, 'no locations list within the hour');
      assert.ok(result.progress.requests <= 2 * pages.length + events, `incremental used ${result.progress.requests} requests`);
      assert.ok(result.progress.fetched < 20);
      assertStockMatches(sim, [...store.latest.values()], { minMulti: 0 });
    });
  });

  test(`${platform}: an incremental run reuses the locations for an hour, then lists them again`, async () => {
    await withSim(platform, { counts: { products: 30 } }, async (sim, transport, clock) => {
      const asked = [];
      const logging = async (request, o) => {
        asked.push(request.url.replace(/^.*\//, ''));
        return transport(request, o);
      };
      const store = applier();
      const full = await runSync(sl.createSync({ platform, entity: 'products' }), logging, { clock, onRecords: async (r) => store.apply(r) });
      assert.deepEqual(asked.slice(0, 2), ['locations.json', `${s.path}.json`], 'the first run lists the locations and probes the stock');
      let checkpoint = full.checkpoint;
      for (const [minutes, setup] of [[20, false], [30, false], [15, true]]) {
        clock.advance(minutes * 60_000);
        sim.touch('products', sim.truth('products')[minutes % 25].id); // its price and one location's stock move
        asked.length = 0;
        const inc = await runSync(sl.createSync({ platform, entity: 'products', checkpoint }), logging, { clock, onRecords: async (r) => store.apply(r) });
        assert.equal(inc.progress.mode, 'incremental');
        assert.equal(asked.includes('locations.json'), setup, `after ${minutes} more minutes: ${asked.join(' ')}`);
        assertStockMatches(sim, [...store.latest.values()], { minMulti: 0 });
        checkpoint = inc.checkpoint;
      }
    });
  });

  // Per-location stock: after each products page, the stock endpoint for that page's tracked
  // variants (Sapo by inventory_item_id, Haravan by variant id + location ids), merged before
  // the page is released. Checked against the simulator's own levels.
  const s = p.stock;
  function assertStockMatches(sim, records, { minMulti = 11 } = {}) {
    const levels = new Map();
    for (const l of sim.stockTruth()) {
      const list = levels.get(String(l.variantId)) ?? [];
      list.push({ locationId: String(l.locationId), onHand: l.onHand, available: l.available });
      levels.set(String(l.variantId), list);
    }
    const products = new Map(sim.truth('products').map((x) => [String(x.id), x]));
    const byLoc = (a, b) => a.locationId.localeCompare(b.locationId);
    let multi = 0;
    for (const r of records) {
      let productTotal = null;
      for (const v of r.variants) {
        const src = products.get(r.externalId).variants.find((x) => String(x.id) === v.externalId);
        const want = (levels.get(v.externalId) ?? []).sort(byLoc);
        if (!src.inventory_management) {
          assert.deepEqual(v.stock, [], `${v.externalId}: not tracked, no levels asked`);
          assert.equal(v.totalStock, null);
          continue;
        }
        assert.deepEqual([...v.stock].sort(byLoc), want, `${r.externalId}/${v.externalId}: stock per location`);
        const sum = want.reduce((t, l) => t + l.available, 0);
        assert.equal(v.totalStock, want.length ? sum : src.inventory_quantity, `${v.externalId}: totalStock = Σ available`);
        productTotal = (productTotal ?? 0) + v.totalStock;
        if (want.length > 1) multi++;
      }
      assert.equal(r.totalStock, productTotal, `${r.externalId}: product totalStock`);
    }
    assert.ok(multi >= minMulti, 'variants stocked at several locations');
  }

  test(`${platform}: stock per location follows each products page (${s.path})`, async () => {
    await withSim(platform, { counts: { products: p.bigCatalogue, locations: 4 } }, async (sim, transport, clock) => {
      const asked = [];
      const logging = async (request, o) => {
        asked.push(request);
        return transport(request, o);
      };
      const { records } = await runSync(sl.createSync({ platform, entity: 'products' }), logging, { clock });
      assertValidRecords(records);
      assertSameIds(idsOf(records), sim.truth('products'), 'products');
      assertStockMatches(sim, records);
      const stockAsks = asked.filter((r) => r.url.endsWith(`/${s.path}.json`)).map((r) => Object.fromEntries(r.query));
      const followUps = stockAsks.filter((q) => q[s.idsParam]);
      assert.ok(followUps.length >= 2, 'one or more stock requests per products page');
      for (const q of followUps) {
        assert.ok(q[s.idsParam].split(',').length <= s.maxIds, `at most ${s.maxIds} ids`);
        assert.equal(q.limit, '250');
        if (s.locations) assert.equal(q.location_ids.split(',').length, 4);
      }
      // Each page's stock is asked right after the page, before the next one.
      const kinds = asked.map((r) => (r.url.endsWith('/products.json') ? 'P' : r.url.endsWith(`/${s.path}.json`) ? 'S' : 'L'));
      assert.match(kinds.join(''), /^LS(PS+)+P?$/); // locations, probe, then each page and its stock
      assert.equal(sim.stats().rateLimited, 0, 'paced with the pages');
    });
  });

  test(`${platform}: killed between a products page and its stock, the resumed run loses and repeats nothing`, async () => {
    await withSim(platform, { counts: { products: p.bigCatalogue } }, async (sim, transport, clock) => {
      const seen = [];
      let saved = null;
      let pages = 0;
      const ac = new AbortController();
      const killer = async (request, o) => {
        if (request.url.endsWith('/products.json')) pages++;
        else if (pages === 2 && request.url.endsWith(`/${s.path}.json`)) ac.abort(); // page 2 is in, its stock is not
        return transport(request, o);
      };
      await assert.rejects(
        runSync(sl.createSync({ platform, entity: 'products' }), killer, {
          clock,
          signal: ac.signal,
          onRecords: async (records, checkpoint) => {
            seen.push(...records);
            saved = checkpoint;
          },
        }),
        (e) => e instanceof SyncError && e.code === 'cancelled',
      );
      assert.equal(seen.length, p.pageSize, 'only the first page (with its stock) was released');
      await runSync(sl.createSync({ platform, entity: 'products', checkpoint: saved }), transport, { clock, onRecords: async (r) => seen.push(...r) });
      assertSameIds(idsOf(seen), sim.truth('products'), 'products across the kill');
      assertStockMatches(sim, seen);
    });
  });

  test(`${platform}: without the stock permission, products still sync with the variants' own figure`, async () => {
    await withSim(platform, { permissions: { inventory: 'none' } }, async (sim, transport, clock) => {
      const { records } = await runSync(sl.createSync({ platform, entity: 'products' }), transport, { clock });
      assertSameIds(idsOf(records), sim.truth('products'), 'products');
      assert.ok(records.every((r) => r.variants.every((v) => v.stock.length === 0)));
      assert.ok(records.some((r) => r.totalStock > 0));
    });
  });

  test(`${platform}: resumes from a checkpoint with no duplicate and no gap`, async () => {
    await withSim(platform, { counts: { orders: p.bigOrders } }, async (sim, transport, clock) => {
      const seen = [];
      let saved = null;
      const ac = new AbortController();
      await assert.rejects(
        runSync(sl.createSync({ platform, entity: 'orders' }), transport, {
          clock,
          signal: ac.signal,
          onRecords: async (records, checkpoint) => {
            seen.push(...records);
            saved = checkpoint;
            if (seen.length >= p.bigOrders / 2) ac.abort();
          },
        }),
        (e) => e instanceof SyncError && e.code === 'cancelled',
      );
      await runSync(sl.createSync({ platform, entity: 'orders', checkpoint: saved }), transport, { clock, onRecords: async (r) => seen.push(...r) });
      const ids = idsOf(seen);
      assert.deepEqual([...new Set(ids)].sort(), sim.truth('orders').map((x) => String(x.id)).sort());
    });
  });

  test(`${platform}: survives injected 429s, 5xx and truncated bodies`, async () => {
    await withSim(platform, { faults: { rate429: 0.15, rate5xx: 0.15, rateTruncated: 0.1 } }, async (sim, transport, clock) => {
      sim.failNext([{ status: 429 }, { status: 503 }, { truncated: true }, { status: 500 }]);
      const { records, progress } = await runSync(sl.createSync({ platform, entity: 'customers', seed: 3 }), transport, { clock });
      assertSameIds(idsOf(records), sim.truth('customers'), 'customers under faults');
      assert.ok(sim.stats().faultsInjected > 0);
      assert.ok(progress.retries >= 4);
    });
  });

  test(`${platform}: paces from the call-limit header when another app has spent the bucket`, async () => {
    await withSim(platform, { counts: { products: p.pacingProducts } }, async (sim, transport, clock) => {
      sim.spend(p.bucket - 2); // another app of the shop left two calls
      const { records, progress } = await runSync(sl.createSync({ platform, entity: 'products' }), transport, { clock });
      assertSameIds(idsOf(records), sim.truth('products'), 'products');
      assert.equal(sim.stats().rateLimited, 0, 'no 429: the header was read and followed');
      assert.ok(progress.waitedMs > 0 && progress.lastWaitReason === 'rate_limit');
      assert.equal(sim.stats().maxBucketUsed <= p.bucket, true);
    });
  });

  test(`${platform}: a platform that ignores the sort still syncs everything`, async () => {
    await withSim(platform, { ignoreOrder: true }, async (sim, transport, clock) => {
      const { records } = await runSync(sl.createSync({ platform, entity: 'customers' }), transport, { clock });
      assertSameIds(idsOf(records), sim.truth('customers'), 'customers in id order');
    });
  });

  test(`${platform}: signed webhooks verify and normalize like list rows`, async () => {
    await withSim(platform, {}, async (sim, transport, clock) => {
      const secret = sim.info().webhookSecret;
      const order = sim.truth('orders')[4];
      const { headers, body } = sim.webhook(p.orderUpdateTopic, order.id);
      const ev = sl.inspectWebhook(platform, headers, body, secret);
      assert.deepEqual({ entity: ev.entity, deletion: ev.deletion, signatureChecked: ev.signatureChecked }, { entity: 'orders', deletion: false, signatureChecked: true });
      assert.throws(() => sl.inspectWebhook(platform, headers, body.replace('}', ' }'), secret), (e) => e.code === 'forbidden');
      const fromHook = sl.normalize(platform, 'orders', body).records[0];
      const list = (await runSync(sl.createSync({ platform, entity: 'orders' }), transport, { clock })).records;
      assert.deepEqual(fromHook, list.find((r) => r.externalId === String(order.id)));

      const victim = sim.truth('products')[0].id;
      sim.remove('products', victim);
      const del = sim.webhook(p.productDeleteTopic, victim);
      const dev = sl.inspectWebhook(platform, del.headers, del.body, secret);
      assert.equal(dev.deletion, true);
      const norm = sl.normalize(platform, 'products', del.body);
      assert.deepEqual(norm.removedIds, [String(victim)]);
      assert.equal(norm.records[0].deleted, true);
    });
  });

  test(`${platform}: connect checks: credentials, permissions, one-page verify`, async () => {
    await withSim(platform, {}, async (sim, transport, clock) => {
      const verify = sl.createSync({ platform, entity: 'locations', maxPages: 1 });
      const { progress } = await runSync(verify, transport, { clock });
      assert.equal(progress.requests, 1);
      sim.setPermissions({ orders: 'none' });
      await assert.rejects(runSync(sl.createSync({ platform, entity: 'orders' }), transport, { clock }),
        (e) => e instanceof SyncError && e.code === 'forbidden' && e.message.includes(p.ordersPermission));
      sim.expire();
      await assert.rejects(runSync(sl.createSync({ platform, entity: 'products', maxPages: 1 }), transport, { clock }),
        (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.message.includes(p.credentialLabel));
    });
  });
}
