// The published record schemas (schema/*.json) and the assertValidRecords helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertValidRecords, validateRecord } from './helpers/schema.js';

const address = (over = {}) => ({
  name: 'Nguyễn Thị Lan',
  phone: '+84912345678',
  address: '12 Nguyễn Huệ',
  ward: 'Phường Bến Nghé',
  district: 'Quận 1',
  province: 'Hồ Chí Minh',
  country: 'VN',
  ...over,
});

const product = () => ({
  type: 'product',
  platform: 'kiotviet',
  externalId: '1000234',
  createdAt: '2025-03-19T10:58:36.447Z',
  updatedAt: '2025-03-20T02:00:00.000Z',
  deleted: false,
  name: 'Áo thun cổ tròn',
  sku: 'AT001',
  barcode: '8936012345678',
  description: null,
  category: 'Áo',
  brand: null,
  active: true,
  images: ['https://cdn.kiotviet.vn/img/at001.jpg'],
  taxRate: null,
  parentExternalId: null,
  variants: [
    {
      externalId: '1000234',
      sku: 'AT001-DO-M',
      barcode: null,
      name: 'Áo thun cổ tròn - Đỏ - M',
      options: { 'Màu': 'Đỏ', Size: 'M' },
      price: 150000,
      compareAtPrice: 180000,
      cost: 90000,
      weightGrams: 200,
      stock: [
        { locationId: '1', onHand: 12, available: 10 },
        { locationId: '2', onHand: 3, available: null },
      ],
      totalStock: 10,
    },
  ],
  totalStock: 10,
});

const order = () => ({
  type: 'order',
  platform: 'haravan',
  externalId: '1234567890',
  createdAt: '2025-03-19T03:15:00Z',
  updatedAt: null,
  deleted: false,
  code: '#1001',
  status: 'shipping',
  platformStatus: 'fulfilled',
  paymentStatus: 'partially_paid',
  customer: { externalId: '555', name: 'Trần Văn Bình', phone: '+84987654321', email: 'binh@example.vn' },
  lines: [
    {
      productExternalId: '1000234',
      variantExternalId: '1000234',
      sku: 'AT001-DO-M',
      name: 'Áo thun cổ tròn - Đỏ - M',
      quantity: 2,
      unitPrice: 150000,
      discount: 10000,
      total: 290000,
    },
  ],
  subtotal: 290000,
  discount: 0,
  shippingFee: 30000,
  tax: null,
  total: 320000,
  currency: 'VND',
  shippingAddress: address(),
  locationId: '1',
  note: 'Giao giờ hành chính',
});

const walkInOrder = () => ({
  ...order(),
  platform: 'kiotviet',
  externalId: 'HD000123',
  status: null,
  paymentStatus: null,
  customer: null,
  lines: [],
  currency: null,
  shippingAddress: null,
  locationId: null,
  note: null,
});

const customer = () => ({
  type: 'customer',
  platform: 'sapo',
  externalId: '88001',
  createdAt: '2024-12-31T17:00:00.000Z',
  updatedAt: '2025-01-02T08:30:15.120Z',
  deleted: false,
  name: 'Đỗ Thị Ánh',
  phone: '+84323456789',
  email: null,
  gender: 'female',
  birthday: '1988-02-14',
  address: address({ name: null, phone: null, ward: null }),
  totalSpent: 2450000,
  orderCount: 7,
  groups: ['Khách VIP', 'Sỉ'],
});

const location = () => ({
  type: 'location',
  platform: 'nhanh',
  externalId: '42',
  createdAt: null,
  updatedAt: null,
  deleted: false,
  name: 'Kho Hà Nội',
  address: '45 Trần Duy Hưng, Cầu Giấy, Hà Nội',
  phone: '+842438261234',
});

const tombstone = () => ({
  type: 'order',
  platform: 'pancake',
  externalId: '9911',
  createdAt: null,
  updatedAt: '2025-03-19T10:58:36.447Z',
  deleted: true,
});

const errorsOf = (r) => validateRecord(r).join('\n');

test('hand-written valid records of every type pass', () => {
  assertValidRecords([product(), order(), walkInOrder(), customer(), location(), tombstone()]);
});

test('every platform is accepted', () => {
  const platforms = ['kiotviet', 'sapo', 'haravan', 'nhanh', 'pancake', 'odoo', 'getfly', 'misa'];
  assertValidRecords(platforms.map((platform) => ({ ...location(), platform })));
});

test('unknown values as null and empty arrays pass', () => {
  const p = product();
  for (const k of ['name', 'sku', 'barcode', 'description', 'category', 'brand', 'active', 'taxRate', 'totalStock']) {
    p[k] = null;
  }
  p.images = [];
  p.variants = [];
  const c = customer();
  for (const k of ['name', 'phone', 'email', 'gender', 'birthday', 'address', 'totalSpent', 'orderCount']) c[k] = null;
  c.groups = [];
  assertValidRecords([p, c]);
});

test('raw is optional and may be any JSON value', () => {
  assertValidRecords([
    { ...product(), raw: { id: 1000234, code: 'AT001', fullName: 'Áo thun' } },
    { ...order(), raw: [1, 'x'] },
    { ...tombstone(), raw: null },
  ]);
});

test('records given as JSON text are accepted', () => {
  assertValidRecords([JSON.stringify(location()), JSON.stringify(tombstone())]);
});

