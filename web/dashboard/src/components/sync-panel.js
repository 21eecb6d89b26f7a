// "Đồng bộ dữ liệu": one button per entity the platform offers, a progress bar with counts,
// rate-limit waits shown as such, cancel, resume from the server-side checkpoint, run history.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useStore } from '../store.js';
import { startSync, cancelSync, syncKey, loadRuns, errorText } from '../actions.js';
import { formatDateTime, formatDuration, relativeTime, formatNumber } from '../format.js';

function useTick(active, ms = 250) {
  const [, setN] = useState(0);
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => setN((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [active]);
}

function ProgressView({ sync }) {
  const p = sync.progress;
  const waiting = sync.wait && sync.wait.until > Date.now();
  useTick(Boolean(waiting));
  const total = p?.total ?? null;
  const fetched = p?.fetched ?? 0;
  const pct = total ? Math.min(100, Math.round((fetched / Math.max(total, 1)) * 100)) : null;
  const secs = waiting ? Math.max(1, Math.ceil((sync.wait.until - Date.now()) / 1000)) : 0;
  const waitText = waiting ? t(sync.wait.reason === 'backoff' ? 'sync.waitRetry' : 'sync.waitRate', { s: secs }) : null;
  const label = total != null ? t('sync.fetchedOf', { n: formatNumber(fetched), total: formatNumber(total) }) : t('sync.fetched', { n: formatNumber(fetched) });
  return html`<div class="progress-area">
    <div
      class=${`progress${pct == null ? ' indeterminate' : ''}${waiting ? ' waiting' : ''}`}
      role="progressbar"
      aria-label=${t('sync.running')}
      aria-valuemin="0"
      aria-valuemax=${total ?? undefined}
      aria-valuenow=${total != null ? fetched : undefined}
      aria-valuetext=${waitText ? `${label} — ${waitText}` : label}
    >
      <span style=${{ width: `${pct ?? 0}%` }}></span>
    </div>
    <div class="progress-text" aria-live="polite">
      <span data-testid="sync-count">${label}</span>
      ${waitText && html`<span class="wait" data-testid="sync-wait">${waitText}</span>`}
    </div>
  </div>`;
}

function EntityRow({ connection, entity, canSync }) {
  const s = useStore();
  const platform = s.platforms.find((p) => p.id === connection.platform);
  const key = syncKey(connection.id, entity);
  const sync = s.syncs[key];
  const es = connection.entities?.[entity] ?? {};
  const running = sync && (sync.status === 'running' || sync.status === 'starting');
  const lastRun = es.lastRun;
  // Resume after a reload: the server kept the checkpoint of a run that did not finish.
  const resumable = !running && es.hasCheckpoint && lastRun && lastRun.status !== 'succeeded' && !(sync?.status === 'done');
  const label = running ? null : resumable ? t('sync.resume') : es.lastSyncedAt || sync?.status === 'done' ? t('sync.again') : t('sync.start');
  const entityLabel = t(`entity.${entity}`);
  let status = null;
  if (sync?.status === 'done') {
    status = html`<span class="hint-ok" data-testid="sync-done">${t('sync.done', { n: formatNumber(sync.progress?.fetched ?? 0), ms: formatDuration(sync.finishedAt - sync.startedAt) })}</span>`;
  } else if (sync?.status === 'cancelled') {
    status = html`<span class="meta">${t('sync.cancelled')}</span>`;
  } else if (sync?.status === 'failed') {
    status = html`<span class="error" role="alert" style="color: var(--danger)">${t('sync.failed', { message: errorText(sync.error, platform) })}</span>`;
  } else if (resumable && !sync) {
    status = html`<span class="meta">${t('sync.interrupted')}</span>`;
  }
  return html`<li class="sync-item" data-testid=${`sync-${entity}`}>
    <div>
      <div class="title">${entityLabel}</div>
      <div class="meta">
        ${es.lastSyncedAt ? t('sync.last', { time: relativeTime(es.lastSyncedAt) }) : t('channels.never')}
        ${lastRun?.counts?.applied != null && es.lastSyncedAt ? ` · ${t('sync.count', { n: formatNumber(lastRun.progress?.fetched ?? lastRun.counts.received) })}` : ''}
      </div>
    </div>
    <div class="actions row">
      ${running
        ? html`<button type="button" class="btn small danger" onClick=${() => cancelSync(connection.id, entity)} aria-label=${`${t('sync.cancel')} — ${entityLabel}`} data-testid="sync-cancel">${t('sync.cancel')}</button>`
        : html`<button type="button" class="btn small primary" disabled=${!canSync} onClick=${() => startSync(connection, entity)} aria-label=${`${label} — ${entityLabel}`} data-testid="sync-start">${label}</button>`}
    </div>
    ${(running || sync?.status === 'cancelled') && html`<${ProgressView} sync=${sync} />`}
    ${status && html`<div class="progress-area">${status}</div>`}
  </li>`;
}

const RUN_STATUS = { running: 'run.running', succeeded: 'run.succeeded', failed: 'run.failed', cancelled: 'run.cancelled', interrupted: 'run.cancelled' };

export function SyncHistory({ connection }) {
  const s = useStore();
  const platform = s.platforms.find((p) => p.id === connection.platform);
  const runs = s.runs[connection.id];
  useEffect(() => {
    loadRuns(connection.id).catch(() => {});
  }, [connection.id]);
  return html`<section class="card" aria-labelledby="history-title">
    <div class="card-head"><h3 id="history-title">${t('sync.history')}</h3></div>
    ${!runs?.length
      ? html`<div class="card-body muted small">${t('sync.historyEmpty')}</div>`
      : html`<div class="table-wrap"><table data-testid="history" class="stack-on-phone">
          <thead><tr>
            <th scope="col">${t('sync.col.time')}</th>
            <th scope="col">${t('sync.col.entity')}</th>
            <th scope="col">${t('sync.col.status')}</th>
            <th scope="col" class="num">${t('sync.col.count')}</th>
            <th scope="col">${t('sync.col.error')}</th>
          </tr></thead>
          <tbody>
            ${runs.slice(0, 10).map(
              (r) => html`<tr key=${r.id}>
                <td data-label=${t('sync.col.time')}>${formatDateTime(r.startedAt)}</td>
                <td data-label=${t('sync.col.entity')}>${t(`entity.${r.entity}`)}</td>
                <td data-label=${t('sync.col.status')}><span class=${`badge plain ${r.status === 'succeeded' ? 'connected' : r.status === 'failed' ? 'needs_attention' : r.status === 'running' ? 'pending' : 'disconnected'}`}>${t(RUN_STATUS[r.status] ?? r.status)}</span></td>
                <td class="num" data-label=${t('sync.col.count')}>${formatNumber(r.progress?.fetched ?? r.counts?.received ?? 0)}</td>
                <td class="small" data-label=${t('sync.col.error')}>${r.error ? errorText(r.error, platform) : r.endedAt ? formatDuration(new Date(r.endedAt) - new Date(r.startedAt)) : ''}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>`}
  </section>`;
}

export function SyncPanel({ platform, connection, canSync = true }) {
  const entities = platform.entities.filter((e) => connection.entities?.[e]?.enabled !== false);
  return html`<section class="card" aria-labelledby="sync-title" data-testid="sync-panel">
    <div class="card-head"><h2 id="sync-title">${t('sync.heading')}</h2></div>
    <div class="card-body stack">
      <p class="muted small">${t('sync.explain')}</p>
      <ul class="sync-list">
        ${entities.map((e) => html`<${EntityRow} key=${e} connection=${connection} entity=${e} canSync=${canSync} />`)}
      </ul>
    </div>
  </section>`;
}
