// Garbage at the npm package surface (issue #10): every exported function fed wrong types and
// hostile values must answer with a value or a SyncError with a stable code — never a raw
// TypeError/BindingError, never a number thrown across the wasm boundary, and never an
// `internal` error (a wasm trap, which poisons the instance). The instance keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createStoreLink, SyncError, runSync, createLocalTransport, mapHost } from 'storelink';

const sl = await createStoreLink();
const fixture = (name) => readFileSync(new URL(`../fixtures/kiotviet/${name}`, import.meta.url), 'utf8');
const CODES = new Set(['invalid_json', 'unexpected_shape', 'invalid_input', 'invalid_credentials', 'forbidden', 'not_found',
  'rate_limited', 'platform_error', 'server_error', 'network', 'cancelled', 'unsupported']);

const cyclic = {};
cyclic.self = cyclic;
const GARBAGE = [
  undefined, null, NaN, Infinity, -Infinity, -1, 0, 1e300, 2 ** 64, 1n, true, '', 'x', '{', '{"a":', '\u0000',
  '\ud800', 'é'.repeat(70_000), {}, [], [1, [2]], cyclic, Object.create(null), () => 1, Symbol('s'),
  new Uint8Array([0xff, 0xfe, 0x00]), new ArrayBuffer(3), new Date(NaN), { toString() { throw new Error('boom'); } },
  { toJSON() { throw new Error('toJSON boom'); } }, { status: 'x', headers: cyclic }, { status: 1e300, headers: { a: 1n } },
];
const label = (v) => {
  try {
    return typeof v === 'symbol' ? v.toString() : typeof v === 'bigint' ? `${v}n` : typeof v === 'string' && v.length > 20 ? `string(${v.length})` : JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
};

let calls = 0;
/** Calls fn; it may return or throw a typed SyncError. Anything else fails the test. */
async function typedOnly(what, fn) {
  calls++;
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof SyncError, `${what}: threw ${e?.constructor?.name ?? typeof e}: ${e?.message ?? e}`);
    assert.ok(CODES.has(e.code), `${what}: SyncError code ${e.code} (${e.detail})`);
    assert.equal(typeof e.message, 'string', `${what}: message`);
  }
}

function stillWorks() {
  const out = sl.normalize('kiotviet', 'customers', fixture('customers_page.json'));
  assert.equal(out.errors.length, 0);
  assert.equal(out.records.length, 4);
}

test('normalize(): garbage platform, entity, body and options give typed errors', async () => {
  for (const g of GARBAGE) {
    await typedOnly(`normalize(${label(g)}, products)`, () => sl.normalize(g, 'products', '{}'));
    await typedOnly(`normalize(kiotviet, ${label(g)})`, () => sl.normalize('kiotviet', g, '{}'));
    await typedOnly(`normalize(body=${label(g)})`, () => {
      const out = sl.normalize('kiotviet', 'products', g);
      assert.ok(Array.isArray(out.records) && Array.isArray(out.errors));
    });
    await typedOnly(`normalize(options=${label(g)})`, () => sl.normalize('kiotviet', 'products', fixture('products_page.json'), g));
  }
  stillWorks();
});

test('createSync(): garbage options, settings, checkpoints and numbers give typed errors', async () => {
  const base = { platform: 'kiotviet', entity: 'products' };
  for (const g of GARBAGE) {
    await typedOnly(`createSync(${label(g)})`, () => sl.createSync(g)?.dispose());
    for (const key of ['platform', 'entity', 'settings', 'checkpoint', 'mode', 'raw', 'seed', 'maxPages']) {
      await typedOnly(`createSync({${key}: ${label(g)}})`, () => sl.createSync({ ...base, [key]: g })?.dispose());
    }
  }
  for (const cp of ['{"v":1,"platform":"kiotviet","entity":"products","state":"done","watermark":-1e300}', '[]', 'null', '"done"']) {
    await typedOnly(`createSync(checkpoint ${cp})`, () => sl.createSync({ ...base, checkpoint: cp })?.dispose());
  }
  stillWorks();
});

