// The channel list and one channel's page, following the product description's steps:
// choose the channel → "Phần dịch vụ khả dụng" → "Kết nối với X" → the form → (branch /
// tax / OAuth / webhook step) → sync → disconnect. Everything is driven by platforms() data:
// credential fields, settings (kind branch/boolean), entities, webhooks, status.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useStore, toast } from '../store.js';
import { api } from '../api.js';
import { channelState, connectionFor, connect, loadLocations, saveSettings, disconnect, keptCount, loadCounts, errorText, refreshConnections, rotateWebhookSecret } from '../actions.js';
import { relativeTime, formatTime, formatNumber } from '../format.js';
import { Logo, StateBadge, CopyField, ConfirmDialog, Notice } from './common.js';
import { ConnectForm } from './connect-form.js';
import { userFields } from '../worker/checks.js';
import { SyncPanel, SyncHistory } from './sync-panel.js';

export function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
}

export function ChannelList({ selected }) {
  const s = useStore();
  return html`<nav aria-labelledby="channels-title">
    <h2 id="channels-title" class="sr-only">${t('channels.heading')}</h2>
    <ul class="channel-list">
      ${s.platforms.map((p) => {
        const c = connectionFor(p.id);
        const st = channelState(p, c);
        const synced = c ? p.entities.filter((e) => c.entities?.[e]?.lastSyncedAt) : [];
        return html`<li key=${p.id}>
          <a class="channel-item" href=${`#/channels/${p.id}`} aria-current=${selected === p.id ? 'true' : 'false'} data-testid=${`channel-${p.id}`}>
            <${Logo} platform=${p} />
            <span class="channel-main">
              <span class="channel-name"><span>${p.displayName}</span><${StateBadge} state=${st} /></span>
              <span class="channel-desc">${p.description}</span>
              ${c && c.status !== 'pending' &&
              html`<span class="channel-sync">
                ${synced.length
                  ? synced.map((e) => html`<span key=${e}>${t(`entity.${e}`)}: ${relativeTime(c.entities[e].lastSyncedAt)}</span>`)
                  : html`<span>${t('channels.lastSync')}: ${t('channels.never')}</span>`}
              </span>`}
            </span>
          </a>
        </li>`;
      })}
    </ul>
  </nav>`;
}

function Steps({ current, withSettings }) {
  // "Cài đặt" is a step only where the platform has one (branch, tax, consent page, webhook).
  const steps = ['choose', 'service', 'connect', ...(withSettings ? ['settings'] : []), 'sync'];
  const idx = steps.indexOf(current);
  return html`<ol class="steps" aria-label=${t('steps.label')}>
    ${steps.map(
      (k, i) => html`<li key=${k} class=${i < idx ? 'done' : i === idx ? 'current' : ''} aria-current=${i === idx ? 'step' : undefined}>
        <span class="step-dot" aria-hidden="true">${i < idx ? '✓' : i + 1}</span><span>${t(`steps.${k}`)}</span>
      </li>`,
    )}
  </ol>`;
}

/** Pre-connect settings (booleans, e.g. Nhanh.vn "Đồng bộ thuế"): saved before the connection exists. */
function presetKey(platformId) {
  return `storelink.presettings.${platformId}`;
}
function loadPreset(platformId) {
  try {
    return JSON.parse(localStorage.getItem(presetKey(platformId)) ?? 'null');
  } catch {
    return null;
  }
}

