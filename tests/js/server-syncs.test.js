// Server part 6 (sync runs) and the live stream, against SQLite and PostgreSQL: headless runs
// through the proxy path, records + checkpoint after every page, run history, cancel and
// resume, interrupted runs after a restart, the scheduler's incremental runs, SSE updates.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer, kiotvietCredentials, waitRun, eventually } from './helpers/server.js';

/** Reads server-sent events until `until(events)` is true. */
async function collectSse(url, token, until, { ms = 15_000, start } = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(`${url}/api/stream?access_token=${token}`, { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const events = [];
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let started = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type) events.push({ type, data: JSON.parse(data) });
      }
      if (!started && events.some((e) => e.type === 'ready')) {
        started = true;
        await start?.();
      }
      if (until(events)) return events;
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  throw new Error(`stream ended before the expected events (${events.map((e) => e.type).join(', ')})`);
}

for (const backend of BACKENDS) {
  describe(`sync runs (${backend})`, () => {
    let t;
    let api;
    let conn;
    let sim;
    before(async () => {
      t = await startServer(backend);
      api = t.api();
      sim = t.server.sandboxes.kiotviet.sim;
      conn = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) })).body.connection;
    });
    after(() => t?.close());

    test('a headless run stores records and the checkpoint after every page, streamed live', async () => {
      let runId;
      const events = await collectSse(t.url, 'demo-token', (evs) => evs.some((e) => e.type === 'run' && e.data.run.id === runId && e.data.run.status !== 'running'), {
        start: async () => {
          const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
          assert.equal(s.status, 202);
          runId = s.body.run.id;
          const dup = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
          assert.equal(dup.status, 409, 'one run per entity at a time');
        },
      });
      const run = (await api.get(`/api/runs/${runId}`)).body.run;
      assert.equal(run.status, 'succeeded');
      const truth = sim.truth('products').length;
      assert.equal(run.counts.received, truth);
      assert.equal(run.counts.applied, truth);
      assert.ok(run.progress.pages >= 2);
      assert.ok(run.checkpoint);
      const recordEvents = events.filter((e) => e.type === 'records' && e.data.connectionId === conn.id && e.data.type === 'product');
      assert.equal(recordEvents.length, run.progress.pages, 'one store per page');
      const checkpoints = events.filter((e) => e.type === 'run' && e.data.run.id === runId).map((e) => e.data.run.checkpoint).filter(Boolean);
      assert.ok(new Set(checkpoints).size >= run.progress.pages, 'a new checkpoint after every page');
      assert.equal((await api.get(`/api/records?type=product&connectionId=${conn.id}`)).body.total, truth);
      const view = (await api.get(`/api/connections/${conn.id}`)).body.connection.entities.products;
      assert.equal(view.lastRun.id, runId);
      assert.equal(view.lastSyncedAt, run.endedAt);
      assert.equal(view.hasCheckpoint, true);
      assert.equal((await api.post(`/api/connections/${conn.id}/sync`, { entity: 'tickets' })).status, 400);
      assert.equal((await api.post(`/api/connections/${conn.id}/sync`, { entity: 'orders', mode: 'sometimes' })).status, 400);
    });

    test('cancel keeps the checkpoint; the next run resumes without duplicates or gaps', async () => {
      sim.setFaults({ rateSlow: 1, slowMs: 400 }); // every request slow: the cancel lands while page 2 is in flight
      let first;
      try {
        const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'orders' });
        first = s.body.run.id;
        await eventually(async () => (await api.get(`/api/runs/${first}`)).body.run.counts.received > 0, { message: 'first page stored' });
        const c = await api.post(`/api/runs/${first}/cancel`);
        assert.equal(c.status, 200);
        assert.equal(c.body.run.status, 'cancelled');
        assert.ok(c.body.run.checkpoint);
        assert.equal(c.body.run.error, null);
      } finally {
        sim.setFaults({ rateSlow: 0 });
      }
      const cancelled = (await api.get(`/api/runs/${first}`)).body.run;
      const truth = sim.truth('orders').length;
      assert.ok(cancelled.counts.received < truth, `cancelled midway (${cancelled.counts.received} of ${truth})`);
      const s2 = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'orders' });
      const second = await waitRun(api, s2.body.run.id);
      assert.equal(second.status, 'succeeded');
      assert.ok(second.counts.received < truth, 'resumed, not restarted');
      assert.ok(cancelled.counts.received + second.counts.received >= truth);
      assert.equal((await api.get(`/api/records?type=order&connectionId=${conn.id}`)).body.total, truth, 'every order exactly once');
      const history = (await api.get(`/api/runs?connectionId=${conn.id}&entity=orders`)).body.runs;
      assert.deepEqual(history.map((r) => r.status), ['succeeded', 'cancelled']);
      assert.equal((await api.get('/api/runs?status=cancelled')).body.runs.length, 1);
      const page = await api.get('/api/runs?limit=1');
      assert.equal(page.body.runs.length, 1);
      assert.ok(page.body.nextCursor);
      assert.equal((await api.get(`/api/runs?limit=1&cursor=${page.body.nextCursor}`)).body.runs[0].id !== page.body.runs[0].id, true);
    });

    test('the scheduler runs incremental syncs of the entities already synced', async () => {
      const changed = sim.truth('products')[5];
      sim.touch('products', changed.id);
      const started = await t.server.services.syncs.tick();
      assert.deepEqual(started.map((r) => r.entity).sort(), ['orders', 'products']);
      assert.ok(started.every((r) => r.origin === 'scheduler'));
      assert.ok(!started.some((r) => r.entity === 'customers'), 'never synced: not scheduled');
      const runs = await Promise.all(started.map((r) => waitRun(api, r.id)));
      const products = runs.find((r) => r.entity === 'products');
      assert.equal(products.status, 'succeeded');
      assert.equal(products.progress.mode, 'incremental');
      const all = sim.truth('products').length;
      assert.ok(products.counts.received >= 1 && products.counts.received < all / 2, `incremental: ${products.counts.received} of ${all}`);
      assert.ok(products.counts.applied >= 1, 'the touched product was stored again');
    });

    test('runs cut off by a crash are marked interrupted on restart and resumed by the scheduler', async () => {
      const other = await startServer(backend, { syncIntervalMs: 150 });
      const a = other.api();
      const c = (await a.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(other.server) })).body.connection;
      const done = await waitRun(a, (await a.post(`/api/connections/${c.id}/sync`, { entity: 'customers' })).body.run.id);
      assert.equal(done.status, 'succeeded');
      // A run row left 'running' by a process that died.
      const ghost = await other.server.repo.runs.insert({ storeId: other.server.demo.store.id, connectionId: c.id, platform: 'kiotviet', entity: 'customers', origin: 'server', mode: 'auto' });
      await other.close({ keepData: true });
      const again = await startServer(backend, { reuse: { db: other.db, vaultKey: other.vaultKey }, syncIntervalMs: 150 });
      try {
        const b = again.api();
        assert.equal((await b.get(`/api/runs/${ghost.id}`)).body.run.status, 'interrupted');
        const scheduled = await eventually(async () => (await b.get(`/api/runs?connectionId=${c.id}`)).body.runs.find((r) => r.origin === 'scheduler' && r.status === 'succeeded'), { message: 'a scheduled run' });
        assert.equal(scheduled.entity, 'customers');
        assert.equal(scheduled.progress.mode, 'incremental');
      } finally {
        await again.close();
      }
    });
  });
}
