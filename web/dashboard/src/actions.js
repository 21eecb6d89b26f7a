// What the page does: load state from the server, connect, save settings, run syncs in the
// worker, disconnect, follow live updates. Components call these and read the store.
import { api, openStream } from './api.js';
import { state, update, setSync, toast } from './store.js';
import { errorMessage } from 'storelink/i18n';
import { t, getLang, setLang } from './i18n.js';

let worker = null;
let platformsByLang = {}; // language → platforms() in it (with the server's sandbox flag)
const controllers = new Map(); // sync key → AbortController

export function syncKey(connectionId, entity) {
  return `${connectionId}:${entity}`;
}

export async function boot(workerClient) {
  worker = workerClient;
  const [mod, health, serverPlatforms] = await Promise.all([
    worker.call('platforms'),
    api.health().catch(() => null),
    api.platforms().catch(() => ({ platforms: [] })),
  ]);
  // The page is driven by the module's platforms(); the server adds whether a simulator answers.
  const sandboxFor = new Map((serverPlatforms?.platforms ?? []).map((p) => [p.id, Boolean(p.sandbox)]));
  platformsByLang = Object.fromEntries(Object.entries(mod.platforms).map(([lang, list]) => [lang, list.map((p) => ({ ...p, sandbox: sandboxFor.get(p.id) ?? false }))]));
  update({
    moduleVersion: mod.version,
    platforms: platformsByLang[getLang()] ?? platformsByLang.vi,
    sandbox: health?.mode === 'sandbox',
    serverVersion: health?.version ?? null,
  });
  await refreshConnections();
  startLive();
}

export async function refreshConnections() {
  const { connections } = await api.connections();
  const current = new Map(state.connections.map((c) => [c.id, c]));
  const merged = connections.map((c) => {
    const mine = current.get(c.id);
    return mine?.updatedAt && c.updatedAt && c.updatedAt < mine.updatedAt ? mine : c;
  });
  update({ connections: merged });
  return merged;
}

export function connectionFor(platformId) {
  // The newest connection of the platform (a disconnected one stays visible with its data).
  const list = state.connections.filter((c) => c.platform === platformId);
  return list.find((c) => c.status !== 'disconnected') ?? list[0] ?? null;
}

function replaceConnection(connection) {
  // Live events and responses can cross: never let an older copy replace a newer one.
  const current = state.connections.find((c) => c.id === connection.id);
  if (current?.updatedAt && connection.updatedAt && connection.updatedAt < current.updatedAt) return;
  const others = state.connections.filter((c) => c.id !== connection.id);
  update({ connections: [connection, ...others] });
}

/** The channel's state on the list: not_connected / connected / waiting_webhook / needs_attention / disconnected / pending. */
export function channelState(platform, connection) {
  if (!connection) return platform.status === 'coming_soon' ? 'coming_soon' : 'not_connected';
  if (connection.status === 'active') return 'connected';
  return connection.status;
}

export async function checkCredentials(platformId, credentials) {
  return worker.call('checkCredentials', { platform: platformId, credentials });
}

/** Connect (or reconnect an existing connection) after the client-side checks passed. */
export async function connect(platformId, credentials, settings, existing, beforeUpdate) {
  const result = existing
    ? await api.updateConnection(existing.id, { credentials, ...(settings ? { settings } : {}) })
    : await api.connect(platformId, credentials, settings);
  beforeUpdate?.(result); // e.g. keep the branches read by the verification, in the same render
  replaceConnection(result.connection);
  return result;
}

/**
 * The branches of a connection, for the branch drop-down after a reload: the stored location
 * records when they were synced, else the server reads them again (POST verify).
 */
export async function loadLocations(connectionId) {
  const { records } = await api.records({ type: 'location', connectionId, limit: 200 });
  if (records.length) return records;
  const result = await api.verify(connectionId);
  return result.locations ?? [];
}

export async function saveSettings(connectionId, settings) {
  const result = await api.updateConnection(connectionId, { settings });
  replaceConnection(result.connection);
  return result;
}

export async function disconnect(connection) {
  for (const [key, c] of controllers) if (key.startsWith(`${connection.id}:`)) c.abort('disconnect');
  const { connection: after } = await api.disconnect(connection.id);
  replaceConnection(after);
  return after;
}

/** A new webhook secret (Pancake POS): the old one is refused from now on. */
export async function rotateWebhookSecret(connection) {
  const { connection: after } = await api.rotateWebhookSecret(connection.id);
  replaceConnection(after);
  return after;
}

export async function loadRuns(connectionId) {
  const { runs } = await api.runs({ connectionId, limit: 20 });
  update({ runs: { ...state.runs, [connectionId]: runs } });
  return runs;
}

export async function loadCounts() {
  const { counts } = await api.counts();
  update({ counts });
  return counts;
}

export function keptCount(connectionId) {
  return (state.counts ?? []).filter((c) => c.connectionId === connectionId).reduce((s, c) => s + c.live, 0);
}

/**
 * Runs one entity's sync in the worker (the product's path): register the run with the server
 * (which hands back the checkpoint to resume from and the settings), run the wasm job over the
 * proxy, records + checkpoint POSTed after every page, progress PATCHed to the run.
 */
