// web/server/openapi.json stays true: every route the server registers is documented and every
// documented operation exists. (Every response of the other server-*.test.js files is also
// validated against it by the test client in helpers/server.js, on SQLite and PostgreSQL.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS, spec, startServer } from './helpers/server.js';

const toOpenApi = (url) => url.replace(/:([A-Za-z]+)/g, '{$1}');

for (const backend of BACKENDS) {
  describe(`openapi.json (${backend})`, () => {
    let t;
    before(async () => {
      t = await startServer(backend);
    });
    after(() => t?.close());

    test('routes and documented operations match one to one', () => {
      const served = new Set(t.server.routes.filter((r) => r.url !== '*' && r.url !== '/*').map((r) => `${r.method.toLowerCase()} ${toOpenApi(r.url)}`));
      const documented = new Set();
      for (const [path, item] of Object.entries(spec.paths)) {
        for (const method of ['get', 'post', 'put', 'patch', 'delete']) if (item[method]) documented.add(`${method} ${path}`);
      }
      assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
      assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served');
    });

    test('every operation has an id, documented errors and resolvable references', () => {
      const ids = new Set();
      const refs = JSON.stringify(spec).match(/"\$ref":"[^"]+"/g) ?? [];
      for (const ref of refs) {
        const ptr = ref.slice(8, -1).replace(/^#\//, '').split('/');
        let node = spec;
        for (const p of ptr) node = node?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
        assert.ok(node, `unresolvable ${ref}`);
      }
      for (const [path, item] of Object.entries(spec.paths)) {
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters') continue;
          assert.ok(op.operationId && !ids.has(op.operationId), `${method} ${path}: unique operationId`);
          ids.add(op.operationId);
          const isPublic = Array.isArray(op.security) && op.security.length === 0;
          if (path.startsWith('/api/') && !isPublic) assert.ok(op.responses['401'], `${method} ${path}: 401 documented`);
        }
      }
    });

    test('the dashboard is served at / (or a page saying it is not built)', async () => {
      const r = await fetch(`${t.url}/`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /text\/html/);
      const missing = await fetch(`${t.url}/api/nope`, { headers: { authorization: 'Bearer demo-token' } });
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).error.code, 'not_found');
    });

    test('a built dashboard (web/dashboard/dist) is served with SPA fallback, nothing outside it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sl-dash-'));
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Quản lý liên kết</title>');
      writeFileSync(join(dir, 'assets/app.js'), 'console.log(1)');
      const d = await startServer(backend, { dashboardDir: dir });
      try {
        const page = await fetch(`${d.url}/`);
        assert.match(await page.text(), /Quản lý liên kết/);
        const js = await fetch(`${d.url}/assets/app.js`);
        assert.match(js.headers.get('content-type'), /javascript/);
        assert.equal(await js.text(), 'console.log(1)');
        assert.match(await (await fetch(`${d.url}/connections/abc`)).text(), /Quản lý liên kết/, 'SPA route');
        const escape = await fetch(`${d.url}/..%2f..%2f..%2fetc%2fpasswd`);
        assert.ok(!(await escape.text()).includes('root:'), 'no file outside the dashboard');
      } finally {
        await d.close();
      }
    });
  });
}
