// Shared building blocks for the platform simulators (KiotViet today; Sapo, Haravan,
// Nhanh.vn, Pancake POS, Odoo, Getfly and MISA later). Node built-ins only.
//
// Everything random goes through createRng(seed, label) so that a simulator started
// with the same seed serves byte-identical data, and so that independent concerns
// (data, faults, tokens, later mutations) each get their own stream: adding a draw in
// one place never shifts the values drawn somewhere else.

import http from 'node:http';
import { createHmac } from 'node:crypto';

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

/** 32-bit FNV-1a over the string form of the parts; used to derive stream seeds. */
export function hashSeed(...parts) {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u241f')) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded random stream with the helpers the generators need.
 * `fork(label)` derives an independent stream from (seed, path) — not from the current
 * state — so forks are stable no matter how much the parent has been used.
 */
export function createRng(seed = 1, label = '') {
  const next = mulberry32(hashSeed(seed, label));
  const rng = {
    seed,
    label,
    next,
    /** Integer in [min, max], both inclusive. */
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    float(min, max) {
      return min + next() * (max - min);
    },
    chance(p) {
      return next() < p;
    },
    pick(list) {
      if (list.length === 0) throw new Error('pick() from an empty list');
      return list[Math.floor(next() * list.length)];
    },
    /** pairs: [[value, weight], ...] */
    weighted(pairs) {
      const total = pairs.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of pairs) {
        if ((r -= w) < 0) return value;
      }
      return pairs[pairs.length - 1][0];
    },
    shuffle(list) {
      const out = list.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    sample(list, k) {
      return rng.shuffle(list).slice(0, Math.max(0, Math.min(k, list.length)));
    },
    hex(length, upper = false) {
      let s = '';
      while (s.length < length) s += Math.floor(next() * 16).toString(16);
      return upper ? s.toUpperCase() : s;
    },
    guid() {
      const h = rng.hex(32);
      // Version 4 / variant bits so the value passes strict GUID validators.
      const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
    fork(sub) {
      return createRng(seed, label ? `${label}/${sub}` : String(sub));
    },
  };
  return rng;
}

// ---------------------------------------------------------------------------
// Vietnamese text helpers
// ---------------------------------------------------------------------------

/** "Nguyễn Thị Ánh" → "Nguyen Thi Anh" (đ/Đ are letters of their own, not combining marks). */
export function stripDiacritics(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

// Family names weighted roughly by their share of the population.
const FAMILY_NAMES = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 4], ['Huỳnh', 4], ['Phan', 4.5],
  ['Vũ', 3], ['Võ', 3], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3],
  ['Dương', 1], ['Lý', 0.5], ['Trương', 0.8], ['Đinh', 0.6], ['Lâm', 0.5], ['Mai', 0.4],
];
const MIDDLE_NAMES = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Thanh', 'Công', 'Anh', 'Hoàng', 'Gia', 'Xuân', 'Trọng'],
  female: ['Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Bảo', 'Hồng', 'Phương', 'Diệu', 'Khánh'],
};
const GIVEN_NAMES = {
  male: ['Anh', 'Bảo', 'Cường', 'Dũng', 'Duy', 'Đạt', 'Hải', 'Hiếu', 'Hoàng', 'Huy', 'Hùng', 'Khang',
    'Khoa', 'Long', 'Minh', 'Nam', 'Nghĩa', 'Phát', 'Phúc', 'Quân', 'Sơn', 'Tài', 'Thắng', 'Thịnh',
    'Trung', 'Tuấn', 'Việt', 'Vinh', 'Lộc', 'Đông'],
  female: ['Ánh', 'An', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hoa', 'Hương', 'Huyền', 'Lan',
    'Linh', 'Loan', 'Mai', 'My', 'Ngân', 'Ngọc', 'Nhung', 'Oanh', 'Phương', 'Quỳnh', 'Thảo', 'Thủy',
    'Trang', 'Trâm', 'Uyên', 'Vy', 'Yến', 'Tuyết'],
};

/**
 * A Vietnamese person: family + middle + given name, e.g. "Nguyễn Thị Ánh".
 * @returns {{name: string, gender: 'male'|'female', familyName: string, givenName: string}}
 */
export function vnPerson(rng, { gender } = {}) {
  const g = gender ?? (rng.chance(0.55) ? 'female' : 'male');
  const familyName = rng.weighted(FAMILY_NAMES);
  const middle = rng.pick(MIDDLE_NAMES[g]);
  const givenName = rng.pick(GIVEN_NAMES[g]);
  return { name: `${familyName} ${middle} ${givenName}`, gender: g, familyName, givenName };
}

/**
 * How shop staff actually type customer names into a POS: mostly full names, but also
 * "Chị Hằng", "Anh Tuấn - Q7", "Cô Mỹ Lan (Zalo)". Returns the typed name plus the gender
 * behind it (the gender is still known even when the name is informal).
 */
export function vnCustomerName(rng) {
  const person = vnPerson(rng);
  const honorific = person.gender === 'female' ? rng.pick(['Chị', 'Cô', 'Em']) : rng.pick(['Anh', 'Chú', 'Em']);
  const name = rng.weighted([
    [person.name, 78],
    [`${honorific} ${person.givenName}`, 8],
    [`${honorific} ${person.givenName} - ${rng.pick(['Q7', 'Q1', 'Thủ Đức', 'Gò Vấp', 'Cầu Giấy', 'Đống Đa'])}`, 5],
    [`${honorific} ${person.givenName} (${rng.pick(['Zalo', 'FB', 'Shopee', 'khách quen'])})`, 5],
    [person.name.toUpperCase(), 2],
    [stripDiacritics(person.name), 2], // typed without a Vietnamese keyboard
  ]);
  return { ...person, name };
}

const SHOP_WORDS = ['Minh Tâm', 'Song Nam', 'Hoàng Gia', 'Phúc An', 'Thành Đạt', 'Mẹ Bắp', 'Bảo Ngọc', 'Kim Long', 'Hải Đăng', 'An Khang'];

