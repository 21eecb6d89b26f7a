// "Dữ liệu đã đồng bộ": normalized products, orders and customers. Server-side search (with or
// without diacritics), filters by type / platform / status, cursor paging, a drawer with the
// normalized record next to the platform's raw JSON, CSV export, live refresh on webhooks.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useStore, toast } from '../store.js';
import { api } from '../api.js';
import { errorText } from '../actions.js';
import { download, formatDateTime, formatMoney, formatNumber, relativeTime } from '../format.js';
import { Notice } from './common.js';

const TYPES = ['product', 'order', 'customer'];
const TYPE_LABEL = { product: 'entity.products', order: 'entity.orders', customer: 'entity.customers', location: 'entity.locations' };
const ORDER_STATUSES = ['pending', 'confirmed', 'processing', 'shipping', 'completed', 'cancelled', 'returned'];
const PAGE_SIZE = 25;

function platformName(platforms, id) {
  return platforms.find((p) => p.id === id)?.displayName ?? id;
}

function statusOf(r) {
  if (r.deleted) return t('records.deleted');
  if (r.type === 'order') return r.status ? t(`status.${r.status}`) : r.platformStatus ?? '—';
  if (r.type === 'product') return r.active == null ? '—' : t(r.active ? 'status.active' : 'status.inactive');
  return null;
}

function titleOf(r) {
  if (r.type === 'order') return r.code ?? r.externalId;
  return r.name ?? r.code ?? r.externalId;
}

function subOf(r) {
  if (r.type === 'order') return r.customer?.name ?? r.customer?.phone ?? '';
  if (r.type === 'product') return [r.sku, r.category].filter(Boolean).join(' · ');
  if (r.type === 'customer') return [r.phone, r.email].filter(Boolean).join(' · ');
  return r.address ?? '';
}

function amountOf(r) {
  if (r.type === 'order') return formatMoney(r.total, r.currency);
  if (r.type === 'product') return formatMoney(r.variants?.[0]?.price ?? null);
  if (r.type === 'customer') return formatMoney(r.totalSpent);
  return '';
}

function Drawer({ record, platforms, onClose }) {
  const closeRef = useRef(null);
  useEffect(() => {
    const prev = document.activeElement;
    closeRef.current?.focus();
    const onKey = (e) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      prev?.focus?.();
    };
  }, []);
  const { raw, id, connectionId, storedAt, ...normalized } = record;
  const name = platformName(platforms, record.platform);
  // Keep focus inside the drawer while it is open.
  const trap = (e) => {
    if (e.key !== 'Tab') return;
    const items = [...e.currentTarget.querySelectorAll('button, [href], [tabindex]:not([tabindex="-1"])')];
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return html`<div>
    <div class="drawer-backdrop" onClick=${onClose}></div>
    <aside class="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title" onKeyDown=${trap} data-testid="drawer">
      <div class="drawer-head">
        <h2 id="drawer-title">${titleOf(record)} <span class="muted small">· ${name}</span></h2>
        <button type="button" class="btn small" ref=${closeRef} onClick=${onClose} aria-label=${t('drawer.close')}>✕</button>
      </div>
      <div class="drawer-body">
        <section aria-labelledby="norm-title">
          <h3 id="norm-title">${t('drawer.normalized')}</h3>
          <pre class="json" tabindex="0" data-testid="drawer-normalized">${JSON.stringify(normalized, null, 2)}</pre>
        </section>
        <section aria-labelledby="raw-title">
          <h3 id="raw-title">${t('drawer.raw', { name })}</h3>
          ${raw != null
            ? html`<pre class="json" tabindex="0" data-testid="drawer-raw">${JSON.stringify(raw, null, 2)}</pre>`
            : html`<p class="muted small">${t('drawer.noRaw')}</p>`}
        </section>
      </div>
    </aside>
  </div>`;
}

