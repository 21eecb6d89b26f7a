// One small async interface over SQLite (better-sqlite3, default: one file, WAL) and PostgreSQL
// (pg, when DATABASE_URL is set), so the repositories write their SQL once:
//   db.all(sql, params) → rows        db.get(sql, params) → row | undefined
//   db.run(sql, params) → { changes } db.tx(async (t) => …) → same interface inside a transaction
// SQL uses `?` placeholders (rewritten to $n for PostgreSQL) and only what both dialects share
// (ON CONFLICT … DO UPDATE … WHERE, RETURNING, integers for booleans, text for JSON).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const DDL = `
CREATE TABLE IF NOT EXISTS stores (
  seq {{SEQ}}, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
  seq {{SEQ}}, id TEXT NOT NULL UNIQUE, store_id TEXT NOT NULL, platform TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, status_error TEXT, settings TEXT NOT NULL, account TEXT NOT NULL, secrets_enc TEXT,
  secrets_set TEXT NOT NULL, store_key TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_webhook_at TEXT
);
CREATE INDEX IF NOT EXISTS connections_store ON connections (store_id, seq);
CREATE INDEX IF NOT EXISTS connections_key ON connections (platform, store_key);
CREATE TABLE IF NOT EXISTS checkpoints (
  connection_id TEXT NOT NULL, entity TEXT NOT NULL, checkpoint TEXT NOT NULL, run_id TEXT, updated_at TEXT NOT NULL,
  PRIMARY KEY (connection_id, entity)
);
CREATE TABLE IF NOT EXISTS runs (
  seq {{SEQ}}, id TEXT NOT NULL UNIQUE, store_id TEXT NOT NULL, connection_id TEXT NOT NULL, platform TEXT NOT NULL,
  entity TEXT NOT NULL, origin TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,
  ended_at TEXT, progress TEXT, counts TEXT NOT NULL, error TEXT, checkpoint TEXT
);
CREATE INDEX IF NOT EXISTS runs_store ON runs (store_id, seq);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE TABLE IF NOT EXISTS events (
  seq {{SEQ}}, id TEXT NOT NULL UNIQUE, store_id TEXT, connection_id TEXT, platform TEXT NOT NULL, dedupe_key TEXT,
  event_id TEXT, topic TEXT, entity TEXT, deletion INTEGER NOT NULL, signature_checked INTEGER NOT NULL,
  status TEXT NOT NULL, error TEXT, headers TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL,
  processed_at TEXT, applied INTEGER NOT NULL DEFAULT 0,
  UNIQUE (connection_id, dedupe_key)
);
CREATE INDEX IF NOT EXISTS events_store ON events (store_id, seq);
CREATE INDEX IF NOT EXISTS events_status ON events (status);
CREATE TABLE IF NOT EXISTS records (
  seq {{SEQ}}, store_id TEXT NOT NULL, platform TEXT NOT NULL, type TEXT NOT NULL, external_id TEXT NOT NULL,
  connection_id TEXT, updated_ms {{BIGINT}}, deleted INTEGER NOT NULL, status TEXT, search_key TEXT NOT NULL,
  data TEXT NOT NULL, stored_at TEXT NOT NULL,
  UNIQUE (store_id, platform, type, external_id)
);
CREATE INDEX IF NOT EXISTS records_store ON records (store_id, seq);
CREATE INDEX IF NOT EXISTS records_type ON records (store_id, type, seq);
CREATE INDEX IF NOT EXISTS records_conn ON records (connection_id, type);
CREATE TABLE IF NOT EXISTS sweep_seen (
  connection_id TEXT NOT NULL, entity TEXT NOT NULL, external_id TEXT NOT NULL,
  PRIMARY KEY (connection_id, entity, external_id)
);
`;

function ddl(dialect) {
  return DDL.replaceAll('{{SEQ}}', dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT')
    .replaceAll('{{BIGINT}}', dialect === 'postgres' ? 'BIGINT' : 'INTEGER');
}

/** `?` → `$1, $2…` (our SQL never has a literal question mark). */
export function toPgParams(sql) {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// --- SQLite -------------------------------------------------------------------------------

async function openSqlite(file) {
  const { default: Database } = await import('better-sqlite3');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL'); // durable across a process crash (WAL); fsync at checkpoints
  raw.pragma('busy_timeout = 5000');
  raw.exec(ddl('sqlite'));

  const cache = new Map();
  const stmt = (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = raw.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const norm = (params = []) => params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v));
  const ops = {
    all: (sql, params) => {
      const s = stmt(sql);
      return s.reader ? s.all(...norm(params)) : (s.run(...norm(params)), []);
    },
    get: (sql, params) => stmt(sql).get(...norm(params)),
    run: (sql, params) => {
      const s = stmt(sql);
      if (s.reader) return { changes: s.all(...norm(params)).length };
      return { changes: s.run(...norm(params)).changes };
    },
  };

  // One connection: a transaction holds a lock so that queries of other requests (which may
  // run between the awaits of the transaction's body) wait instead of joining it.
  let lock = Promise.resolve();
  const withLock = (fn) => {
    const p = lock.then(fn);
    lock = p.catch(() => {});
    return p;
  };
  const api = (locked) => ({
    dialect: 'sqlite',
    all: async (sql, params) => (locked ? withLock(() => ops.all(sql, params)) : ops.all(sql, params)),
    get: async (sql, params) => (locked ? withLock(() => ops.get(sql, params)) : ops.get(sql, params)),
    run: async (sql, params) => (locked ? withLock(() => ops.run(sql, params)) : ops.run(sql, params)),
  });
  const db = api(true);
  const inner = api(false);
  db.tx = (fn) =>
    withLock(async () => {
      raw.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(inner);
        raw.exec('COMMIT');
        return out;
      } catch (e) {
        if (raw.inTransaction) raw.exec('ROLLBACK');
        throw e;
      }
    });
  db.close = async () => {
    await lock;
    raw.close();
  };
  return db;
}

// --- PostgreSQL ---------------------------------------------------------------------------

async function openPostgres(url) {
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser(oid, format) {
      if (oid === 20) return (v) => (v === null ? null : Number(v)); // int8: ms timestamps, sequence ids
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: 8, types });
  pool.on('error', () => {}); // an idle client dropped by the server: the pool replaces it
  const norm = (params = []) => params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v));
  const api = (q) => ({
    dialect: 'postgres',
    all: async (sql, params) => (await q(toPgParams(sql), norm(params))).rows,
    get: async (sql, params) => (await q(toPgParams(sql), norm(params))).rows[0],
    run: async (sql, params) => ({ changes: (await q(toPgParams(sql), norm(params))).rowCount ?? 0 }),
  });
  // Schema creation is serialized across processes (several test files share one cluster).
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(4242)');
    await c.query(ddl('postgres'));
  } finally {
    await c.query('SELECT pg_advisory_unlock(4242)').catch(() => {});
    c.release();
  }
  const db = api((text, values) => pool.query(text, values));
  db.tx = async (fn) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(api((text, values) => client.query(text, values)));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };
  db.close = () => pool.end();
  return db;
}

/** { url } (postgres://…) or { file } (SQLite path, ':memory:' for tests). */
export async function openDatabase({ url, file }) {
  if (url) return openPostgres(url);
  return openSqlite(file ?? ':memory:');
}