/** Business customers: "Tạp hóa Minh Tâm", "Công ty TNHH Thương mại Hoàng Gia", ... */
export function vnBusinessName(rng) {
  const w = rng.pick(SHOP_WORDS);
  return rng.weighted([
    [{ name: `Tạp hóa ${w}`, company: false }, 4],
    [{ name: `Cà Phê ${w}`, company: false }, 3],
    [{ name: `Shop ${w}`, company: false }, 3],
    [{ name: `Nhà thuốc ${w}`, company: false }, 1],
    [{ name: `Công ty TNHH Thương mại ${w}`, company: true }, 2],
    [{ name: `Công ty Cổ phần Đầu tư ${w}`, company: true }, 1],
  ]);
}

// ---------------------------------------------------------------------------
// Addresses (pre-2025 three-level administrative units, as the platforms still store them)
// ---------------------------------------------------------------------------

/** province → district → wards. Weights favour the two big cities, as real order data does. */
export const VN_LOCATIONS = [
  { province: 'Hồ Chí Minh', weight: 34, districts: {
    'Quận 1': ['Phường Bến Nghé', 'Phường Bến Thành', 'Phường Đa Kao', 'Phường Tân Định', 'Phường Nguyễn Thái Bình', 'Phường Phạm Ngũ Lão'],
    'Quận 3': ['Phường Võ Thị Sáu', 'Phường 4', 'Phường 5', 'Phường 9', 'Phường 14'],
    'Quận 7': ['Phường Tân Phong', 'Phường Tân Phú', 'Phường Tân Hưng', 'Phường Bình Thuận'],
    'Quận Bình Thạnh': ['Phường 1', 'Phường 3', 'Phường 13', 'Phường 24', 'Phường 25', 'Phường 26'],
    'Quận Tân Bình': ['Phường 2', 'Phường 4', 'Phường 12', 'Phường 13', 'Phường 15'],
    'Quận Gò Vấp': ['Phường 1', 'Phường 5', 'Phường 10', 'Phường 17'],
    'Thành phố Thủ Đức': ['Phường Linh Trung', 'Phường Hiệp Bình Chánh', 'Phường Thảo Điền', 'Phường An Phú'],
    'Huyện Bình Chánh': ['Xã Vĩnh Lộc A', 'Xã Bình Hưng', 'Thị trấn Tân Túc'],
  } },
  { province: 'Hà Nội', weight: 26, districts: {
    'Quận Hoàn Kiếm': ['Phường Hàng Bạc', 'Phường Tràng Tiền', 'Phường Hàng Bông', 'Phường Lý Thái Tổ'],
    'Quận Ba Đình': ['Phường Kim Mã', 'Phường Ngọc Hà', 'Phường Liễu Giai', 'Phường Điện Biên'],
    'Quận Cầu Giấy': ['Phường Dịch Vọng', 'Phường Nghĩa Đô', 'Phường Quan Hoa', 'Phường Yên Hòa'],
    'Quận Đống Đa': ['Phường Láng Hạ', 'Phường Ô Chợ Dừa', 'Phường Văn Miếu', 'Phường Trung Liệt'],
    'Quận Hai Bà Trưng': ['Phường Bạch Đằng', 'Phường Lê Đại Hành', 'Phường Minh Khai'],
    'Huyện Gia Lâm': ['Thị trấn Trâu Quỳ', 'Xã Đa Tốn', 'Xã Kiêu Kỵ'],
  } },
  { province: 'Đà Nẵng', weight: 6, districts: {
    'Quận Hải Châu': ['Phường Thạch Thang', 'Phường Hải Châu I', 'Phường Phước Ninh', 'Phường Hòa Cường Bắc'],
    'Quận Sơn Trà': ['Phường An Hải Bắc', 'Phường Phước Mỹ', 'Phường Mân Thái'],
    'Quận Thanh Khê': ['Phường Chính Gián', 'Phường Thạc Gián'],
  } },
  { province: 'Hải Phòng', weight: 4, districts: {
    'Quận Lê Chân': ['Phường An Biên', 'Phường Dư Hàng Kênh'],
    'Quận Ngô Quyền': ['Phường Máy Tơ', 'Phường Lạch Tray'],
  } },
  { province: 'Cần Thơ', weight: 4, districts: {
    'Quận Ninh Kiều': ['Phường Tân An', 'Phường An Hòa', 'Phường Xuân Khánh', 'Phường Hưng Lợi'],
  } },
  { province: 'Bình Dương', weight: 5, districts: {
    'Thành phố Thủ Dầu Một': ['Phường Phú Cường', 'Phường Hiệp Thành', 'Phường Chánh Nghĩa'],
    'Thành phố Dĩ An': ['Phường Dĩ An', 'Phường Đông Hòa'],
  } },
  { province: 'Đồng Nai', weight: 4, districts: {
    'Thành phố Biên Hòa': ['Phường Tân Phong', 'Phường Trảng Dài', 'Phường Quang Vinh'],
  } },
  { province: 'Khánh Hòa', weight: 3, districts: {
    'Thành phố Nha Trang': ['Phường Lộc Thọ', 'Phường Vĩnh Hải', 'Phường Phước Hải'],
  } },
  { province: 'Thừa Thiên Huế', weight: 2, districts: {
    'Thành phố Huế': ['Phường Phú Hội', 'Phường Vĩnh Ninh', 'Phường Thuận Hòa'],
  } },
  { province: 'Nghệ An', weight: 3, districts: {
    'Thành phố Vinh': ['Phường Hưng Bình', 'Phường Lê Lợi', 'Phường Quang Trung'],
  } },
  { province: 'Lâm Đồng', weight: 2, districts: {
    'Thành phố Đà Lạt': ['Phường 1', 'Phường 2', 'Phường 10'],
  } },
  { province: 'Quảng Ninh', weight: 2, districts: {
    'Thành phố Hạ Long': ['Phường Bãi Cháy', 'Phường Hồng Gai'],
  } },
  { province: 'Bắc Ninh', weight: 2, districts: {
    'Thành phố Bắc Ninh': ['Phường Suối Hoa', 'Phường Tiền An'],
    'Huyện Tiên Du': ['Thị trấn Lim', 'Xã Nội Duệ'],
  } },
  { province: 'Đắk Lắk', weight: 2, districts: {
    'Thành phố Buôn Ma Thuột': ['Phường Tân Lợi', 'Phường Thắng Lợi'],
  } },
];

