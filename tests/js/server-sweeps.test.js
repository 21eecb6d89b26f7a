// Deletions on platforms whose lists just stop returning a deleted row (Sapo here; Haravan,
// Odoo … alike: PlatformInfo.deletions 'sweep'). A completed full sync — server-run or run by
// the page and uploaded — tombstones what it did not see; an incremental one never does; an
// implausible sweep (a platform answering empty lists) is refused. SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createProxyTransport, runSync } from 'storelink';
import { BACKENDS, startServer, waitRun, sl } from './helpers/server.js';

const SAPO = { sandboxes: ['sapo'], sandboxOptions: { sapo: { counts: { products: 30, customers: 12, orders: 10 } } } };

for (const backend of BACKENDS) {
  describe(`sweeps (${backend})`, () => {
    let t;
    let api;
    let conn;
    let sim;
    before(async () => {
      t = await startServer(backend, SAPO);
      api = t.api();
      sim = t.server.sandboxes.sapo.sim;
      const r = await api.post('/api/connections', { platform: 'sapo', credentials: { ...t.server.sandboxes.sapo.secrets } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      conn = r.body.connection;
    });
    after(() => t?.close());

    const sync = async (mode) => {
      const r = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products', mode });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const run = await waitRun(api, r.body.run.id);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      return run;
    };
    const live = async () => (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=200`)).body.records.map((r) => r.externalId).sort();
    const tombstoned = async (id) => (await api.get(`/api/records?type=product&deleted=true&q=${id}`)).body.records.some((r) => r.externalId === id);

    test('a full server sync removes what the platform no longer lists; an incremental one cannot know', async () => {
      await sync('full');
      const before = await live();
      assert.equal(before.length, sim.truth('products').length);
      const gone = before[3];
      assert.equal(sim.remove('products', gone).removed, true);
      const inc = await sync('incremental');
      assert.equal(inc.counts.swept, undefined, 'incremental runs do not sweep');
      assert.ok((await live()).includes(gone), 'still there: nothing said it was deleted');
      const full = await sync('full');
      assert.equal(full.counts.swept, 1);
      assert.deepEqual(await live(), before.filter((id) => id !== gone));
      assert.ok(await tombstoned(gone), 'kept as a tombstone, data not erased');
    });

    test('a full sync run by the page (uploaded records) sweeps the same way', async () => {
      const gone = (await live())[0];
      sim.remove('products', gone);
      const created = await api.post('/api/runs', { connectionId: conn.id, entity: 'products', mode: 'full' });
      assert.equal(created.status, 201);
      const runId = created.body.run.id;
      const job = sl.createSync({ platform: 'sapo', entity: 'products', checkpoint: created.body.checkpoint ?? undefined });
      try {
        const transport = createProxyTransport({ baseUrl: t.url, connectionId: conn.id, headers: { authorization: 'Bearer demo-token' } });
        const result = await runSync(job, transport, {
          onRecords: async (records, checkpoint) => {
            const r = await api.post('/api/records', { connectionId: conn.id, entity: 'products', records, checkpoint, runId });
            assert.equal(r.status, 200, JSON.stringify(r.body));
          },
        });
        const done = await api.patch(`/api/runs/${runId}`, { status: 'succeeded', progress: result.progress, checkpoint: result.checkpoint });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        assert.equal(done.body.run.counts.swept, 1);
      } finally {
        job.dispose();
      }
      assert.ok(!(await live()).includes(gone));
    });

    test('the scheduler runs incremental syncs, and a full one once the last sweep is a day old', async () => {
      const [run] = await t.server.services.syncs.tick();
      assert.equal(run.mode, 'auto', 'the last full sync was minutes ago');
      await waitRun(api, run.id);
      // Another server over the same data whose sweep interval has passed.
      const other = await startServer(backend, { ...SAPO, reuse: { db: t.db, vaultKey: t.vaultKey }, sweepIntervalMs: 1 });
      try {
        const [sweep] = await other.server.services.syncs.tick();
        assert.equal(sweep.mode, 'full');
        assert.equal((await waitRun(other.api(), sweep.id)).status, 'succeeded');
      } finally {
        await other.close({ keepData: true });
      }
    });

    test('a sweep that would remove most of the shop is refused and reported', async () => {
      const ids = await live();
      const keep = new Set(ids.slice(0, 2));
      for (const id of ids) if (!keep.has(id)) sim.remove('products', id);
      const full = await sync('full');
      assert.equal(full.counts.swept, 0);
      assert.deepEqual(full.progress.sweepRefused, { reason: 'too_many', wouldRemove: ids.length - 2, live: ids.length });
      assert.deepEqual(await live(), ids, 'nothing removed');
    });
  });
}