test('SyncJob: next/receive with garbage times, ids, metadata and bodies give typed errors', async () => {
  for (const g of GARBAGE) {
    const job = sl.createSync({ platform: 'kiotviet', entity: 'products' });
    await typedOnly(`job.next(${label(g)})`, () => {
      const step = job.next(g);
      assert.ok(['request', 'wait', 'done', 'failed'].includes(step.kind));
      if (step.kind === 'failed') assert.ok(CODES.has(step.error.code));
    });
    const step = job.next(Date.now());
    await typedOnly(`job.receive(id=${label(g)})`, () => job.receive(g, { status: 200, headers: {}, body: '{}' }, Date.now()));
    await typedOnly(`job.receive(response=${label(g)})`, () => job.receive(step.id, g, Date.now()));
    await typedOnly(`job.receive(status=${label(g)})`, () => job.receive(step.id, { status: g, headers: {}, body: '' }, Date.now()));
    await typedOnly(`job.receive(headers=${label(g)})`, () => job.receive(step.id, { status: 200, headers: g, body: '' }, Date.now()));
    await typedOnly(`job.receive(body=${label(g)})`, () => job.receive(step.id, { status: 200, headers: {}, body: g }, Date.now()));
    await typedOnly(`job.receive(error=${label(g)})`, () => job.receive(step.id, { status: 0, error: g }, Date.now()));
    await typedOnly(`job.receive(nowMs=${label(g)})`, () => job.receive(step.id, { status: 200, headers: {}, body: '' }, g));
    await typedOnly('job.takeRecords()', () => job.takeRecords());
    await typedOnly('job.progress()', () => job.progress());
    await typedOnly('job.checkpoint()', () => job.checkpoint());
    job.dispose();
    await typedOnly('disposed job.next()', () => job.next(Date.now()));
  }
  stillWorks();
});

test('fillSecrets / keepSecrets / buildUrl / inspectWebhook: garbage requests, secrets, bodies and headers', async () => {
  const job = sl.createSync({ platform: 'kiotviet', entity: 'customers' });
  const request = job.next(Date.now()).request;
  job.dispose();
  for (const g of GARBAGE) {
    await typedOnly(`fillSecrets(${label(g)})`, () => sl.fillSecrets(g, { clientId: 'a', clientSecret: 'b' }));
    await typedOnly(`fillSecrets(request, ${label(g)})`, () => sl.fillSecrets(request, g));
    await typedOnly(`fillSecrets({...request, url: ${label(g)}})`, () => sl.fillSecrets({ ...request, url: g }, {}));
    await typedOnly(`keepSecrets(${label(g)})`, () => sl.keepSecrets(g, '{"access_token":"t"}'));
    await typedOnly(`keepSecrets(request, ${label(g)})`, () => sl.keepSecrets(request, g));
    await typedOnly(`buildUrl(${label(g)})`, () => sl.buildUrl(g));
    await typedOnly(`buildUrl({...request, query: ${label(g)}})`, () => sl.buildUrl({ ...request, query: g }));
    await typedOnly(`inspectWebhook(${label(g)})`, () => sl.inspectWebhook(g, {}, '{}'));
    await typedOnly(`inspectWebhook(headers=${label(g)})`, () => sl.inspectWebhook('kiotviet', g, fixture('webhook_product_update.json'), 's'));
    await typedOnly(`inspectWebhook(body=${label(g)})`, () => sl.inspectWebhook('kiotviet', {}, g));
    await typedOnly(`inspectWebhook(secret=${label(g)})`, () => sl.inspectWebhook('kiotviet', {}, fixture('webhook_product_update.json'), g));
  }
  stillWorks();
});

test('runSync / transports / mapHost: garbage jobs, transports and URLs give typed errors', async () => {
  for (const g of GARBAGE) {
    await typedOnly(`mapHost(${label(g)})`, () => mapHost(g, { 'a.b': 'http://127.0.0.1:1' }));
    await typedOnly(`runSync(${label(g)})`, () => runSync(g, async () => ({ status: 200 })));
    const job = sl.createSync({ platform: 'kiotviet', entity: 'locations', maxPages: 1 });
    // A transport answering garbage: the job must fail or retry with typed errors only.
    let n = 0;
    let t = 1_750_000_000_000;
    await typedOnly(`runSync(transport → ${label(g)})`, () =>
      runSync(job, async () => (n++ < 3 ? g : { status: 500, headers: {}, body: '' }), {
        clock: { now: () => t, sleep: async (ms) => { t += ms; } },
      }));
    job.dispose();
    const local = createLocalTransport(sl, { secrets: g, fetch: async () => new Response('{}') });
    await typedOnly(`localTransport(secrets=${label(g)})`, () => local({ method: 'GET', url: 'https://public.kiotapi.com/branches', query: [], headers: [['Retailer', '{{secret.retailer}}']], body: '' }));
  }
  stillWorks();
  assert.ok(calls > 1000, `${calls} calls`);
});