const STREETS = ['Lê Lợi', 'Nguyễn Huệ', 'Trần Hưng Đạo', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Nguyễn Trãi',
  'Lê Duẩn', 'Phan Chu Trinh', 'Điện Biên Phủ', 'Hùng Vương', 'Quang Trung', 'Nguyễn Văn Cừ',
  'Cách Mạng Tháng Tám', 'Võ Văn Tần', 'Nguyễn Đình Chiểu', 'Xô Viết Nghệ Tĩnh', 'Láng Hạ', 'Kim Mã',
  'Bạch Đằng', 'Nguyễn Thị Minh Khai', 'Phạm Văn Đồng', 'Lê Văn Sỹ', 'Hoàng Văn Thụ', 'Trường Chinh'];

// Stable numeric id per (province, district), like a platform's location table.
const LOCATION_IDS = new Map();
{
  let id = 1;
  for (const loc of VN_LOCATIONS) for (const d of Object.keys(loc.districts)) LOCATION_IDS.set(`${loc.province}|${d}`, id++);
}

/**
 * An address as shops type it: street part + ward/district/province.
 * @returns {{street, ward, district, province, locationIndex}}
 */
export function vnAddress(rng) {
  const loc = rng.weighted(VN_LOCATIONS.map((l) => [l, l.weight]));
  const district = rng.pick(Object.keys(loc.districts));
  const ward = rng.pick(loc.districts[district]);
  const street = rng.pick(STREETS);
  const n = rng.int(1, 350);
  const streetPart = rng.weighted([
    [`${n} ${street}`, 50],
    [`${n}/${rng.int(1, 40)}/${rng.int(1, 30)} ${street}`, 15],
    [`${n}${rng.pick(['A', 'B', 'C'])} ${street}`, 10],
    [`Số ${rng.int(1, 60)} ngõ ${rng.int(2, 200)} ${street}`, 10],
    [`Tổ ${rng.int(1, 20)}, ấp ${rng.int(1, 9)}`, 5],
    [`Lô ${rng.pick(['A', 'B', 'C', 'D'])}${rng.int(1, 30)} KDC ${rng.pick(['Him Lam', 'Nam Long', 'Sala', 'Vạn Phúc'])}`, 5],
    [`Chung cư ${rng.pick(['Sunrise City', 'Vinhomes Central Park', 'The Sun Avenue', 'Times City'])}, tòa ${rng.pick(['A', 'B', 'S1', 'T2'])}, căn ${rng.int(2, 30)}0${rng.int(1, 9)}`, 5],
  ]);
  return { street: streetPart, ward, district, province: loc.province, locationId: LOCATION_IDS.get(`${loc.province}|${district}`) };
}

// ---------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------

// Current (post-2018) mobile prefixes per network.
const MOBILE_PREFIXES = [
  '032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097', '098', // Viettel
  '081', '082', '083', '084', '085', '088', '091', '094', // VinaPhone
  '070', '076', '077', '078', '079', '089', '090', '093', // MobiFone
  '052', '056', '058', '092', // Vietnamobile
  '059', '099', // Gmobile
];
// Old 11-digit prefixes, renumbered in 2018 — still found in records typed before then.
export const LEGACY_PHONE_PREFIXES = {
  '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036', '0167': '037', '0168': '038', '0169': '039',
  '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
  '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
  '0186': '056', '0188': '058', '0199': '059',
};
const LANDLINE_AREAS = ['028', '024', '0236', '0225', '0292'];

/** A canonical 10-digit mobile number, e.g. "0912345678". */
export function vnMobile(rng) {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 9_999_999)).padStart(7, '0');
}

/**
 * A phone as found in real shop data: mostly plain 10-digit mobiles, plus spaced, dotted,
 * +84, legacy 11-digit and landline forms, occasionally two numbers in one field, an empty
 * string, or nothing at all (returns undefined — the caller then omits the field).
 */
