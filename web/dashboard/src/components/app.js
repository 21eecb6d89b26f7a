// The page shell: header (language, sample-data mode), tabs, routes (#/channels/<id>,
// #/records?platform=…), toasts.
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t, getLang } from '../i18n.js';
import { useStore, update } from '../store.js';
import { setLanguage, errorText } from '../actions.js';
import { ChannelsView } from './channels.js';
import { RecordsView } from './records.js';
import { Toasts, Notice } from './common.js';

export function parseRoute(hash = location.hash) {
  const [path, qs] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const query = Object.fromEntries(new URLSearchParams(qs ?? ''));
  if (parts[0] === 'records') return { view: 'records', platform: null, query };
  return { view: 'channels', platform: parts[1] ?? null, query };
}

export function App() {
  const s = useStore();
  useEffect(() => {
    const on = () => update({ route: parseRoute() });
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const switchLang = () => setLanguage(getLang() === 'vi' ? 'en' : 'vi');
  const r = s.route;
  return html`
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href="#/channels"><span class="brand-mark" aria-hidden="true">S</span><span>StoreLink</span></a>
        <div class="topbar-actions">
          ${s.sandbox && html`<span class="badge sandbox" data-testid="sandbox-badge">◆ ${t('sandbox.on')}</span>`}
          <button type="button" class="btn small" onClick=${switchLang} aria-label=${t('app.langLabel')} lang=${getLang() === 'vi' ? 'en' : 'vi'} data-testid="lang">${t('app.lang')}</button>
        </div>
      </div>
    </header>
    <main class="page" id="main" tabindex="-1">
      <div class="page-head">
        <h1>${t('app.title')}</h1>
        <p>${t('app.subtitle')}</p>
      </div>
      ${s.sandbox && html`<div style="margin-bottom:16px"><${Notice} kind="sandbox">${t('sandbox.banner')}<//></div>`}
      ${s.fatal && html`<div style="margin-bottom:16px"><${Notice} kind="error" role="alert">${typeof s.fatal === 'string' ? s.fatal : errorText(s.fatal)}<//></div>`}
      <nav class="tabs" aria-label=${t('tabs.label')}>
        <a class="tab" href="#/channels" aria-current=${r.view === 'channels' ? 'page' : undefined} data-testid="tab-channels">${t('tabs.channels')}</a>
        <a class="tab" href="#/records" aria-current=${r.view === 'records' ? 'page' : undefined} data-testid="tab-records">${t('tabs.records')}</a>
      </nav>
      ${!s.platforms.length
        ? html`<div class="card card-body empty" aria-busy="true">${t('app.loading')}</div>`
        : r.view === 'records'
          ? html`<${RecordsView} query=${r.query} />`
          : html`<${ChannelsView} platformId=${r.platform} query=${r.query} />`}
      <p class="footer">${s.moduleVersion ? t('app.moduleVersion', { v: s.moduleVersion }) : ''}</p>
    </main>
    <${Toasts} />
  `;
}