export async function startSync(connection, entity) {
  const key = syncKey(connection.id, entity);
  if (controllers.has(key)) return;
  const controller = new AbortController();
  controllers.set(key, controller);
  setSync(key, { status: 'starting', progress: null, wait: null, error: null, startedAt: Date.now(), saved: 0 });
  let run = null;
  let lastPatch = 0;
  try {
    // A browser run left "running" by a reloaded or closed page holds the entity: end it (its
    // checkpoint was stored page by page) so the new run resumes from that checkpoint.
    const stale = connection.entities?.[entity]?.lastRun;
    if (stale?.status === 'running' && stale.origin === 'browser') await api.updateRun(stale.id, { status: 'cancelled' }).catch(() => {});
    const created = await api.createRun(connection.id, entity);
    run = created.run;
    setSync(key, { status: 'running', runId: run.id, resumed: Boolean(created.checkpoint) });
    const result = await worker.call(
      'sync',
      { connectionId: connection.id, platform: connection.platform, entity, settings: created.settings ?? connection.settings ?? {}, checkpoint: created.checkpoint, runId: run.id },
      {
        signal: controller.signal,
        onEvent: (ev) => {
          if (ev.kind === 'progress') {
            setSync(key, { progress: ev.progress, wait: ev.progress.phase === 'waiting' ? state.syncs[key]?.wait : null });
            const now = Date.now();
            if (now - lastPatch > 1500) {
              lastPatch = now;
              api.updateRun(run.id, { status: 'running', progress: ev.progress }).catch(() => {});
            }
          } else if (ev.kind === 'wait') {
            setSync(key, { wait: { ms: ev.waitMs, reason: ev.reason, until: Date.now() + ev.waitMs } });
          } else if (ev.kind === 'saved') {
            setSync(key, { saved: ev.saved });
          }
        },
      },
    );
    await api.updateRun(run.id, { status: 'succeeded', progress: result.progress, checkpoint: result.checkpoint }).catch(() => {});
    setSync(key, { status: 'done', progress: result.progress, wait: null, finishedAt: Date.now(), saved: result.saved });
  } catch (e) {
    const cancelled = e?.code === 'cancelled';
    const error = cancelled ? null : { code: e.code, message: e.message, detail: e.detail ?? null, field: e.field ?? null };
    if (run) {
      const patch = { status: cancelled ? 'cancelled' : 'failed', ...(e.progress ? { progress: e.progress } : {}), ...(error ? { error } : {}) };
      if (e.checkpoint) patch.checkpoint = e.checkpoint;
      await api.updateRun(run.id, patch).catch(() => {});
    }
    setSync(key, { status: cancelled ? 'cancelled' : 'failed', error, wait: null, finishedAt: Date.now(), ...(e.progress ? { progress: e.progress } : {}) });
  } finally {
    controllers.delete(key);
    await Promise.all([refreshConnections().catch(() => {}), loadRuns(connection.id).catch(() => {}), loadCounts().catch(() => {})]);
  }
}

export function cancelSync(connectionId, entity) {
  controllers.get(syncKey(connectionId, entity))?.abort('user');
}

export function isSyncing(connectionId, entity) {
  return controllers.has(syncKey(connectionId, entity));
}

export async function fillSandbox(platformId) {
  const { platforms } = await api.sandboxCredentials();
  return platforms.find((p) => p.platform === platformId) ?? null;
}

let stopStream = null;
function startLive() {
  stopStream?.();
  stopStream = openStream(
    {
      ready: () => update({ live: 'open' }),
      records: () => update({ recordsVersion: state.recordsVersion + 1 }),
      connection: ({ connection }) => connection && replaceConnection(connection),
      webhook: ({ event }) => {
        // Only a delivery that was accepted proves the webhook setup works.
        if (!event?.connectionId || event.status === 'rejected' || event.status === 'failed') return;
        update({ webhookSeen: { ...state.webhookSeen, [event.connectionId]: event.receivedAt ?? new Date().toISOString() } });
      },
      run: ({ run }) => {
        if (!run) return;
        const list = state.runs[run.connectionId];
        if (list) {
          const others = list.filter((r) => r.id !== run.id);
          update({ runs: { ...state.runs, [run.connectionId]: [run, ...others].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)) } });
        }
      },
    },
    (live) => update({ live }),
  );
}

/** Switches the page's language: interface strings and the module's platform texts, no reload. */
export function setLanguage(lang) {
  setLang(lang);
  update({ lang: getLang(), platforms: platformsByLang[getLang()] ?? platformsByLang.vi ?? state.platforms });
}

/**
 * An error (module SyncError, server ApiError, worker error) for the shop owner, in the page's
 * language: Vietnamese shows the error's own message; English is built from its code and field
 * by the package (`platform`, when the error is about one, names it and its fields).
 */
export function errorText(e, platform = null) {
  if (!e) return '';
  if (e.code === 'network') return t('error.network');
  if (getLang() === 'en') return errorMessage(e, 'en', { platform: platform ?? undefined });
  return e.message || t('error.generic', { message: e.code });
}