function BooleanSettings({ platform, connection, onSaved, before = false }) {
  const fields = platform.settings.filter((f) => f.kind === 'boolean');
  const initial = Object.fromEntries(fields.map((f) => [f.key, Boolean((connection?.settings ?? loadPreset(platform.id) ?? {})[f.key])]));
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(Boolean(!connection && loadPreset(platform.id)));
  if (!fields.length) return null;
  const save = async () => {
    setBusy(true);
    try {
      if (connection) await saveSettings(connection.id, values);
      else localStorage.setItem(presetKey(platform.id), JSON.stringify(values));
      setSaved(true);
      toast(t('settings.saved'), 'ok', 2500);
      onSaved?.(values);
    } catch (e) {
      toast(errorText(e, platform), 'error');
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" aria-labelledby=${`bool-${platform.id}`} data-testid="settings-boolean">
    <div class="card-head"><h2 id=${`bool-${platform.id}`}>${t('settings.heading')}</h2></div>
    <div class="card-body stack">
      ${fields.map(
        (f) => html`<div class="field" key=${f.key}>
          <label class="switch">
            <input type="checkbox" role="switch" checked=${values[f.key]} aria-describedby=${`help-${f.key}`} onChange=${(e) => { setValues({ ...values, [f.key]: e.currentTarget.checked }); setSaved(false); }} data-testid=${`setting-${f.key}`} />
            <span>${f.label}</span>
          </label>
          <div class="help" id=${`help-${f.key}`}>${f.help}${before ? ` ${t('settings.before')}` : ''}</div>
        </div>`,
      )}
      <div class="row">
        <button type="button" class="btn primary" onClick=${save} disabled=${busy} data-testid="settings-save">${busy ? t('settings.saving') : t('settings.save')}</button>
        ${saved && html`<span class="hint-ok">✓ ${t('settings.saved')}</span>`}
      </div>
    </div>
  </section>`;
}

/** KiotViet-style branch choice: a drop-down of the locations the server's verification read. */
function BranchSettings({ platform, connection, locations }) {
  const fields = platform.settings.filter((f) => f.kind === 'branch');
  const [list, setList] = useState(locations);
  const [value, setValue] = useState(() => Object.fromEntries(fields.map((f) => [f.key, connection.settings?.[f.key] != null ? String(connection.settings[f.key]) : ''])));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => setList(locations), [locations]);
  useEffect(() => {
    // After a reload the verification result is gone: ask the server to read the branches again.
    if (list == null && fields.length) loadLocations(connection.id).then(setList).catch(() => setList([]));
  }, [connection.id]);
  if (!fields.length || !list || list.filter((l) => !l.deleted).length < 2) return null;
  const branches = list.filter((l) => !l.deleted);
  const missing = fields.some((f) => !value[f.key]);
  const save = async (ev) => {
    ev.preventDefault();
    const f = fields.find((x) => !value[x.key]);
    if (f) {
      setError(t('settings.branchMissing', { label: f.label.toLowerCase() }));
      document.getElementById(`branch-${f.key}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await saveSettings(connection.id, Object.fromEntries(fields.map((x) => [x.key, value[x.key]])));
      toast(t('settings.saved'), 'ok', 2500);
    } catch (e) {
      setError(errorText(e, platform));
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" aria-labelledby="branch-title" data-testid="settings-branch">
    <div class="card-head"><h2 id="branch-title">${t('settings.heading')}</h2></div>
    <form class="card-body form" onSubmit=${save}>
      ${missing && html`<${Notice} kind="info">${t('settings.branchNeeded')}<//>`}
      ${fields.map(
        (f) => html`<div class="field" key=${f.key}>
          <label for=${`branch-${f.key}`}>${f.label}</label>
          <select id=${`branch-${f.key}`} value=${value[f.key]} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${`branch-help-${f.key}`} onChange=${(e) => setValue({ ...value, [f.key]: e.currentTarget.value })} data-testid=${`setting-${f.key}`}>
            <option value="">${t('settings.branchChoose')}</option>
            ${branches.map((b) => html`<option key=${b.externalId} value=${b.externalId}>${b.name ?? b.externalId}${b.address ? ` — ${b.address}` : ''}</option>`)}
          </select>
          <div class="help" id=${`branch-help-${f.key}`}>${f.help}</div>
        </div>`,
      )}
      ${error && html`<div class="error" role="alert" style="color: var(--danger)">${error}</div>`}
      <div class="row"><button type="submit" class="btn primary" disabled=${busy} data-testid="branch-save">${busy ? t('settings.saving') : t('settings.save')}</button></div>
    </form>
  </section>`;
}

/** Where the header name shown for webhooks comes from: the credential whose label/help names it. */
function webhookHeader(platform, connection) {
  for (const f of userFields(platform)) {
    const m = /\b(x-[a-z0-9-]+)\b/i.exec(`${f.label} ${f.help}`);
    if (m) return { key: m[1].toLowerCase(), value: connection.account?.[f.key] ?? connection.storeKey ?? '' };
  }
  return connection.storeKey ? { key: null, value: connection.storeKey } : null;
}

const SECRET_HEADER = 'x-webhook-secret';

/**
 * The webhook to set up on the platform: the URL, and the request headers — the server's list
 * where it gives one (Pancake POS: x-store-id and the secret StoreLink generated, which the shop
 * must paste: the one secret this page shows), else the header a credential's label names.
 */
function WebhookCard({ platform, connection }) {
  const s = useStore();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  // After a rotation: on to the new value, ready to copy (keyboard and screen-reader users
  // follow) — once the dialog has closed (the page is inert while it is open, and closing it
  // gives focus back to the button).
  const focusSecret = useRef(false);
  useEffect(() => {
    if (confirming || !focusSecret.current) return;
    focusSecret.current = false;
    if (connection.webhookFields?.length) return void setTimeout(() => document.getElementById('wh-field-0')?.focus(), 0);
    const i = (connection.webhookHeaders ?? []).findIndex((h) => h.name === SECRET_HEADER);
    setTimeout(() => document.getElementById(`wh-value-${i}`)?.focus(), 0);
  });
  const seen = s.webhookSeen[connection.id] ?? connection.lastWebhookAt;
  const url = connection.webhookUrl;
  if (!url) return null;
  const headers = Array.isArray(connection.webhookHeaders) ? connection.webhookHeaders : null;
  // Getfly: a settings form (Callback URL + Secret Key) instead of request headers.
  const fields = Array.isArray(connection.webhookFields) ? connection.webhookFields : null;
  const header = headers || fields ? null : webhookHeader(platform, connection);
  const k = (key) => (fields ? `webhook.form.${key}` : `webhook.${key}`); // the texts for either way
  const secretAt = headers ? headers.findIndex((h) => h.name === SECRET_HEADER) : -1;
  const name = platform.displayName;
  const rotate = async () => {
    setBusy(true);
    setError(null);
    try {
      await rotateWebhookSecret(connection);
      focusSecret.current = true;
      setConfirming(false);
      toast(t(k('rotated'), { name }), 'ok', 6000);
    } catch (e) {
      setConfirming(false);
      setError(errorText(e, platform));
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" aria-labelledby="webhook-title" data-testid="webhook-card">
    <div class="card-head"><h2 id="webhook-title">${t(k('heading'), { name })}</h2></div>
    <div class="card-body stack">
      <p class="muted small">${t(k('explain'), { name })}</p>
      <${CopyField} id="wh-url" label=${t(k('url'))} value=${url} />
      ${fields &&
      html`<div class="stack" data-testid="webhook-fields">
        ${fields.map(
          (f, i) => html`<${CopyField} key=${f.name} id=${`wh-field-${i}`} label=${f.name} value=${f.value} testid="webhook-field-value" help=${t('webhook.secretHelp', { name })} />`,
        )}
        <div class="row">
          <button type="button" class="btn" onClick=${() => setConfirming(true)} disabled=${busy} aria-describedby="wh-rotate-help" data-testid="webhook-rotate">${t('webhook.rotate')}</button>
          <span class="small muted" id="wh-rotate-help">${fields.length ? t('webhook.rotateHelp', { name }) : t('webhook.form.noSecret', { name })}</span>
        </div>
        ${error && html`<${Notice} kind="error" role="alert">${error}<//>`}
      </div>`}
      ${headers &&
      html`<div class="stack" role="group" aria-labelledby="wh-headers-title" data-testid="webhook-headers">
        <h3 id="wh-headers-title" class="small">${t('webhook.headers')}</h3>
        ${headers.map(
          (h, i) => html`<div class="stack" key=${h.name} data-testid="webhook-header">
            <${CopyField} id=${`wh-name-${i}`} label=${t('webhook.headerKeyN', { n: i + 1 })} value=${h.name} testid="webhook-header-name" />
            <${CopyField} id=${`wh-value-${i}`} label=${t('webhook.headerValueN', { n: i + 1 })} value=${h.value} testid="webhook-header-value" help=${i === secretAt ? t('webhook.secretHelp', { name }) : undefined} />
          </div>`,
        )}
        <div class="row">
          <button type="button" class="btn" onClick=${() => setConfirming(true)} disabled=${busy} aria-describedby="wh-rotate-help" data-testid="webhook-rotate">${t('webhook.rotate')}</button>
          <span class="small muted" id="wh-rotate-help">${secretAt < 0 ? t('webhook.noSecret', { name }) : t('webhook.rotateHelp', { name })}</span>
        </div>
        ${error && html`<${Notice} kind="error" role="alert">${error}<//>`}
      </div>`}
      ${header?.key && html`<${CopyField} id="wh-key" label=${t('webhook.headerKey')} value=${header.key} />`}
      ${header?.value && html`<${CopyField} id="wh-value" label=${t('webhook.headerValue')} value=${header.value} />`}
      <div aria-live="polite" data-testid="webhook-live">
        ${seen
          ? html`<span class="live-dot on" data-testid="webhook-received">${t('webhook.received', { time: formatTime(seen) })}</span>`
          : html`<span class="live-dot waiting">${t('webhook.waiting', { name })}</span>`}
      </div>
    </div>
    <${ConfirmDialog}
      id="rotate"
      open=${confirming}
      title=${t('webhook.rotateTitle', { name })}
      body=${t(k('rotateBody'), { name })}
      confirmLabel=${t('webhook.rotate')}
      busy=${busy}
      onConfirm=${rotate}
      onCancel=${() => setConfirming(false)}
    />
  </section>`;
}

/**
 * A warning on the connection, with the one action that settles it where the server names one
 * (KiotViet without a webhook signing secret: register the webhooks again, with a new secret).
 */
function WarningNotice({ warning, platform, connection }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const reregister = async () => {
    setBusy(true);
    setError(null);
    try {
      await rotateWebhookSecret(connection);
      toast(t('webhook.reregistered', { name: platform.displayName }), 'ok', 5000);
    } catch (e) {
      setError(errorText(e, platform));
    } finally {
      setBusy(false);
    }
  };
  return html`<div data-testid=${`warning-${warning.code}`}>
    <${Notice} kind="warn">
      ${errorText(warning, platform)}
      ${warning.action === 'reregister_webhooks' &&
      html`<div class="row"><button type="button" class="btn" onClick=${reregister} disabled=${busy} aria-busy=${busy} data-testid="webhook-reregister">${t('webhook.reregister')}</button></div>`}
    <//>
    ${error && html`<${Notice} kind="error" role="alert">${error}<//>`}
  </div>`;
}

function OAuthCard({ platform, connection, auto }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const url = await api.oauthStart(connection.id);
      location.assign(url);
    } catch (e) {
      setError(errorText(e, platform));
      setBusy(false);
    }
  };
  // Straight on to the consent page after saving (the card may mount before the save returns,
  // e.g. when the live stream announces the new connection first).
  const started = useRef(false);
  useEffect(() => {
    if (auto && !started.current) {
      started.current = true;
      go();
    }
  }, [auto]);
  return html`<section class="card" aria-labelledby="oauth-title" data-testid="oauth-card">
    <div class="card-head"><h2 id="oauth-title">${t('oauth.heading', { name: platform.displayName })}</h2></div>
    <div class="card-body stack">
      <p>${t('oauth.explain', { name: platform.displayName })}</p>
      ${error && html`<${Notice} kind="error" role="alert">${error}<//>`}
      <div><button type="button" class="btn primary" onClick=${go} disabled=${busy} data-testid="oauth-go">${t('oauth.go', { name: platform.displayName })} →</button></div>
    </div>
  </section>`;
}

function ServiceCard({ platform, onConnect, open }) {
  const comingSoon = platform.status === 'coming_soon';
  return html`<section class="card" aria-labelledby="service-title">
    <div class="card-head"><h2 id="service-title">${t('service.heading')}</h2></div>
    <div class="card-body">
      <div class="service">
        <${Logo} platform=${platform} />
        <div class="grow">
          <div style="font-weight:600">${t('service.connectWith', { name: platform.displayName })}</div>
          <div class="small muted">${comingSoon ? t('service.comingSoon', { name: platform.displayName }) : t('service.syncs', { list: platform.entities.filter((e) => e !== 'locations').map((e) => t(`entity.${e}`).toLowerCase()).join(', ') })}</div>
        </div>
        ${comingSoon
          ? html`<${StateBadge} state="coming_soon" />`
          : open
            ? null
            : html`<button type="button" class="btn primary" aria-expanded=${open ? 'true' : 'false'} aria-controls="connect-area" onClick=${onConnect} data-testid="service-connect">${t('service.connectWith', { name: platform.displayName })}</button>`}
      </div>
    </div>
  </section>`;
}

export function ChannelDetail({ platformId, query }) {
  const s = useStore();
  const platform = s.platforms.find((p) => p.id === platformId);
  const connection = platform ? connectionFor(platform.id) : null;
  const [formOpen, setFormOpen] = useState(false);
  const [locations, setLocations] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [autoOAuth, setAutoOAuth] = useState(false);
  const headingRef = useRef(null);

  useEffect(() => {
    setFormOpen(false);
    setLocations(null);
    setAutoOAuth(false);
    // Chosen from the list: move focus to the channel (keyboard and screen-reader users follow).
    if (document.activeElement?.closest?.('.channel-list')) headingRef.current?.focus();
    loadCounts().catch(() => {});
  }, [platformId]);

  useEffect(() => {
    // Back from an OAuth consent page: the server put the outcome in the address.
    if (query?.oauth) {
      if (query.oauth === 'ok' || query.oauth === 'connected') toast(t('oauth.back', { name: platform?.displayName ?? '' }), 'ok');
      else {
        // The server sends its (Vietnamese) message and the error's code: English is built from the code.
        const reason = query.code ? errorText({ code: query.code, message: query.message ?? '' }, platform) : query.message ?? query.error ?? query.oauth;
        toast(t('oauth.failed', { name: platform?.displayName ?? '', reason }), 'error', 8000);
      }
      refreshConnections().catch(() => {});
      history.replaceState(null, '', `#/channels/${platformId}`);
    }
  }, [query?.oauth]);

  if (!platform) return html`<div class="card card-body empty">${t('app.loading')}</div>`;
  const st = channelState(platform, connection);
  const live = connection && connection.status !== 'disconnected';
  const needsBranch = live && platform.settings.some((f) => f.kind === 'branch' && connection.settings?.[f.key] == null) && locations && locations.filter((l) => !l.deleted).length > 1;
  const reconnecting = connection && (connection.status === 'disconnected' || connection.status === 'needs_attention');
  const step = !connection || reconnecting ? (formOpen ? 'connect' : 'service') : connection.status === 'pending' || connection.status === 'waiting_webhook' || needsBranch ? 'settings' : 'sync';

  const onSubmit = async (values) => {
    const preset = loadPreset(platform.id);
    const result = await connect(platform.id, values, !connection ? preset ?? undefined : undefined, reconnecting ? connection : null, (r) => setLocations(r.locations ?? []));
    setFormOpen(false);
    toast(t('form.verified', { name: platform.displayName }), 'ok');
    if (result.connection.status === 'pending') setAutoOAuth(true);
    localStorage.removeItem(presetKey(platform.id));
  };

  const doDisconnect = async () => {
    setBusy(true);
    try {
      await disconnect(connection);
      await loadCounts().catch(() => {});
      setConfirming(false);
      toast(t('disconnect.done', { name: platform.displayName }), 'ok');
    } catch (e) {
      toast(errorText(e, platform), 'error');
    } finally {
      setBusy(false);
    }
  };

  const kept = connection ? keptCount(connection.id) : 0;
  const hasSettingsStep = platform.settings.length > 0 || Boolean(webhookHeader(platform, connection ?? {})?.key) || ['pending', 'waiting_webhook'].includes(connection?.status);

  return html`<div class="stack" data-testid=${`detail-${platform.id}`}>
    <a class="btn small ghost back-link" href="#/channels">← ${t('channels.back')}</a>
    <section class="card">
      <div class="card-body stack">
        <div class="detail-head">
          <${Logo} platform=${platform} large />
          <div class="titles">
            <h2 tabindex="-1" ref=${headingRef}>${platform.displayName}</h2>
            <p class="muted small">${platform.description}</p>
          </div>
          <span data-testid="detail-state"><${StateBadge} state=${st} /></span>
        </div>
        ${platform.status !== 'coming_soon' && html`<${Steps} current=${step} withSettings=${hasSettingsStep} />`}
        ${connection?.statusError && connection.status === 'needs_attention' && html`<${Notice} kind="warn" role="alert">${errorText(connection.statusError, platform)}<//>`}
        ${(connection?.warnings ?? []).map((w) => html`<${WarningNotice} key=${w.code} warning=${w} platform=${platform} connection=${connection} />`)}
      </div>
    </section>

    ${connection?.status === 'disconnected' && !formOpen &&
    html`<section class="card" data-testid="disconnected-card">
      <div class="card-body stack">
        <${Notice} kind="info">${t('disconnected.kept', { n: formatNumber(kept) })}<//>
        <div class="row">
          <a class="btn" href=${`#/records?platform=${platform.id}`} data-testid="view-kept">${t('disconnected.view')}</a>
          <button type="button" class="btn primary" onClick=${() => setFormOpen(true)} data-testid="reconnect">${t('disconnected.reconnect')}</button>
        </div>
      </div>
    </section>`}

    ${!connection && platform.status !== 'coming_soon' && html`<${BooleanSettings} platform=${platform} before />`}

    ${(!connection || connection.status === 'needs_attention') &&
    html`<${ServiceCard} platform=${platform} open=${formOpen} onConnect=${() => setFormOpen(true)} />`}

    ${formOpen &&
    html`<section class="card" id="connect-area"><div class="card-body">
      <${ConnectForm}
        platform=${platform}
        initial=${connection?.account ?? {}}
        submitLabel=${reconnecting ? t('disconnected.reconnect') : t('form.connect')}
        onSubmit=${onSubmit}
        onCancel=${() => setFormOpen(false)}
      />
    </div></section>`}

    ${connection?.status === 'pending' && html`<${OAuthCard} platform=${platform} connection=${connection} auto=${autoOAuth} />`}
    ${live && platform.webhooks && connection.status !== 'pending' && (connection.status === 'waiting_webhook' || connection.webhookHeaders?.length || Array.isArray(connection.webhookFields) || webhookHeader(platform, connection)?.key) &&
    html`<${WebhookCard} platform=${platform} connection=${connection} />`}
    ${live && connection.status !== 'pending' && html`<${BranchSettings} platform=${platform} connection=${connection} locations=${locations} />`}
    ${live && connection.status !== 'pending' && html`<${BooleanSettings} platform=${platform} connection=${connection} />`}
    ${live && (connection.status === 'active' || connection.status === 'waiting_webhook') &&
    html`<${SyncPanel} platform=${platform} connection=${connection} canSync=${!needsBranch} />`}
    ${connection && connection.status !== 'pending' && html`<${SyncHistory} connection=${connection} />`}

    ${live &&
    html`<section class="card"><div class="card-body row">
      <div class="spacer small muted">${connection.name ?? ''}</div>
      <button type="button" class="btn danger" onClick=${() => { loadCounts().catch(() => {}); setConfirming(true); }} data-testid="disconnect">${t('disconnect.button')}</button>
    </div></section>`}

    <${ConfirmDialog}
      open=${confirming}
      title=${t('disconnect.title', { name: platform.displayName })}
      body=${t('disconnect.body', { name: platform.displayName, n: formatNumber(kept) })}
      confirmLabel=${t('disconnect.confirm')}
      danger
      busy=${busy}
      onConfirm=${doDisconnect}
      onCancel=${() => setConfirming(false)}
    />
  </div>`;
}

export function ChannelsView({ platformId, query }) {
  const s = useStore();
  const selected = platformId ?? null;
  // On desktop with nothing chosen, show the first platform so the page is never blank.
  const [wide, setWide] = useState(() => matchMedia('(min-width: 861px)').matches);
  useEffect(() => {
    const mq = matchMedia('(min-width: 861px)');
    const on = () => setWide(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const shown = selected ?? (wide ? s.platforms[0]?.id : null);
  return html`<div class=${`channels-layout${selected ? ' has-detail' : ''}`}>
    <div class="channel-list-wrap"><${ChannelList} selected=${shown} /></div>
    <div class="channel-detail-wrap">${shown && html`<${ChannelDetail} key=${shown} platformId=${shown} query=${query} />`}</div>
  </div>`;
}
