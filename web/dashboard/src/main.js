import { render } from 'preact';
import { html } from './html.js';
import { App, parseRoute } from './components/app.js';
import { update } from './store.js';
import { boot } from './actions.js';
import { startStoreLinkWorker } from './worker/client.js';
import { initToken } from './token.js';
import { setLang, getLang, t } from './i18n.js';
import './styles.css';

setLang(getLang());
const token = initToken();
update({ route: parseRoute(), lang: getLang() });
render(html`<${App} />`, document.getElementById('app'));

const worker = startStoreLinkWorker();
worker.call('configure', { baseUrl: location.origin, token });
if (!token) update({ fatal: t('error.token') });
// The error itself is kept (not its text), so the language switch re-renders it.
boot(worker).catch((e) => update({ fatal: e }));
