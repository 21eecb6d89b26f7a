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

// sl.normalize builds records from columns (api::normalizeRecords + readRecords in core.js);
// the module's text API (api::normalizeJson, JSON.parse) is the reference: the same values,
// the same key order, on every fixture and on values chosen to break a hand-written reader.
const rawModule = await (async () => {
  const dist = new URL('../../wasm/dist/', import.meta.url);
  const factory = (await import(new URL('storelink-core.mjs', dist).href)).default;
  return factory({ wasmBinary: readFileSync(new URL('storelink-core.wasm', dist)), print() {}, printErr() {} });
})();
const viaText = (platform, entity, body, options = {}) => {
  const out = JSON.parse(rawModule.normalize(platform, entity, body, JSON.stringify(options)));
  return out.error ? { records: [], errors: [out.error], total: null, removedIds: [] } : out;
};
const sameAsText = (platform, entity, body, options = {}, what = '') => {
  const got = sl.normalize(platform, entity, body, options);
  const want = viaText(platform, entity, body, options);
  assert.deepStrictEqual(got, want, `${platform} ${entity} ${what}`);
  assert.equal(JSON.stringify(got), JSON.stringify(want), `${platform} ${entity} ${what}: key order`);
  return got;
};

test('records built from columns equal JSON.parse of the record text, on every fixture', async () => {
  const { readdirSync } = await import('node:fs');
  const root = new URL('../fixtures/', import.meta.url);
  const entities = ['products', 'orders', 'customers', 'locations'];
  let compared = 0;
  for (const platform of readdirSync(root).filter((d) => !d.includes('.'))) {
    for (const file of readdirSync(new URL(`${platform}/`, root))) {
      const text = readFileSync(new URL(`${platform}/${file}`, root), 'utf8');
      for (const entity of entities) {
        for (const options of [{}, { raw: true }, { settings: { invoicesAsOrders: true, taxSync: true } }]) {
          sameAsText(platform, entity, text, options, `${file} ${JSON.stringify(options)}`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 300, `${compared} comparisons`);
});

test('records built from columns: strings, numbers and keys a hand-written reader could get wrong', () => {
  const names = ['', '\uFEFFÁo', 'a\u0000b', 'tab\there "q" \\ /', '𝄞 Đỗ Thị Ánh', 'x'.repeat(5000) + 'ữ', '\u007f\u0080', 'Nguyễn'.repeat(3000)];
  const row = (i, name) => ({
    id: 100 + i, code: `SP${i}`, name, fullName: `${name} (L)`, description: name, categoryName: name || null,
    modifiedDate: '2025-03-19T17:58:36.4470000', createdDate: '1899-12-31T23:59:59', basePrice: [0, -0, 0.1 + 0.2, 1e300, -5e-324, 2 ** 53 + 2, 123456789012345680000][i % 7],
    weight: -0, taxRate: 1e21, isActive: i % 2 === 0, images: [name, 'https://x/1.png'],
    attributes: [{ attributeName: '__proto__', attributeValue: name }, { attributeName: '0', attributeValue: 'zero' }, { attributeName: 'Màu', attributeValue: 'Đỏ' }, { attributeName: 'Màu', attributeValue: 'Xanh' }],
    masterUnitId: i % 3 === 0 ? 5 : undefined, unit: 'Cái',
    inventories: [{ branchId: 1, onHand: 3.5, reserved: -0, cost: 1e-7 }, { branchId: 2, onhand: -2 }, { branchId: null }],
  });
  const body = JSON.stringify({ total: -0, pageSize: 100, data: [...names.map((name, i) => row(i, name)), { code: 'no id' }, 7], removeId: [9, '10', 'Đ'] });
  const out = sameAsText('kiotviet', 'products', body);
  assert.equal(out.records.length, names.length + 3);
  assert.equal(out.records[1].name, '\uFEFFÁo');
  assert.ok(Object.hasOwn(out.records[3].variants[0].options, '__proto__'));
  assert.equal(Object.getPrototypeOf(out.records[3].variants[0].options), Object.prototype);
  sameAsText('kiotviet', 'products', body, { raw: true }, 'raw');
  const orders = JSON.stringify({ total: 2, data: [
    { id: 1, code: 'DH1', status: 3, statusValue: 'Hoàn thành', total: 10.25, totalPayment: 5, customerName: 'Bà Ánh', orderDetails: [{ productId: 1, productCode: 'A', productName: 'Áo', quantity: 2, price: 3.3, discountRatio: 10 }], orderDelivery: { receiver: 'Ánh', contactNumber: '+84 912 345 678', address: '1 Lê Lợi', locationName: 'Hồ Chí Minh - Quận 1', wardName: 'Bến Nghé', price: 0 } },
    { id: 2, status: 99, statusValue: 'Đã hủy', purchaseDate: '2025-01-01T00:00:00' },
  ] });
  sameAsText('kiotviet', 'orders', orders);
  sameAsText('kiotviet', 'orders', orders, { settings: { invoicesAsOrders: true } });
  sameAsText('kiotviet', 'customers', JSON.stringify({ data: [{ id: 3, name: 'Đỗ', gender: false, birthDate: '1990-02-03T00:00:00', groups: 'VIP, ,Sỉ', contactNumber: '0912345678', locationName: 'Bà Rịa - Vũng Tàu - Thành phố Vũng Tàu' }] }));
  for (const bad of ['', '{', '[]', '{"responseStatus":{"errorCode":"TokenException","message":"Hết hạn"}}', '{"data":{}}']) sameAsText('kiotviet', 'products', bad, {}, bad);
  assert.deepStrictEqual(sl.normalize('kiotviet', 'products', body, []), sl.normalize('kiotviet', 'products', body, 5));
});