export function vnPhone(rng) {
  const mobile = vnMobile(rng);
  const national = mobile.slice(1); // without the trunk 0
  const spaced = `${mobile.slice(0, 4)} ${mobile.slice(4, 7)} ${mobile.slice(7)}`;
  const kind = rng.weighted([
    ['plain', 62], ['spaced', 9], ['dotted', 4], ['intlSpaced', 7], ['intl', 3], ['intlNoPlus', 2],
    ['legacy', 4], ['landline', 2], ['two', 1], ['empty', 2], ['absent', 4],
  ]);
  switch (kind) {
    case 'plain': return mobile;
    case 'spaced': return spaced;
    case 'dotted': return `${mobile.slice(0, 4)}.${mobile.slice(4, 7)}.${mobile.slice(7)}`;
    case 'intlSpaced': return `+84 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
    case 'intl': return `+84${national}`;
    case 'intlNoPlus': return `84${national}`;
    case 'legacy': return rng.pick(Object.keys(LEGACY_PHONE_PREFIXES)) + String(rng.int(0, 9_999_999)).padStart(7, '0');
    case 'landline': {
      const area = rng.pick(LANDLINE_AREAS);
      const local = String(rng.int(2_000_000, 3_999_999)).padStart(area.length === 3 ? 8 : 7, '3');
      return rng.chance(0.5) ? `${area} ${local.slice(0, 4)} ${local.slice(4)}` : area + local;
    }
    case 'two': return `${mobile} - ${vnMobile(rng)}`;
    case 'empty': return '';
    default: return undefined;
  }
}

/** "Nguyễn Thị Ánh" → "nguyenthianh88@gmail.com"-style addresses. */
export function vnEmail(rng, name) {
  const local = stripDiacritics(name).toLowerCase().replace(/[^a-z0-9]+/g, '');
  const suffix = rng.weighted([['', 3], [String(rng.int(80, 99)), 3], [String(rng.int(1, 999)), 2], [`.${rng.int(1990, 2005)}`, 1]]);
  const domain = rng.weighted([['gmail.com', 70], ['yahoo.com', 8], ['outlook.com', 6], ['icloud.com', 6], ['hotmail.com', 5], ['fpt.com.vn', 2]]);
  return `${local || 'khachhang'}${suffix}@${domain}`;
}

/** EAN-13 with a valid check digit; 893 is Vietnam's GS1 prefix. */
export function ean13(rng, prefix = '893') {
  let digits = prefix;
  while (digits.length < 12) digits += String(rng.int(0, 9));
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * (i % 2 ? 3 : 1), 0);
  return digits + ((10 - (sum % 10)) % 10);
}

// ---------------------------------------------------------------------------
// Product catalogue (platform-neutral templates; each simulator shapes its own rows)
// ---------------------------------------------------------------------------
//
// kind drives how a simulator expands a template:
//   fashion/shoes/cosmetic/phone-accessory → variant groups (attributes)
//   packaged → unit families (bottle / pack / case)
//   bulk     → sold by weight, fractional quantities
//   simple, service, combo → single rows

const COLORS = ['Đỏ', 'Đen', 'Trắng', 'Xanh navy', 'Be', 'Hồng pastel', 'Xám', 'Xanh rêu'];

export const PRODUCT_TEMPLATES = [
  // Thời trang
  { name: 'Áo thun basic', category: 'Áo', unit: 'cái', price: [99000, 199000], kind: 'fashion', brands: ['NoBrand', 'Coolmate'], weight: 200 },
  { name: 'Áo thun cổ tròn oversize', category: 'Áo', unit: 'cái', price: [149000, 259000], kind: 'fashion', brands: ['Coolmate', 'Routine'], weight: 250 },
  { name: 'Áo sơ mi công sở', category: 'Áo', unit: 'cái', price: [249000, 459000], kind: 'fashion', brands: ['Routine', 'Owen'], weight: 300 },
  { name: 'Áo polo nam', category: 'Áo', unit: 'cái', price: [199000, 349000], kind: 'fashion', brands: ['Coolmate'], weight: 280 },
  { name: 'Áo khoác gió', category: 'Áo', unit: 'cái', price: [299000, 599000], kind: 'fashion', brands: ['NoBrand'], weight: 450 },
  { name: 'Áo hoodie nỉ', category: 'Áo', unit: 'cái', price: [259000, 459000], kind: 'fashion', brands: [], weight: 600 },
  { name: 'Đầm maxi đi biển', category: 'Váy đầm', unit: 'cái', price: [229000, 399000], kind: 'fashion', brands: [], weight: 350 },
  { name: 'Chân váy xếp ly', category: 'Váy đầm', unit: 'cái', price: [159000, 289000], kind: 'fashion', brands: [], weight: 250 },
  { name: 'Quần jean nam slim fit', category: 'Quần', unit: 'cái', price: [299000, 549000], kind: 'fashion', brands: ['Owen', 'NoBrand'], weight: 650 },
  { name: 'Quần tây âu', category: 'Quần', unit: 'cái', price: [259000, 459000], kind: 'fashion', brands: ['Owen'], weight: 500 },
  { name: 'Quần short kaki', category: 'Quần', unit: 'cái', price: [159000, 259000], kind: 'fashion', brands: [], weight: 350 },
  { name: 'Giày sneaker trắng', category: 'Giày dép', unit: 'đôi', price: [390000, 890000], kind: 'shoes', brands: ['Biti\'s Hunter', 'Ananas'], weight: 800 },
  { name: 'Dép quai ngang', category: 'Giày dép', unit: 'đôi', price: [59000, 149000], kind: 'shoes', brands: ['Biti\'s'], weight: 300 },
  { name: 'Sandal nữ đế bệt', category: 'Giày dép', unit: 'đôi', price: [129000, 259000], kind: 'shoes', brands: [], weight: 400 },
  // Mỹ phẩm
  { name: 'Sữa rửa mặt trà xanh', category: 'Mỹ phẩm', unit: 'chai', price: [95000, 185000], kind: 'cosmetic', brands: ['Cocoon', 'Innisfree'], weight: 180 },
  { name: 'Kem chống nắng SPF50', category: 'Mỹ phẩm', unit: 'tuýp', price: [185000, 465000], kind: 'cosmetic', brands: ['La Roche-Posay', 'Anessa'], weight: 80 },
  { name: 'Son kem lì', category: 'Mỹ phẩm', unit: 'cây', price: [119000, 299000], kind: 'lipstick', brands: ['Black Rouge', 'Romand'], weight: 30 },
  { name: 'Nước tẩy trang 400ml', category: 'Mỹ phẩm', unit: 'chai', price: [159000, 399000], kind: 'simple', brands: ['Bioderma', 'Garnier'], weight: 450 },
  { name: 'Dầu gội bưởi', category: 'Mỹ phẩm', unit: 'chai', price: [145000, 195000], kind: 'simple', brands: ['Cocoon'], weight: 320 },
  // Đồ uống / thực phẩm đóng gói
  { name: 'Nước suối 500ml', category: 'Đồ uống', unit: 'chai', price: [4000, 6000], kind: 'packaged', packs: [['lốc', 6], ['thùng', 24]], brands: ['Lavie', 'Aquafina'], weight: 520 },
  { name: 'Trà xanh 0 độ 455ml', category: 'Đồ uống', unit: 'chai', price: [9000, 11000], kind: 'packaged', packs: [['thùng', 24]], brands: ['Tân Hiệp Phát'], weight: 480 },
  { name: 'Cà phê sữa đá lon', category: 'Đồ uống', unit: 'lon', price: [12000, 15000], kind: 'packaged', packs: [['lốc', 6], ['thùng', 24]], brands: ['Highlands Coffee'], weight: 250 },
  { name: 'Sữa tươi tiệt trùng 180ml', category: 'Đồ uống', unit: 'hộp', price: [7500, 8500], kind: 'packaged', packs: [['lốc', 4], ['thùng', 48]], brands: ['Vinamilk', 'TH true MILK'], weight: 190 },
  { name: 'Bia Sài Gòn lon', category: 'Đồ uống', unit: 'lon', price: [14000, 17000], kind: 'packaged', packs: [['thùng', 24]], brands: ['Sabeco'], weight: 360 },
  { name: 'Mì Hảo Hảo tôm chua cay', category: 'Thực phẩm', unit: 'gói', price: [4000, 5000], kind: 'packaged', packs: [['thùng', 30]], brands: ['Acecook'], weight: 75 },
  { name: 'Nước mắm Phú Quốc 40 độ', category: 'Thực phẩm', unit: 'chai', price: [65000, 120000], kind: 'simple', brands: ['Hưng Thịnh'], weight: 700 },
  { name: 'Hạt điều rang muối 500g', category: 'Thực phẩm', unit: 'hũ', price: [150000, 220000], kind: 'simple', brands: [], weight: 550 },
  { name: 'Bánh pía sầu riêng', category: 'Thực phẩm', unit: 'hộp', price: [65000, 95000], kind: 'simple', brands: ['Tân Huê Viên'], weight: 500 },
  { name: 'Khô gà lá chanh', category: 'Thực phẩm', unit: 'hũ', price: [59000, 99000], kind: 'simple', brands: [], weight: 300 },
  { name: 'Kẹo dừa Bến Tre', category: 'Thực phẩm', unit: 'gói', price: [25000, 45000], kind: 'simple', brands: [], weight: 400 },
  // Hàng cân ký
  { name: 'Gạo ST25', category: 'Gạo', unit: 'kg', price: [32000, 38000], kind: 'bulk', brands: ['Ông Cua'], weight: 1000 },
  { name: 'Gạo nở', category: 'Gạo', unit: 'kg', price: [15500, 18500], kind: 'bulk', brands: [], weight: 1000 },
  { name: 'Gạo tám thơm', category: 'Gạo', unit: 'kg', price: [19000, 24000], kind: 'bulk', brands: [], weight: 1000 },
  { name: 'Cà phê hạt rang xay', category: 'Cà phê', unit: 'kg', price: [220000, 380000], kind: 'bulk', brands: ['Trung Nguyên'], weight: 1000 },
  { name: 'Đường cát trắng', category: 'Thực phẩm', unit: 'kg', price: [21000, 26000], kind: 'bulk', brands: ['Biên Hòa'], weight: 1000 },
  // Gia dụng
  { name: 'Nồi cơm điện 1.8L', category: 'Gia dụng', unit: 'cái', price: [590000, 1490000], kind: 'simple', brands: ['Sunhouse', 'Cuckoo'], weight: 3200 },
  { name: 'Chảo chống dính 26cm', category: 'Gia dụng', unit: 'cái', price: [189000, 459000], kind: 'simple', brands: ['Sunhouse'], weight: 900 },
  { name: 'Bình giữ nhiệt 500ml', category: 'Gia dụng', unit: 'cái', price: [159000, 399000], kind: 'fashion-lite', brands: ['Lock&Lock'], weight: 350 },
  { name: 'Khăn tắm cotton', category: 'Gia dụng', unit: 'cái', price: [79000, 159000], kind: 'fashion-lite', brands: [], weight: 400 },
  { name: 'Nước rửa chén 750ml', category: 'Gia dụng', unit: 'chai', price: [29000, 39000], kind: 'packaged', packs: [['thùng', 12]], brands: ['Sunlight'], weight: 800 },
  { name: 'Giấy vệ sinh 10 cuộn', category: 'Gia dụng', unit: 'bịch', price: [75000, 110000], kind: 'simple', brands: ['Bless You', 'Pulppy'], weight: 1200 },
  // Phụ kiện điện thoại
  { name: 'Cáp sạc Type-C 1m', category: 'Phụ kiện', unit: 'cái', price: [59000, 199000], kind: 'simple', brands: ['Anker', 'Baseus'], weight: 60 },
  { name: 'Tai nghe bluetooth', category: 'Phụ kiện', unit: 'cái', price: [290000, 1290000], kind: 'serial', brands: ['Anker', 'Xiaomi'], weight: 120 },
  { name: 'Sạc dự phòng 10000mAh', category: 'Phụ kiện', unit: 'cái', price: [299000, 599000], kind: 'serial', brands: ['Anker', 'Xiaomi'], weight: 250 },
  { name: 'Ốp lưng iPhone', category: 'Phụ kiện', unit: 'cái', price: [49000, 149000], kind: 'phone-accessory', brands: [], weight: 40 },
  // Dịch vụ và combo
  { name: 'Phí giao hàng nội thành', category: 'Dịch vụ', unit: '', price: [15000, 30000], kind: 'service', brands: [], weight: 0 },
  { name: 'Gói quà', category: 'Dịch vụ', unit: 'lần', price: [10000, 20000], kind: 'service', brands: [], weight: 0 },
  { name: 'Combo quà Tết An Khang', category: 'Combo', unit: 'hộp', price: [450000, 890000], kind: 'combo', brands: [], weight: 2500 },
  { name: 'Combo chăm sóc da', category: 'Combo', unit: 'bộ', price: [390000, 690000], kind: 'combo', brands: [], weight: 600 },
];

/** Attribute axes per template kind; attribute names are upper-case as POS systems store them. */
export const VARIANT_AXES = {
  fashion: [['MÀU SẮC', COLORS], ['KÍCH THƯỚC', ['S', 'M', 'L', 'XL', 'XXL']]],
  'fashion-lite': [['MÀU SẮC', COLORS]],
  shoes: [['MÀU SẮC', ['Đen', 'Trắng', 'Be', 'Xám']], ['SIZE', ['36', '37', '38', '39', '40', '41', '42', '43']]],
  cosmetic: [['DUNG TÍCH', ['30ml', '50ml', '100ml', '150ml']]],
  lipstick: [['MÀU SON', ['01 Đỏ gạch', '02 Hồng đất', '03 Cam cháy', '04 Đỏ rượu', '05 Nude']]],
  'phone-accessory': [['MODEL', ['iPhone 13', 'iPhone 14', 'iPhone 15', 'iPhone 15 Pro Max', 'iPhone 16']], ['MÀU SẮC', ['Trong suốt', 'Đen', 'Hồng']]],
};

/** Rounds VND to the nearest `step` (shops price in thousands). */
export function roundVnd(amount, step = 1000) {
  return Math.round(amount / step) * step;
}

// ---------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------

export const VN_OFFSET_MS = 7 * 3600 * 1000; // Vietnam is UTC+7 all year (no DST)
export const DAY_MS = 86_400_000;

/**
 * Vietnam wall-clock time without offset, e.g. "2025-03-19T17:58:36.4470000".
 * fractionDigits: 0 (no fraction), 3, or 7 (the last four are zeros: we keep ms precision).
 */
export function formatVnLocal(ms, fractionDigits = 7) {
  const iso = new Date(ms + VN_OFFSET_MS).toISOString(); // "YYYY-MM-DDTHH:mm:ss.sssZ"
  const base = iso.slice(0, 19);
  if (fractionDigits === 0) return base;
  return `${base}.${(iso.slice(20, 23) + '0000').slice(0, fractionDigits)}`;
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-like datetime to epoch ms. Strings without an offset are read as local
 * time at `offsetMs` (Vietnam by default); a trailing Z/±hh:mm is honoured.
 * Any number of fractional digits is accepted. Sub-millisecond digits are rounded by
 * `subMs`: 'ceil' suits inclusive lower bounds on ms-precision data (a record at .447 is
 * NOT >= .4470001), 'floor' suits upper bounds.
 * Returns NaN when the text is not a datetime.
 */
export function parseDateTime(text, { offsetMs = VN_OFFSET_MS, subMs = 'ceil' } = {}) {
  const m = DATETIME_RE.exec(String(text).trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const fracDigits = (frac + '000').slice(0, 3);
  const rest = frac.slice(3).replace(/0+$/, '');
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +fracDigits);
  // Date.UTC silently rolls over invalid parts (Feb 30 → Mar 2); reject those.
  const check = new Date(ms);
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return NaN;
  if (rest && subMs === 'ceil') ms += 1;
  if (!zone) return ms - offsetMs;
  if (zone.toUpperCase() === 'Z') return ms;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  return ms - sign * offset;
}

// ---------------------------------------------------------------------------
// Rate limiting
// ---------------------------------------------------------------------------

/**
 * Sliding-window (log) limiter: at most `limit` hits per key in any `windowMs` span.
 * A rejected hit is not recorded, so a client that backs off recovers as the window slides.
 * `now` is injectable so tests can move time without sleeping.
 */
export function createRateLimiter({ limit, windowMs, now = Date.now }) {
  const hits = new Map(); // key → ascending timestamps
  function prune(list, t) {
    let i = 0;
    while (i < list.length && list[i] <= t - windowMs) i++;
    if (i) list.splice(0, i);
  }
  return {
    limit,
    windowMs,
    /** @returns {{allowed: boolean, remaining: number, retryAfterMs: number}} */
    hit(key) {
      const t = now();
      let list = hits.get(key);
      if (!list) hits.set(key, (list = []));
      prune(list, t);
      if (list.length >= limit) {
        return { allowed: false, remaining: 0, retryAfterMs: Math.max(0, list[0] + windowMs - t) };
      }
      list.push(t);
      return { allowed: true, remaining: limit - list.length, retryAfterMs: 0 };
    },
    count(key) {
      const list = hits.get(key);
      if (!list) return 0;
      prune(list, now());
      return list.length;
    },
    reset() {
      hits.clear();
    },
  };
}

/**
 * Leaky bucket (Shopify-style call limit, as Sapo and Haravan run it): each call adds one,
 * the bucket drains `leakPerSecond` continuously, a call that would overflow `capacity` is
 * refused. `timeScale` speeds the drain (10 = ten times faster than real time) so long
 * syncs can run fast against a real clock; with an injected virtual `now` keep it at 1.
 */
export function createLeakyBucket({ capacity, leakPerSecond, now = Date.now, timeScale = 1 }) {
  if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  const buckets = new Map(); // key → {level, at}
  function drained(key) {
    const t = now();
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { level: 0, at: t }));
    const elapsed = Math.max(0, t - b.at) / 1000;
    b.level = Math.max(0, b.level - elapsed * leakPerSecond * timeScale);
    b.at = t;
    return b;
  }
  return {
    capacity,
    leakPerSecond,
    timeScale,
    /** @returns {{allowed: boolean, used: number, retryAfterMs: number}} used: calls in the bucket, rounded up */
    hit(key) {
      const b = drained(key);
      if (b.level + 1 > capacity + 1e-9) {
        const retryAfterMs = ((b.level + 1 - capacity) / (leakPerSecond * timeScale)) * 1000;
        return { allowed: false, used: capacity, retryAfterMs };
      }
      b.level += 1;
      return { allowed: true, used: Math.min(capacity, Math.ceil(b.level - 1e-9)), retryAfterMs: 0 };
    },
    /** Adds calls made by someone else (another app of the same shop). */
    spend(key, calls) {
      const b = drained(key);
      b.level = Math.min(capacity, b.level + calls);
    },
    used(key) {
      return Math.ceil(drained(key).level - 1e-9);
    },
    reset() {
      buckets.clear();
    },
  };
}

/** Base64 HMAC-SHA256 of a raw body: how Sapo and Haravan (and Shopify) sign webhooks. */
export function hmacSha256Base64(secret, body) {
  return createHmac('sha256', secret).update(body).digest('base64');
}

// ---------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------

const FAULT_RATE_KEYS = ['rate429', 'rate5xx', 'rateTruncated', 'rateSlow'];

/**
 * Decides, per request, whether to misbehave. Deterministic: the decision for the n-th
 * request depends only on (seed, n, rates), because every call draws exactly two numbers
 * whether or not a fault fires — so scripted faults never shift the random ones.
 *
 * next() returns null or one of:
 *   {status, body?, headers?, source}   answer with this status instead of handling
 *   {truncated: true, source}           handle normally, then cut the body short
 *   {delayMs, source}                   wait, then handle normally
 * failNext([...]) queues scripted faults that take precedence, one per request.
 */
export function createFaultInjector({ seed = 1, label = 'faults', rates = {} } = {}) {
  let rng = createRng(seed, label);
  let config = normalizeFaultRates({ slowMs: 1500, ...rates });
  const queue = [];
  return {
    next() {
      const r1 = rng.next();
      const r2 = rng.next();
      if (queue.length) return { ...queue.shift(), source: 'scripted' };
      let edge = config.rate429;
      if (r1 < edge) return { status: 429, source: 'random' };
      if (r1 < (edge += config.rate5xx)) return { status: [500, 502, 503][Math.floor(r2 * 3)], source: 'random' };
      if (r1 < (edge += config.rateTruncated)) return { truncated: true, source: 'random' };
      if (r1 < (edge += config.rateSlow)) return { delayMs: config.slowMs, source: 'random' };
      return null;
    },
    failNext(list) {
      const items = Array.isArray(list) ? list : [list];
      for (const item of items) {
        const ok = item && (Number.isInteger(item.status) || item.truncated === true || Number.isFinite(item.delayMs));
        if (!ok) throw new Error('failNext entries need {status, body?, headers?}, {truncated: true} or {delayMs}');
      }
      queue.push(...items.map((item) => ({ ...item })));
      return queue.length;
    },
    set(partial) {
      config = normalizeFaultRates({ ...config, ...partial });
      return { ...config };
    },
    config() {
      return { ...config };
    },
    pending() {
      return queue.length;
    },
    reset(newRates = {}) {
      rng = createRng(seed, label);
      config = normalizeFaultRates({ slowMs: 1500, ...newRates });
      queue.length = 0;
    },
  };
}

function normalizeFaultRates(input) {
  const out = { slowMs: Number(input.slowMs ?? 1500) };
  let sum = 0;
  for (const key of FAULT_RATE_KEYS) {
    const v = Number(input[key] ?? 0);
    if (!(v >= 0 && v <= 1)) throw new Error(`fault ${key} must be within [0, 1], got ${input[key]}`);
    out[key] = v;
    sum += v;
  }
  if (sum > 1 + 1e-9) throw new Error(`fault rates add up to ${sum} (> 1)`);
  return out;
}

/** The body a gateway in front of an API sends for 502/503: HTML, not JSON. */
export function gatewayErrorHtml(status) {
  const title = { 502: '502 Bad Gateway', 503: '503 Service Temporarily Unavailable', 504: '504 Gateway Time-out' }[status] ?? `${status} Error`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

// ---------------------------------------------------------------------------
// JSON and HTTP plumbing
// ---------------------------------------------------------------------------

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * JSON text with money written the way .NET APIs write decimals: `16500.000000` rather
 * than `16500` (parsers that demand an integer for such a field then fail, as in reality).
 * `decimals` maps a key — or "parentKey.key", which wins — to a number of fraction digits;
 * for array elements the parent key is the array's key. Keys with undefined values are
 * omitted, as JSON.stringify does.
 */
export function toJsonText(value, { decimals = {} } = {}) {
  function write(v, key, parentKey) {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'number': {
        if (!Number.isFinite(v)) return 'null';
        const scale = decimals[`${parentKey}.${key}`] ?? decimals[key];
        return scale === undefined ? String(v) : v.toFixed(scale);
      }
      case 'string': return JSON.stringify(v);
      case 'boolean': return v ? 'true' : 'false';
      case 'bigint': return v.toString();
      case 'object': {
        if (Array.isArray(v)) return `[${v.map((el) => write(el, key, parentKey) ?? 'null').join(',')}]`;
        if (typeof v.toJSON === 'function') return write(v.toJSON(), key, parentKey);
        const parts = [];
        for (const [k, child] of Object.entries(v)) {
          const text = write(child, k, key);
          if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
        }
        return `{${parts.join(',')}}`;
      }
      default: return undefined; // undefined, functions, symbols
    }
  }
  return write(value, '', '');
}

/** Sends a string or Buffer body; `truncate` cuts it mid-way (bytes) with a matching Content-Length. */
export function sendText(res, status, text, { headers = {}, contentType = 'application/json; charset=utf-8', truncate = false } = {}) {
  let buf = Buffer.from(text ?? '', 'utf8');
  if (truncate && buf.length > 1) buf = buf.subarray(0, Math.floor(buf.length / 2));
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

/** The plain JSON reply helper: JSON.stringify the value (undefined keys vanish). */
export function sendJson(res, status, value, options = {}) {
  sendText(res, status, value === undefined ? '' : JSON.stringify(value), options);
}

/** Reads a request body as UTF-8 text; rejects with HttpError(413) beyond `limit` bytes. */
export function readBody(req, { limit = 1 << 20 } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body larger than ${limit} bytes`));
        req.resume(); // drain the rest so the client still gets our answer
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (failed) return;
      failed = true;
      reject(err);
    });
  });
}

