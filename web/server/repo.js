// Data access: every query that reads tenant data takes the store id, so store A never sees
// store B's rows. Rows are mapped to the API's shapes here (openapi.json).
import { createHash, randomBytes } from 'node:crypto';
import { likePatterns, searchKey } from './search.js';

export const newId = (prefix) => `${prefix}_${randomBytes(9).toString('base64url')}`;
export const nowIso = () => new Date().toISOString();
export const hashToken = (token) => createHash('sha256').update(String(token)).digest('hex');
const json = (v) => (v == null ? null : JSON.stringify(v));
const parse = (t, fallback = null) => (t == null ? fallback : JSON.parse(t));

export const TYPE_OF_ENTITY = { products: 'product', orders: 'order', customers: 'customer', locations: 'location' };
export const ENTITY_OF_TYPE = Object.fromEntries(Object.entries(TYPE_OF_ENTITY).map(([e, t]) => [t, e]));

/** Opaque cursor for "rows with seq below this". */
const encodeCursor = (seq) => Buffer.from(`s:${seq}`).toString('base64url');
export function decodeCursor(c) {
  if (c == null || c === '') return null;
  const m = /^s:(\d+)$/.exec(Buffer.from(String(c), 'base64url').toString('utf8'));
  if (!m) throw Object.assign(new Error('bad cursor'), { code: 'invalid_input', field: 'cursor' });
  return Number(m[1]);
}

