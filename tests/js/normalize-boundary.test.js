// sl.normalize's byte boundary (UTF-8 written straight into wasm memory, ASCII JSON back):
// the same results as the string boundary it replaced, for every kind of input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createStoreLink } from 'storelink';

const sl = await createStoreLink();
const fixture = (name) => readFileSync(new URL(`../fixtures/kiotviet/${name}`, import.meta.url), 'utf8');
const page = (name) => JSON.stringify({ total: 1, pageSize: 100, data: [{ id: 7, code: 'SP7', name, modifiedDate: '2025-03-19T17:58:36.4470000' }] });

test('strings, Uint8Array, Buffer and ArrayBuffer bodies give the same records', () => {
  for (const [entity, file] of [['products', 'products_page.json'], ['orders', 'orders_page.json'], ['customers', 'customers_page.json']]) {
    const text = fixture(file);
    const expected = sl.normalize('kiotviet', entity, text);
    const bytes = new TextEncoder().encode(text);
    assert.deepStrictEqual(sl.normalize('kiotviet', entity, bytes), expected, file);
    assert.deepStrictEqual(sl.normalize('kiotviet', entity, Buffer.from(text)), expected, file);
    assert.deepStrictEqual(sl.normalize('kiotviet', entity, bytes.buffer), expected, file);
    assert.deepStrictEqual(sl.normalize('kiotviet', entity, text, {}), expected, file);
  }
});

test('text far beyond the first input guess (3-byte and 4-byte characters) survives', () => {
  const name = 'ữ'.repeat(40_000) + ' 𝄞 Đỗ Thị Ánh';
  const out = sl.normalize('kiotviet', 'products', page(name));
  assert.deepEqual(out.errors, []);
  assert.equal(out.records[0].name, name);
  const again = sl.normalize('kiotviet', 'products', page('Áo'));
  assert.equal(again.records[0].name, 'Áo'); // the grown buffers are reused cleanly
});

test('bytes that are not UTF-8 are read with U+FFFD, as TextDecoder reads them', () => {
  const good = new TextEncoder().encode(page('Áo XX thun'));
  const bad = Uint8Array.from(good);
  const at = Buffer.from(good).indexOf('XX');
  bad[at] = 0xff;
  bad[at + 1] = 0xc3;
  const out = sl.normalize('kiotviet', 'products', bad);
  assert.deepEqual(out.errors, []);
  assert.equal(out.records[0].name, 'Áo \uFFFD\uFFFD thun');
  assert.deepStrictEqual(out, sl.normalize('kiotviet', 'products', new TextDecoder().decode(bad)));
});

test('a string with a lone surrogate is still invalid JSON, not silently repaired', () => {
  const out = sl.normalize('kiotviet', 'products', page('Áo \uD800 thun'));
  assert.equal(out.records.length, 0);
  assert.equal(out.errors[0].code, 'invalid_json');
});

test('a well-formed string holding U+FFFD keeps it; one with a lone surrogate beside it keeps its historical reading', () => {
  // encodeInto writes a lone surrogate as U+FFFD: the boundary checks isWellFormed only for
  // bodies whose bytes hold U+FFFD (at the start, inside a word, at the end). The characters
  // go in raw (JSON.stringify would write a lone surrogate as a \u escape).
  const raw = (name) => page('NAME').replace('NAME', name);
  for (const name of ['\uFFFD', 'Áo \uFFFD thun', 'x'.repeat(13) + '\uFFFD', '\uFFFD'.repeat(9)]) {
    assert.equal(sl.normalize('kiotviet', 'products', raw(name)).records[0].name, name);
  }
  for (const name of ['\uDC00', '\uFFFD \uDC00', 'Áo \uFFFD thun \uDBFF']) {
    assert.equal(raw(name).isWellFormed(), false);
    const out = sl.normalize('kiotviet', 'products', raw(name));
    assert.equal(out.records.length, 0);
    assert.equal(out.errors[0].code, 'invalid_json');
  }
  // The string boundary's old reading (Embind pairs a high surrogate with the next unit), not
  // U+FFFD U+FFFD: the body went the old way.
  assert.equal(sl.normalize('kiotviet', 'products', raw('\uD800\uFFFD')).records[0].name, '\u{103FD}');
  const tail = '{"total":0,"pageSize":100,"data":[]}\uD800';
  assert.equal(sl.normalize('kiotviet', 'products', tail).errors[0].code, 'invalid_json');
});

test('options still reach the core; non-object options are still refused', () => {
  assert.equal(sl.normalize('kiotviet', 'products', page('Áo'), { raw: true }).records[0].raw.code, 'SP7');
  assert.equal(sl.normalize('kiotviet', 'products', page('Áo'), []).errors[0].field, 'options');
});

test('memory(): the heap the module holds', () => {
  const m = sl.memory();
  assert.ok(m.heapBytes >= 16 * 2 ** 20);
  assert.ok(m.usedBytes > 0 && m.usedBytes < m.heapBytes);
});
