#!/usr/bin/env node
// `npm start` runs this: the StoreLink server on http://localhost:8080 (PORT).
//
//   node web/server/main.js                    # serve (sandbox mode unless configured for production)
//   node web/server/main.js create-store NAME  # production: create a store, print its API token once
//
// Environment:
//   STORELINK_MODE         sandbox (default) | production (also when NODE_ENV=production)
//   PORT, HOST             listen address (default 8080, 0.0.0.0 in production, 127.0.0.1 in sandbox)
//   DATABASE_URL           postgres://… ; without it SQLite in STORELINK_DATA_DIR/storelink.db
//   STORELINK_DATA_DIR     default .storelink/server
//   STORELINK_VAULT_KEY    32 bytes, base64 or hex; or STORELINK_VAULT_KEY_FILE. Sandbox mode
//                          generates <data dir>/vault.key on first start; production requires one.
//   STORELINK_PUBLIC_URL   public base URL the platforms deliver webhooks to (https://sync.example.vn)
//   STORELINK_DEV_TOKEN    the demo store's token in sandbox mode (else kept in <data dir>/dev-token)
//   STORELINK_SYNC_INTERVAL_MINUTES  incremental syncs of every active connection (default 15; 0 = off)
//   STORELINK_HARAVAN_VERIFY_TOKEN   Haravan's webhook verify token (hub.challenge handshake)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createServer } from './app.js';
import { loadVaultKey } from './vault.js';
import { openDatabase } from './db.js';
import { createRepo } from './repo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readConfig(env = process.env) {
  const mode = env.STORELINK_MODE ?? (env.NODE_ENV === 'production' ? 'production' : 'sandbox');
  if (!['sandbox', 'production'].includes(mode)) throw new Error(`STORELINK_MODE must be sandbox or production, not ${mode}`);
  const dataDir = resolve(ROOT, env.STORELINK_DATA_DIR ?? '.storelink/server');
  const minutes = env.STORELINK_SYNC_INTERVAL_MINUTES != null ? Number(env.STORELINK_SYNC_INTERVAL_MINUTES) : 15;
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error('STORELINK_SYNC_INTERVAL_MINUTES must be a number ≥ 0');
  return {
    mode,
    dataDir,
    port: env.PORT != null ? Number(env.PORT) : 8080,
    host: env.HOST ?? (mode === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: env.DATABASE_URL || null,
    dbFile: join(dataDir, 'storelink.db'),
    vaultKeyText: env.STORELINK_VAULT_KEY || null,
    vaultKeyFile: env.STORELINK_VAULT_KEY_FILE || join(dataDir, 'vault.key'),
    publicUrl: env.STORELINK_PUBLIC_URL ? env.STORELINK_PUBLIC_URL.replace(/\/$/, '') : null,
    devToken: env.STORELINK_DEV_TOKEN || null,
    syncIntervalMs: Math.round(minutes * 60_000),
    haravanVerifyToken: env.STORELINK_HARAVAN_VERIFY_TOKEN || null,
    // Sandbox: the simulators' rate limits N times faster (web/sandbox/index.js rateSpeedup).
    sandboxRateSpeedup: env.STORELINK_SANDBOX_SPEEDUP ? Number(env.STORELINK_SANDBOX_SPEEDUP) : null,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** The demo token persists across restarts in development (the dashboard keeps working). */
function devToken(cfg) {
  if (cfg.devToken) return cfg.devToken;
  const file = join(cfg.dataDir, 'dev-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(18).toString('base64url');
  mkdirSync(cfg.dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function serve(cfg) {
  const { key } = loadVaultKey({ key: cfg.vaultKeyText, keyFile: cfg.vaultKeyFile, generate: cfg.mode === 'sandbox' });
  const server = await createServer({
    mode: cfg.mode,
    databaseUrl: cfg.databaseUrl,
    dbFile: cfg.dbFile,
    vaultKey: key,
    devToken: cfg.mode === 'sandbox' ? devToken(cfg) : undefined,
    sandboxRateSpeedup: cfg.sandboxRateSpeedup ?? undefined,
    publicUrl: cfg.publicUrl ?? undefined,
    syncIntervalMs: cfg.syncIntervalMs,
    haravanVerifyToken: cfg.haravanVerifyToken ?? undefined,
    logger: { level: cfg.logLevel },
  });
  const url = await server.listen({ port: cfg.port, host: cfg.host });
  const shown = cfg.host === '0.0.0.0' || cfg.host === '127.0.0.1' ? url.replace(/\/\/[^:/]+/, '//localhost') : url;
  const lines = [
    '',
    `StoreLink đang chạy / is running: ${shown}`,
    `  mode: ${cfg.mode}   database: ${server.db.dialect}${cfg.databaseUrl ? '' : ` (${cfg.dbFile})`}`,
  ];
  if (server.demo) {
    lines.push(`  sandbox simulators: ${Object.entries(server.sandboxes).map(([p, e]) => `${p} ${e.url}`).join(', ') || 'none'}`);
    lines.push(`  demo store token: ${server.demo.token}`);
    lines.push(`  dashboard: ${shown}/#token=${server.demo.token}`);
    lines.push(`  try: curl -H "Authorization: Bearer ${server.demo.token}" ${shown}/api/sandbox/credentials`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function createStoreCommand(cfg, name) {
  if (!name) throw new Error('usage: node web/server/main.js create-store "Shop name"');
  const db = await openDatabase({ url: cfg.databaseUrl, file: cfg.dbFile });
  const token = randomBytes(24).toString('base64url');
  const store = await createRepo(db).stores.create({ name, token });
  await db.close();
  process.stdout.write(`store ${store.id} "${name}"\ntoken (shown once): ${token}\n`);
}

if (process.argv[1] && import.meta.url === `file://${resolve(process.argv[1])}`) {
  const cfg = readConfig();
  const [command, ...rest] = process.argv.slice(2);
  const run = command === 'create-store' ? createStoreCommand(cfg, rest.join(' ')) : serve(cfg);
  run.catch((e) => {
    process.stderr.write(`storelink server: ${e.message}\n`);
    process.exit(1);
  });
}