/** readBody + JSON.parse; an empty body yields `fallback`. Bad JSON → HttpError(400). */
export async function readJson(req, { limit, fallback = {} } = {}) {
  const text = await readBody(req, { limit });
  if (!text.trim()) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/**
 * Query parameters with case-insensitive names (ServiceStack-style binding) and list
 * support: `?status=1&status=3`, `?status=1,3`, `?status[]=1` and `?status=[1,3]` all
 * give getList('status') → ['1', '3'].
 */
export function queryParams(searchParams) {
  const map = new Map();
  for (const [rawKey, value] of searchParams) {
    const key = rawKey.toLowerCase().replace(/\[\]$/, '');
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(value);
  }
  return {
    has: (name) => map.has(name.toLowerCase()),
    get: (name) => map.get(name.toLowerCase())?.[0],
    getList(name) {
      const values = map.get(name.toLowerCase()) ?? [];
      return values.flatMap((v) => v.replace(/^\[|\]$/g, '').split(',')).map((v) => v.trim()).filter(Boolean);
    },
    keys: () => [...map.keys()],
  };
}

/** Request/response counters shared by all simulators. */
export function createRequestStats() {
  let data;
  const reset = () => {
    data = { total: 0, byRoute: {}, byStatus: {}, counters: {} };
  };
  reset();
  return {
    record(route, status) {
      data.total++;
      const perRoute = (data.byRoute[route] ??= {});
      perRoute[status] = (perRoute[status] ?? 0) + 1;
      data.byStatus[status] = (data.byStatus[status] ?? 0) + 1;
    },
    bump(counter, by = 1) {
      data.counters[counter] = (data.counters[counter] ?? 0) + by;
    },
    snapshot() {
      return structuredClone(data);
    },
    reset,
  };
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Starts an HTTP server on a loopback address (simulators must never be reachable from
 * the network). Handler errors become a JSON 500 (or the HttpError's status).
 * @returns {Promise<{url: string, port: number, server: http.Server, close: () => Promise<void>}>}
 */
export async function startServer(handler, { port = 0, host = '127.0.0.1' } = {}) {
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`simulators listen on loopback only, not ${host}`);
  const server = http.createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err) => {
        if (res.headersSent) return res.destroy();
        const status = err instanceof HttpError ? err.status : 500;
        sendJson(res, status, { error: err.message || 'internal error' });
      });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${actualPort}`,
    port: actualPort,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      }),
  };
}

// ---------------------------------------------------------------------------
// Outgoing webhooks (simulators posting to a receiver, as the platforms do)
// ---------------------------------------------------------------------------

/**
 * POSTs `body` as JSON to `url` with extra `headers` (e.g. Nhanh's Authorization verify token,
 * Pancake's x-store-id). Resolves to {status, body} of the receiver's answer; a network
 * failure resolves to {status: 0, error}, as a platform logs a failed delivery.
 */
export async function postJson(url, body, headers = {}, { timeoutMs = 10_000 } = {}) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, error: err?.message ?? String(err) };
  }
}

// ---------------------------------------------------------------------------
// Shared pieces of the newer simulators (Odoo, Getfly, MISA)
// ---------------------------------------------------------------------------

/**
 * The /__sandbox/* control plane every simulator offers (no auth; loopback only):
 *   GET  info | stats | truth/<entity>
 *   POST <action> with a JSON body, dispatched to `actions[action](body)`.
 * Returns true when the request was a control request (and has been answered).
 */
export async function handleSandboxControl(req, res, url, { info, stats, truth, actions }) {
  const path = url.pathname.replace(/\/+$/, '');
  if (!/^\/__sandbox(\/|$)/i.test(path)) return false;
  const reply = (status, value) => sendText(res, status, JSON.stringify(value));
  try {
    const [action = 'info', arg] = path.slice('/__sandbox'.length).split('/').filter(Boolean);
    if (req.method === 'GET' && action === 'info') reply(200, info());
    else if (req.method === 'GET' && action === 'stats') reply(200, stats());
    else if (req.method === 'GET' && action === 'truth') reply(200, truth(arg ?? url.searchParams.get('entity')));
    else if (req.method === 'POST' && actions[action]) reply(200, await actions[action](await readJson(req)));
    else throw new HttpError(404, `unknown control ${req.method} /__sandbox/${action}`);
  } catch (err) {
    reply(err instanceof HttpError ? err.status : 400, { error: err.message });
  }
  return true;
}

/**
 * Applies the fault injector's decision for one request. Returns true when the request was
 * answered (an injected status) or must not be served; sets ctx.truncate for cut bodies.
 * `body(status)` gives the platform's own error body for an injected status.
 */
export async function applyFault(faults, stats, res, ctx, { body = () => '', pendingTimers } = {}) {
  const fault = faults.next();
  if (!fault) return false;
  stats.bump('faultsInjected');
  if (fault.delayMs) {
    await new Promise((resolve) => {
      const timer = setTimeout(() => (pendingTimers?.delete(timer), resolve()), fault.delayMs);
      pendingTimers?.add(timer);
    });
    if (res.destroyed) return true;
  }
  if (fault.truncated) ctx.truncate = true;
  if (!fault.status) return false;
  stats.record(ctx.route ?? 'fault', fault.status);
  if (fault.status === 502 || fault.status === 503 || fault.status === 504) {
    sendText(res, fault.status, gatewayErrorHtml(fault.status), { headers: fault.headers ?? {}, contentType: 'text/html' });
  } else {
    sendText(res, fault.status, fault.body ?? body(fault.status), { headers: fault.headers ?? {} });
  }
  return true;
}

/** UTC wall-clock "YYYY-MM-DD HH:MM:SS" (Odoo's datetime format). */
export function formatUtcSeconds(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
