// A fetch() that hands requests straight to a simulator's (req, res) handler, in process: the
// same bytes as over loopback HTTP, without sockets, so thousands of runs stay fast and
// deterministic. Only what the simulators use of node:http is provided.
import { Readable } from 'node:stream';

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export function inProcessFetch(handler) {
  return async function fetch(url, init = {}) {
    const u = new URL(url);
    const req = Readable.from(init.body == null || init.body === '' ? [] : [Buffer.from(init.body)]);
    req.method = init.method ?? 'GET';
    req.url = u.pathname + u.search;
    req.headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return new Promise((resolve, reject) => {
      const headers = {};
      const res = {
        statusCode: 200,
        headersSent: false,
        destroyed: false,
        setHeader(k, v) {
          headers[k.toLowerCase()] = String(v);
        },
        writeHead(status, h = {}) {
          this.statusCode = status;
          for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = String(v);
          this.headersSent = true;
          return this;
        },
        end(data) {
          const body = NULL_BODY_STATUS.has(this.statusCode) ? null : (data ?? '');
          resolve(new Response(body, { status: this.statusCode, headers }));
        },
        destroy() {
          this.destroyed = true;
          reject(new TypeError('fetch failed: connection reset'));
        },
      };
      Promise.resolve(handler(req, res)).catch(reject);
    });
  };
}