function timeMs(iso) {
  if (typeof iso !== 'string') return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

export function createRepo(db) {
  // --- stores ---------------------------------------------------------------------------
  const stores = {
    async create({ name, token, id = newId('st') }) {
      await db.run('INSERT INTO stores (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)', [id, name, hashToken(token), nowIso()]);
      return { id, name };
    },
    async byToken(token) {
      const r = await db.get('SELECT id, name FROM stores WHERE token_hash = ?', [hashToken(token)]);
      return r ?? null;
    },
    async byId(id) {
      return (await db.get('SELECT id, name FROM stores WHERE id = ?', [id])) ?? null;
    },
    /** The demo store of dev/sandbox mode: created once, its token (re)set to `token`. */
    async ensureDemo({ id = 'st_demo', name, token }) {
      const existing = await stores.byId(id);
      if (!existing) return stores.create({ id, name, token });
      await db.run('UPDATE stores SET token_hash = ? WHERE id = ?', [hashToken(token), id]);
      return existing;
    },
  };

  // --- connections ----------------------------------------------------------------------
  const connRow = (r) =>
    r && {
      id: r.id,
      storeId: r.store_id,
      platform: r.platform,
      name: r.name,
      status: r.status,
      statusError: parse(r.status_error),
      settings: parse(r.settings, {}),
      account: parse(r.account, {}),
      secretsEnc: r.secrets_enc,
      secretsSet: parse(r.secrets_set, []),
      storeKey: r.store_key,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastWebhookAt: r.last_webhook_at,
    };
  const connections = {
    async insert(c) {
      await db.run(
        `INSERT INTO connections (id, store_id, platform, name, status, status_error, settings, account, secrets_enc, secrets_set, store_key, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [c.id, c.storeId, c.platform, c.name, c.status, json(c.statusError), json(c.settings ?? {}), json(c.account ?? {}),
          c.secretsEnc ?? null, json(c.secretsSet ?? []), c.storeKey ?? null, c.createdAt ?? nowIso(), nowIso()],
      );
      return connections.get(c.storeId, c.id);
    },
    async get(storeId, id) {
      return connRow(await db.get('SELECT * FROM connections WHERE store_id = ? AND id = ?', [storeId, id]));
    },
    /** Webhooks arrive without a store: look a connection up by its id only. */
    async getAnyStore(id) {
      return connRow(await db.get('SELECT * FROM connections WHERE id = ?', [id]));
    },
    async list(storeId) {
      return (await db.all('SELECT * FROM connections WHERE store_id = ? ORDER BY seq', [storeId])).map(connRow);
    },
    async byStoreKey(platform, storeKey) {
      return (await db.all('SELECT * FROM connections WHERE platform = ? AND store_key = ? ORDER BY seq', [platform, String(storeKey)])).map(connRow);
    },
    async listByStatus(statuses) {
      return (await db.all(`SELECT * FROM connections WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY seq`, statuses)).map(connRow);
    },
    /** Partial update; keys are the camelCase fields of connRow. */
    async update(storeId, id, patch) {
      const cols = {
        name: 'name', status: 'status', statusError: 'status_error', settings: 'settings', account: 'account',
        secretsEnc: 'secrets_enc', secretsSet: 'secrets_set', storeKey: 'store_key', lastWebhookAt: 'last_webhook_at',
      };
      const sets = [];
      const vals = [];
      for (const [k, v] of Object.entries(patch)) {
        if (!cols[k]) throw new Error(`unknown connection field ${k}`);
        sets.push(`${cols[k]} = ?`);
        vals.push(['statusError', 'settings', 'account', 'secretsSet'].includes(k) ? json(v) : v);
      }
      sets.push('updated_at = ?');
      vals.push(nowIso(), storeId, id);
      await db.run(`UPDATE connections SET ${sets.join(', ')} WHERE store_id = ? AND id = ?`, vals);
      return connections.get(storeId, id);
    },
  };

  // --- checkpoints ----------------------------------------------------------------------
  const checkpoints = {
    async get(connectionId, entity) {
      return (await db.get('SELECT checkpoint FROM checkpoints WHERE connection_id = ? AND entity = ?', [connectionId, entity]))?.checkpoint ?? null;
    },
    async list(connectionId) {
      return db.all('SELECT entity, run_id, updated_at FROM checkpoints WHERE connection_id = ?', [connectionId]);
    },
    async put(connectionId, entity, checkpoint, runId = null) {
      await db.run(
        `INSERT INTO checkpoints (connection_id, entity, checkpoint, run_id, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (connection_id, entity) DO UPDATE SET checkpoint = excluded.checkpoint, run_id = excluded.run_id, updated_at = excluded.updated_at`,
        [connectionId, entity, checkpoint, runId, nowIso()],
      );
    },
    async clear(connectionId, entity) {
      await db.run('DELETE FROM checkpoints WHERE connection_id = ? AND entity = ?', [connectionId, entity]);
    },
  };

  // --- runs -----------------------------------------------------------------------------
  const emptyCounts = () => ({ received: 0, applied: 0, skipped: 0, deleted: 0 });
  const runRow = (r) =>
    r && {
      id: r.id,
      connectionId: r.connection_id,
      platform: r.platform,
      entity: r.entity,
      origin: r.origin,
      mode: r.mode,
      status: r.status,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      progress: parse(r.progress),
      counts: parse(r.counts, emptyCounts()),
      error: parse(r.error),
      checkpoint: r.checkpoint,
      storeId: r.store_id,
    };
  const runs = {
    async insert({ storeId, connectionId, platform, entity, origin, mode }) {
      const id = newId('run');
      await db.run(
        `INSERT INTO runs (id, store_id, connection_id, platform, entity, origin, mode, status, started_at, counts)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
        [id, storeId, connectionId, platform, entity, origin, mode, nowIso(), json(emptyCounts())],
      );
      return runs.get(storeId, id);
    },
    async get(storeId, id) {
      return runRow(await db.get('SELECT * FROM runs WHERE store_id = ? AND id = ?', [storeId, id]));
    },
    async update(storeId, id, patch) {
      const cols = { status: 'status', endedAt: 'ended_at', progress: 'progress', counts: 'counts', error: 'error', checkpoint: 'checkpoint' };
      const sets = [];
      const vals = [];
      for (const [k, v] of Object.entries(patch)) {
        sets.push(`${cols[k]} = ?`);
        vals.push(['progress', 'counts', 'error'].includes(k) ? json(v) : v);
      }
      vals.push(storeId, id);
      await db.run(`UPDATE runs SET ${sets.join(', ')} WHERE store_id = ? AND id = ?`, vals);
      return runs.get(storeId, id);
    },
    async list(storeId, { connectionId, entity, status, limit = 50, cursor } = {}) {
      const where = ['store_id = ?'];
      const vals = [storeId];
      if (connectionId) (where.push('connection_id = ?'), vals.push(connectionId));
      if (entity) (where.push('entity = ?'), vals.push(entity));
      if (status) (where.push('status = ?'), vals.push(status));
      const before = decodeCursor(cursor);
      if (before != null) (where.push('seq < ?'), vals.push(before));
      const rows = await db.all(`SELECT * FROM runs WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`, [...vals, limit + 1]);
      const page = rows.slice(0, limit);
      return { runs: page.map(runRow), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null };
    },
    async latest(connectionId, entity, { status } = {}) {
      const r = await db.get(
        `SELECT * FROM runs WHERE connection_id = ? AND entity = ?${status ? ' AND status = ?' : ''} ORDER BY seq DESC LIMIT 1`,
        status ? [connectionId, entity, status] : [connectionId, entity],
      );
      return runRow(r);
    },
    /** The newest succeeded run that was a full sync (progress.mode), if any recent one was. */
    async lastFull(connectionId, entity) {
      const rows = await db.all("SELECT * FROM runs WHERE connection_id = ? AND entity = ? AND status = 'succeeded' ORDER BY seq DESC LIMIT 200", [connectionId, entity]);
      return runRow(rows.find((r) => parse(r.progress, {})?.mode === 'full'));
    },
    async running(connectionId, entity) {
      return runRow(await db.get("SELECT * FROM runs WHERE connection_id = ? AND entity = ? AND status = 'running' ORDER BY seq DESC LIMIT 1", [connectionId, entity]));
    },
    /** After a restart: server runs left 'running' were cut off. */
    async markInterrupted() {
      return (await db.run(
        "UPDATE runs SET status = 'interrupted', ended_at = ? WHERE status = 'running' AND origin IN ('server', 'scheduler')",
        [nowIso()],
      )).changes;
    },
  };

  // --- webhook events -------------------------------------------------------------------
  const eventRow = (r, withBody = false) => {
    if (!r) return r;
    const out = {
      id: r.id,
      connectionId: r.connection_id,
      platform: r.platform,
      eventId: r.event_id,
      topic: r.topic,
      entity: r.entity,
      deletion: !!r.deletion,
      status: r.status,
      error: parse(r.error),
      signatureChecked: !!r.signature_checked,
      receivedAt: r.received_at,
      processedAt: r.processed_at,
      applied: Number(r.applied ?? 0),
    };
    if (withBody) out.body = r.body;
    return out;
  };
  const events = {
    /** Durable insert; null when (connection, dedupeKey) was already stored (a redelivery). */
    async insert(e) {
      const id = newId('ev');
      const rows = await db.all(
        `INSERT INTO events (id, store_id, connection_id, platform, dedupe_key, event_id, topic, entity, deletion, signature_checked, status, error, headers, body, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id`,
        [id, e.storeId ?? null, e.connectionId ?? null, e.platform, e.dedupeKey ?? null, e.eventId ?? null, e.topic ?? null,
          e.entity ?? null, e.deletion ? 1 : 0, e.signatureChecked ? 1 : 0, e.status, json(e.error), json(e.headers ?? {}), e.body ?? '', nowIso()],
      );
      return rows.length ? id : null;
    },
    async getRaw(id) {
      return db.get('SELECT * FROM events WHERE id = ?', [id]);
    },
    async get(storeId, id) {
      return eventRow(await db.get('SELECT * FROM events WHERE store_id = ? AND id = ?', [storeId, id]), true);
    },
    row: eventRow,
    async finish(id, { status, error = null, applied = 0 }) {
      await db.run('UPDATE events SET status = ?, error = ?, applied = ?, processed_at = ? WHERE id = ?', [status, json(error), applied, nowIso(), id]);
    },
    async pending() {
      return db.all("SELECT * FROM events WHERE status = 'received' ORDER BY seq");
    },
    async list(storeId, { connectionId, status, limit = 50, cursor } = {}) {
      const where = ['store_id = ?'];
      const vals = [storeId];
      if (connectionId) (where.push('connection_id = ?'), vals.push(connectionId));
      if (status) (where.push('status = ?'), vals.push(status));
      const before = decodeCursor(cursor);
      if (before != null) (where.push('seq < ?'), vals.push(before));
      const rows = await db.all(
        `SELECT seq, id, connection_id, platform, event_id, topic, entity, deletion, status, error, signature_checked, received_at, processed_at, applied
         FROM events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
        [...vals, limit + 1],
      );
      const page = rows.slice(0, limit);
      return { events: page.map((r) => eventRow(r)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null };
    },
  };

  // --- records --------------------------------------------------------------------------
  const recordRow = (r) => {
    const data = parse(r.data, {});
    const out = { ...data, id: String(r.seq), connectionId: r.connection_id, storedAt: r.stored_at };
    if (r.deleted) out.deleted = true;
    return out;
  };

  const upsertSql = (n) => `
    INSERT INTO records (store_id, platform, type, external_id, connection_id, updated_ms, deleted, status, search_key, data, stored_at)
    VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT (store_id, platform, type, external_id) DO UPDATE SET
      connection_id = excluded.connection_id,
      updated_ms = excluded.updated_ms,
      deleted = excluded.deleted,
      status = CASE WHEN excluded.deleted = 1 THEN records.status ELSE excluded.status END,
      search_key = CASE WHEN excluded.deleted = 1 THEN records.search_key ELSE excluded.search_key END,
      data = CASE WHEN excluded.deleted = 1 THEN records.data ELSE excluded.data END,
      stored_at = excluded.stored_at
    WHERE records.updated_ms IS NULL OR excluded.updated_ms IS NULL OR excluded.updated_ms >= records.updated_ms
    RETURNING deleted`;

  const records = {
    /**
     * Idempotent batched upsert. An older updatedAt never overwrites a newer one; a tombstone
     * keeps the last known data and marks it deleted (a tombstone without a time counts as
     * "now", so a stale copy read later cannot resurrect the record).
     */
    async upsert(storeId, connectionId, list) {
      const result = { received: list.length, applied: 0, skipped: 0, deleted: 0 };
      const now = Date.now();
      const storedAt = nowIso();
      // Within one batch the newest version of a key wins, whatever its position.
      const byKey = new Map();
      for (const r of list) {
        const key = `${r.platform}\u0000${r.type}\u0000${r.externalId}`;
        const prev = byKey.get(key);
        const t = timeMs(r.updatedAt) ?? (r.deleted ? now : null);
        if (!prev || prev.t == null || t == null || t >= prev.t) byKey.set(key, { r, t });
      }
      result.skipped += list.length - byKey.size;
      // Keys are unique after the de-duplication above, so one multi-row statement per chunk
      // is safe (PostgreSQL refuses to update the same row twice in one statement).
      const rows = [...byKey.values()].map(({ r, t: ms }) => {
        const deleted = r.deleted === true;
        const data = deleted ? { type: r.type, platform: r.platform, externalId: r.externalId, deleted: true, updatedAt: r.updatedAt ?? null, createdAt: r.createdAt ?? null } : r;
        return [
          storeId, r.platform, r.type, String(r.externalId), connectionId ?? null, ms, deleted ? 1 : 0,
          deleted ? null : (typeof r.status === 'string' ? r.status : null), deleted ? '' : searchKey(r), JSON.stringify(data), storedAt,
        ];
      });
      await db.tx(async (t) => {
        for (let i = 0; i < rows.length; i += 200) {
          const chunk = rows.slice(i, i + 200);
          const done = await t.all(upsertSql(chunk.length), chunk.flat());
          result.applied += done.length;
          result.deleted += done.filter((d) => Number(d.deleted) === 1).length;
          result.skipped += chunk.length - done.length;
        }
      });
      return result;
    },

    filters(storeId, { type, platform, connectionId, status, deleted = 'false', q } = {}) {
      const where = ['store_id = ?'];
      const vals = [storeId];
      if (type) (where.push('type = ?'), vals.push(type));
      if (platform) (where.push('platform = ?'), vals.push(platform));
      if (connectionId) (where.push('connection_id = ?'), vals.push(connectionId));
      if (status) (where.push('status = ?'), vals.push(status));
      if (deleted === 'false' || deleted === false || deleted == null) where.push('deleted = 0');
      else if (deleted === 'true' || deleted === true) where.push('deleted = 1');
      for (const pattern of likePatterns(q)) (where.push("search_key LIKE ? ESCAPE '\\'"), vals.push(pattern));
      return { where: where.join(' AND '), vals };
    },

    async list(storeId, { limit = 50, cursor, ...filters } = {}) {
      const { where, vals } = records.filters(storeId, filters);
      const before = decodeCursor(cursor);
      const pageWhere = before != null ? `${where} AND seq < ?` : where;
      const pageVals = before != null ? [...vals, before] : vals;
      const rows = await db.all(`SELECT * FROM records WHERE ${pageWhere} ORDER BY seq DESC LIMIT ?`, [...pageVals, limit + 1]);
      const total = Number((await db.get(`SELECT COUNT(*) AS n FROM records WHERE ${where}`, vals)).n);
      const page = rows.slice(0, limit);
      return { records: page.map(recordRow), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null, total };
    },

    /** Every matching record, in pages, for exports. */
    async *iterate(storeId, filters = {}) {
      const { where, vals } = records.filters(storeId, filters);
      let before = null;
      for (;;) {
        const rows = await db.all(
          `SELECT * FROM records WHERE ${where}${before != null ? ' AND seq < ?' : ''} ORDER BY seq DESC LIMIT 500`,
          before != null ? [...vals, before] : vals,
        );
        for (const r of rows) yield recordRow(r);
        if (rows.length < 500) return;
        before = rows[rows.length - 1].seq;
      }
    },

    async counts(storeId) {
      const rows = await db.all(
        `SELECT connection_id, platform, type, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END) AS live, SUM(deleted) AS dead
         FROM records WHERE store_id = ? GROUP BY connection_id, platform, type ORDER BY platform, type`,
        [storeId],
      );
      return rows.map((r) => ({ connectionId: r.connection_id, platform: r.platform, type: r.type, live: Number(r.live), deleted: Number(r.dead) }));
    },

    async locations(storeId, connectionId) {
      const rows = await db.all("SELECT * FROM records WHERE store_id = ? AND connection_id = ? AND type = 'location' AND deleted = 0 ORDER BY seq", [storeId, connectionId]);
      return rows.map(recordRow);
    },
  };

  // --- sweeps: the ids a full sync of a 'sweep' entity has seen so far (across resumes) ---
  const sweeps = {
    async begin(connectionId, entity) {
      await db.run('DELETE FROM sweep_seen WHERE connection_id = ? AND entity = ?', [connectionId, entity]);
    },
    async markSeen(connectionId, entity, externalIds) {
      const ids = [...new Set(externalIds)];
      for (let i = 0; i < ids.length; i += 300) {
        const chunk = ids.slice(i, i + 300);
        await db.run(
          `INSERT INTO sweep_seen (connection_id, entity, external_id) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
           ON CONFLICT (connection_id, entity, external_id) DO NOTHING`,
          chunk.flatMap((id) => [connectionId, entity, id]),
        );
      }
    },
    async seen(connectionId, entity) {
      const rows = await db.all('SELECT external_id FROM sweep_seen WHERE connection_id = ? AND entity = ?', [connectionId, entity]);
      return new Set(rows.map((r) => r.external_id));
    },
    /** The live records of a connection and type, with when each was last written. */
    async stored(storeId, connectionId, type) {
      const rows = await db.all('SELECT external_id, stored_at FROM records WHERE store_id = ? AND connection_id = ? AND type = ? AND deleted = 0', [storeId, connectionId, type]);
      return rows.map((r) => ({ externalId: r.external_id, storedAtMs: Date.parse(r.stored_at) }));
    },
  };

  return { db, stores, connections, checkpoints, runs, events, records, sweeps };
}
