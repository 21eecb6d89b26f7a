import { render } from 'preact';
import { html } from './html.js';
import { App, parseRoute } from './components/app.js';
import { update } from './store.js';
import { boot, errorText } from './actions.js';
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
boot(worker).catch((e) => update({ fatal: errorText(e) }));
