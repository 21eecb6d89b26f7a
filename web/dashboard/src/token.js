// Where the page gets the store's bearer token for /api.
//
// Production: the admin shell that embeds this page injects it as
//   <meta name="storelink-token" content="…">   (or window.STORELINK_TOKEN).
// DEV ONLY — clearly not for production: the local server prints the demo store's token
// (STORELINK_DEV_TOKEN); `npm start` opens the page as  http://host/#token=<token>. The
// fragment never reaches a server log; the page moves it into sessionStorage and removes it
// from the address bar at once. The Vite dev server injects the meta tag from
// STORELINK_DEV_TOKEN (vite.config.js).
const KEY = 'storelink.token';
let token = null;

export function initToken() {
  const fromHash = /(?:^#|[#&])token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    token = decodeURIComponent(fromHash[1]);
    try {
      sessionStorage.setItem(KEY, token);
    } catch {
      /* private mode */
    }
    const rest = location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&/, '#').replace(/^#$/, '');
    history.replaceState(null, '', location.pathname + location.search + rest);
    return token;
  }
  const meta = document.querySelector('meta[name="storelink-token"]')?.content;
  if (meta) return (token = meta);
  if (typeof window.STORELINK_TOKEN === 'string' && window.STORELINK_TOKEN) return (token = window.STORELINK_TOKEN);
  try {
    token = sessionStorage.getItem(KEY);
  } catch {
    token = null;
  }
  return token;
}

export function getToken() {
  return token;
}