test('times with or without fraction pass; Z is required', () => {
  assertValidRecords([{ ...location(), createdAt: '2025-03-19T10:58:36Z', updatedAt: '2025-03-19T10:58:36.4470000Z' }]);
  assert.match(errorsOf({ ...location(), createdAt: '2025-03-19T17:58:36.447' }), /\/createdAt/);
  assert.match(errorsOf({ ...location(), createdAt: '2025-03-19T17:58:36+07:00' }), /\/createdAt/);
  assert.match(errorsOf({ ...location(), updatedAt: '2025-03-19' }), /\/updatedAt/);
  assert.match(errorsOf({ ...location(), updatedAt: '2025-02-30T00:00:00.000Z' }), /\/updatedAt/);
  assert.match(errorsOf({ ...location(), updatedAt: 1742381916447 }), /\/updatedAt/);
});

test('a missing field fails and names it', () => {
  const r = order();
  delete r.shippingFee;
  assert.match(errorsOf(r), /must have required property 'shippingFee'/);
  const v = product();
  delete v.variants[0].stock[0].available;
  assert.match(errorsOf(v), /\/variants\/0\/stock\/0 must have required property 'available'/);
  const a = customer();
  delete a.address.ward;
  assert.match(errorsOf(a), /\/address must have required property 'ward'/);
  const t = tombstone();
  delete t.createdAt;
  assert.match(errorsOf(t), /required property 'createdAt'/);
});

test('an unknown field fails', () => {
  assert.match(errorsOf({ ...customer(), loyaltyPoints: 120 }), /must NOT have additional properties: "loyaltyPoints"/);
  assert.match(errorsOf({ ...order(), shippingAddress: address({ zip: '700000' }) }), /"zip"/);
  // A tombstone carries identity and times only.
  assert.match(errorsOf({ ...tombstone(), code: '#1001' }), /"code"/);
});

test('wrong enum values fail', () => {
  assert.match(errorsOf({ ...order(), status: 'done' }), /\/status must be equal to one of the allowed values/);
  assert.match(errorsOf({ ...order(), paymentStatus: 'PAID' }), /\/paymentStatus/);
  assert.match(errorsOf({ ...customer(), gender: 'other' }), /\/gender/);
  assert.match(errorsOf({ ...location(), platform: 'shopee' }), /\/platform/);
  assert.ok(validateRecord({ ...location(), type: 'invoice' }).length > 0);
});

test('numeric ids fail', () => {
  assert.match(errorsOf({ ...product(), externalId: 1000234 }), /\/externalId must be string/);
  const p = product();
  p.variants[0].externalId = 1000234;
  assert.match(errorsOf(p), /\/variants\/0\/externalId must be string/);
  p.variants[0].externalId = '1000234';
  p.variants[0].stock[0].locationId = 1;
  assert.match(errorsOf(p), /\/variants\/0\/stock\/0\/locationId must be string/);
  const o = order();
  o.lines[0].productExternalId = 1000234;
  assert.match(errorsOf(o), /\/lines\/0\/productExternalId must be string/);
  assert.match(errorsOf({ ...order(), locationId: 1 }), /\/locationId/);
  assert.match(errorsOf({ ...tombstone(), externalId: 9911 }), /\/externalId must be string/);
});

test('other malformed values fail', () => {
  assert.match(errorsOf({ ...location(), externalId: '' }), /\/externalId/);
  assert.match(errorsOf({ ...order(), currency: 'vnd' }), /\/currency/);
  assert.match(errorsOf({ ...order(), total: '320000' }), /\/total must be number,null/);
  assert.match(errorsOf({ ...customer(), birthday: '14/02/1988' }), /\/birthday/);
  assert.match(errorsOf({ ...customer(), birthday: '1988-02-30' }), /\/birthday/);
  assert.match(errorsOf({ ...customer(), groups: null }), /\/groups must be array/);
  assert.match(errorsOf({ ...product(), images: ['at001.jpg'] }), /\/images\/0/);
  assert.match(errorsOf({ ...product(), active: 'true' }), /\/active/);
  const p = product();
  p.variants[0].options = { Size: 40 };
  assert.match(errorsOf(p), /\/variants\/0\/options\/Size must be string/);
  // A live record must say deleted: false; a tombstone deleted: true.
  assert.ok(validateRecord({ ...location(), deleted: null }).length > 0);
  assert.ok(validateRecord({ ...tombstone(), deleted: 'yes' }).length > 0);
  assert.ok(validateRecord(null).length > 0);
  assert.ok(validateRecord([]).length > 0);
});

test('assertValidRecords reports the externalId of each broken record', () => {
  const broken = [{ ...order(), status: 'done' }, location(), { ...customer(), externalId: 'C-77', gender: 'nam' }];
  assert.throws(
    () => assertValidRecords(broken),
    (err) => {
      assert.ok(err instanceof assert.AssertionError);
      assert.match(err.message, /2 of 3 record\(s\)/);
      assert.match(err.message, /#0 order externalId="1234567890": \/status/);
      assert.match(err.message, /#2 customer externalId="C-77": \/gender/);
      assert.doesNotMatch(err.message, /#1 /);
      return true;
    },
  );
});

test('assertValidRecords lists at most the first errors', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ ...location(), externalId: String(i), phone: 912345678 }));
  assert.throws(() => assertValidRecords(many), (err) => {
    assert.match(err.message, /30 of 30 record\(s\)/);
    assert.equal((err.message.match(/\/phone/g) ?? []).length, 20);
    return true;
  });
});

test('assertValidRecords rejects non-JSON text and non-arrays', () => {
  assert.throws(() => assertValidRecords(['{"type":']), /not JSON/);
  assert.throws(() => assertValidRecords(location()), /expects an array/);
  assert.doesNotThrow(() => assertValidRecords([]));
});