export function RecordsView({ query }) {
  const s = useStore();
  const [type, setType] = useState(query?.type ?? 'product');
  const [platform, setPlatform] = useState(query?.platform ?? '');
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [debouncedQ, setDebouncedQ] = useState('');
  const [cursors, setCursors] = useState([null]); // cursor of each page seen
  const [pageIdx, setPageIdx] = useState(0);
  // The last page fetched, tagged with its record type: rows of another type (the tab just
  // switched, its fetch still on the way) are never drawn under this type's columns.
  const [loaded, setData] = useState(null);
  const data = loaded?.type === type ? loaded : null;
  const [error, setError] = useState(null);
  const [open, setOpen] = useState(null);
  const [fresh, setFresh] = useState(new Set());
  const prevIds = useRef(new Map());
  const liveSeen = useRef(s.recordsVersion);

  useEffect(() => {
    if (query?.platform !== undefined) setPlatform(query.platform ?? '');
  }, [query?.platform]);

  useEffect(() => {
    const id = setTimeout(() => setDebouncedQ(q.trim()), 220);
    return () => clearTimeout(id);
  }, [q]);

  // A new filter starts again at page 1.
  useEffect(() => {
    setCursors([null]);
    setPageIdx(0);
  }, [type, platform, status, debouncedQ]);

  const filters = { type, platform: platform || undefined, status: status || undefined, q: debouncedQ || undefined };

  useEffect(() => {
    const ac = new AbortController();
    api
      .records({ ...filters, limit: PAGE_SIZE, cursor: cursors[pageIdx] ?? undefined }, ac.signal)
      .then((res) => {
        // After a live update (webhook, another sync), rows that are new or changed since the
        // previous fetch get a short highlight; filtering and paging highlight nothing.
        const live = s.recordsVersion !== liveSeen.current;
        liveSeen.current = s.recordsVersion;
        const changed = new Set();
        if (live) {
          for (const r of res.records) {
            const before = prevIds.current.get(r.id);
            if (before !== r.storedAt) changed.add(r.id);
          }
        }
        prevIds.current = new Map(res.records.map((r) => [r.id, r.storedAt]));
        setFresh(changed);
        setData({ ...res, type: filters.type, q: filters.q ?? '' });
        setError(null);
      })
      .catch((e) => {
        if (e?.name !== 'AbortError') setError(errorText(e));
      });
    return () => ac.abort();
  }, [type, platform, status, debouncedQ, pageIdx, cursors[pageIdx], s.recordsVersion]);

  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const next = () => {
    if (!data?.nextCursor) return;
    const c = cursors.slice(0, pageIdx + 1);
    c.push(data.nextCursor);
    setCursors(c);
    setPageIdx(pageIdx + 1);
  };
  const exportCsv = async () => {
    try {
      const res = await api.exportRecords(filters);
      download(`storelink-${type}-${new Date().toISOString().slice(0, 10)}.csv`, await res.blob());
    } catch (e) {
      toast(errorText(e), 'error');
    }
  };

  const cols = type === 'order' ? ['code', 'customer', 'status', 'total'] : type === 'product' ? ['name', 'status', 'price', 'stock'] : ['name', 'phone', 'total'];
  const colLabel = { code: 'records.col.code', customer: 'records.col.customer', status: 'records.col.status', total: 'records.col.total', name: 'records.col.name', price: 'records.col.price', stock: 'records.col.stock', phone: 'records.col.phone' };
  const cell = (r, c) => {
    switch (c) {
      case 'code':
      case 'name':
        return html`<button type="button" class="cell-title" onClick=${() => setOpen(r)}>${titleOf(r)}</button><div class="cell-sub">${c === 'code' ? formatDateTime(r.createdAt) : subOf(r)}</div>`;
      case 'customer':
        return html`${r.customer?.name ?? '—'}<div class="cell-sub">${r.customer?.phone ?? ''}</div>`;
      case 'status':
        return statusOf(r);
      case 'total':
        return type === 'order' ? formatMoney(r.total, r.currency) : formatMoney(r.totalSpent);
      case 'price':
        return formatMoney(r.variants?.[0]?.price ?? null);
      case 'stock':
        return formatNumber(r.totalStock);
      case 'phone':
        return html`${r.phone ?? '—'}<div class="cell-sub">${r.email ?? ''}</div>`;
      default:
        return '';
    }
  };
  const numeric = new Set(['total', 'price', 'stock']);

  return html`<section aria-labelledby="records-title" data-testid="records">
    <div class="row" style="margin-bottom: 12px">
      <h2 id="records-title" class="spacer">${t('records.heading')}</h2>
      <span class=${`badge plain ${s.live === 'open' ? 'connected' : 'disconnected'}`} title=${t(s.live === 'open' ? 'live.connected' : 'live.offline')}>${t('records.live')}</span>
    </div>
    <div class="tabs" role="group" aria-label=${t('records.type')}>
      ${TYPES.map((x) => html`<button type="button" key=${x} class="tab" aria-current=${type === x ? 'page' : undefined} aria-pressed=${type === x ? 'true' : 'false'} onClick=${() => { setType(x); setStatus(''); }} data-testid=${`type-${x}`}>${t(TYPE_LABEL[x])}</button>`)}
    </div>
    <div class="filters">
      <div class="field">
        <label for="rec-q">${t('records.search')}</label>
        <input id="rec-q" type="search" value=${q} placeholder=${t('records.searchPlaceholder')} onInput=${(e) => setQ(e.currentTarget.value)} data-testid="records-search" />
      </div>
      <div class="field">
        <label for="rec-platform">${t('records.platform')}</label>
        <select id="rec-platform" value=${platform} onChange=${(e) => setPlatform(e.currentTarget.value)} data-testid="records-platform">
          <option value="">${t('records.all')}</option>
          ${s.platforms.map((p) => html`<option key=${p.id} value=${p.id}>${p.displayName}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="rec-status">${t('records.status')}</label>
        <select id="rec-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)} disabled=${type !== 'order'} data-testid="records-status">
          <option value="">${t('records.all')}</option>
          ${type === 'order' && ORDER_STATUSES.map((x) => html`<option key=${x} value=${x}>${t(`status.${x}`)}</option>`)}
        </select>
      </div>
      <div class="field">
        <span class="label" aria-hidden="true"> </span>
        <span class="muted small" data-testid="records-total" data-query=${data?.q} aria-live="polite">${data ? t('records.total', { n: formatNumber(data.total) }) : ''}</span>
      </div>
      <button type="button" class="btn" onClick=${exportCsv} disabled=${!data?.total} data-testid="records-export">⤓ ${t('records.export')}</button>
    </div>
    ${error && html`<${Notice} kind="error" role="alert">${error}<//>`}
    <div class="card">
      ${data && !data.records.length
        ? html`<div class="empty">${debouncedQ || status || platform ? t('records.noMatch') : t('records.empty')}</div>`
        : html`
          <div class="table-wrap records-table">
            <table data-testid="records-table">
              <caption class="sr-only">${t(TYPE_LABEL[type])}</caption>
              <thead><tr>
                ${cols.map((c) => html`<th scope="col" key=${c} class=${numeric.has(c) ? 'num' : ''}>${t(colLabel[c])}</th>`)}
                <th scope="col">${t('records.col.platform')}</th>
                <th scope="col">${t('records.col.updated')}</th>
              </tr></thead>
              <tbody>
                ${(data?.records ?? []).map(
                  (r) => html`<tr key=${r.id} class=${`clickable${fresh.has(r.id) ? ' fresh' : ''}`} onClick=${(e) => { if (e.target.tagName !== 'BUTTON') setOpen(r); }} data-testid="record-row">
                    ${cols.map((c) => html`<td key=${c} class=${numeric.has(c) ? 'num' : ''}>${cell(r, c)}</td>`)}
                    <td>${platformName(s.platforms, r.platform)}</td>
                    <td class="small muted">${relativeTime(r.updatedAt ?? r.storedAt)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>
          <ul class="record-cards">
            ${(data?.records ?? []).map(
              (r) => html`<li key=${r.id}><button type="button" class=${`record-card${fresh.has(r.id) ? ' fresh' : ''}`} onClick=${() => setOpen(r)}>
                <span class="row" style="justify-content: space-between; width: 100%"><strong>${titleOf(r)}</strong><span>${amountOf(r)}</span></span>
                <span class="cell-sub">${subOf(r)}</span>
                <span class="cell-sub">${platformName(s.platforms, r.platform)}${statusOf(r) ? ` · ${statusOf(r)}` : ''}</span>
              </button></li>`,
            )}
          </ul>
          <div class="pager">
            <button type="button" class="btn small" disabled=${pageIdx === 0} onClick=${() => setPageIdx(pageIdx - 1)}>← ${t('records.prev')}</button>
            <span class="small muted" data-testid="records-page">${t('records.page', { p: pageIdx + 1, pages })}</span>
            <button type="button" class="btn small" disabled=${!data?.nextCursor} onClick=${next} data-testid="records-next">${t('records.next')} →</button>
          </div>`}
    </div>
    ${open && html`<${Drawer} record=${open} platforms=${s.platforms} onClose=${() => setOpen(null)} />`}
  </section>`;
}
