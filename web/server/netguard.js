// Where the proxy may connect. Two independent gates:
//  1. the host NAME must be on the connection's allowlist (the platform's apiHosts, its
//     apiHostPatterns such as "*.mysapo.net", the connection's own shop host / Odoo URL);
//  2. every ADDRESS the name resolves to must be public: loopback, private, link-local (cloud
//     metadata 169.254.169.254), CGNAT, multicast, reserved, and IPv6 forms that embed such an
//     IPv4 address (::ffff:a.b.c.d, NAT64, 6to4, IPv4-compatible) are refused. The proxy then
//     connects to the checked address itself (no second resolution: no DNS rebinding).
// IP literals written as decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1) or short forms
// (127.1) are parsed the way inet_aton does, so they are judged as the address they mean.
import { isIP } from 'node:net';

/** inet_aton semantics: 1–4 parts, each decimal, 0x-hex or 0-octal. → [a,b,c,d] or null. */
export function parseIPv4Loose(text) {
  const s = String(text).trim();
  if (!/^[0-9a-fA-Fx.]+$/.test(s) || s.endsWith('..') || s === '.') return null;
  const parts = s.replace(/\.$/, '').split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums = [];
  for (const p of parts) {
    let n;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8) || 0;
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return null;
    if (!Number.isSafeInteger(n)) return null;
    nums.push(n);
  }
  const last = nums.pop();
  for (const n of nums) if (n > 255) return null;
  const restBytes = 4 - nums.length;
  if (last >= 2 ** (8 * restBytes)) return null;
  const out = [...nums];
  for (let i = restBytes - 1; i >= 0; i--) out.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return out;
}

/** "::ffff:127.0.0.1", "fe80::1%eth0" → 8 hextets, or null. */
export function parseIPv6(text) {
  let s = String(text).trim().replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  let tail = [];
  const v4 = s.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const b = v4[2].split('.').map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    s = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const r = rest ? rest.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const fill = 8 - h.length - r.length - tail.length;
  if (rest === null && fill !== 0) return null;
  return [...h, ...Array(Math.max(0, fill)).fill(0), ...r, ...tail];
}

const V4_BLOCKS = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared (CGNAT)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmarking'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function v4Number(b) {
  return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
}

function classifyV4(bytes) {
  const n = v4Number(bytes);
  for (const [base, bits, why] of V4_BLOCKS) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === (v4Number(base) & mask) >>> 0) return why;
  }
  return null;
}

function classifyV6(h) {
  const v4 = (hi, lo) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  const zeros = (from, to) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && h[7] === 1) return 'loopback';
  if (zeros(0, 5) && h[5] === 0xffff) return embedded('IPv4-mapped', v4(h[6], h[7]));
  if (zeros(0, 4) && h[4] === 0xffff && h[5] === 0) return embedded('IPv4-translated', v4(h[6], h[7]));
  if (zeros(0, 6)) return embedded('IPv4-compatible', v4(h[6], h[7]));
  if (h[0] === 0x64 && h[1] === 0xff9b) return embedded('NAT64', v4(h[6], h[7]));
  if (h[0] === 0x2002) return embedded('6to4', v4(h[1], h[2]));
  if ((h[0] & 0xfe00) === 0xfc00) return 'unique-local (private)';
  if ((h[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((h[0] & 0xffc0) === 0xfec0) return 'site-local';
  if ((h[0] & 0xff00) === 0xff00) return 'multicast';
  if (h[0] === 0x2001 && h[1] === 0x0db8) return 'documentation';
  if (h[0] === 0x2001 && h[1] === 0) return 'Teredo';
  if (h[0] === 0x0100 && zeros(1, 4)) return 'discard';
  return null;
}

function embedded(kind, bytes) {
  // Whatever the embedded IPv4 address is, these forms are not how a platform API is reached.
  const inner = classifyV4(bytes);
  return `${kind} ${bytes.join('.')}${inner ? ` (${inner})` : ''}`;
}

/**
 * Why an address must not be reached (a short English reason), or null when it is public.
 * Accepts IPv4 in any inet_aton spelling and IPv6 (bracketed, zoned, with embedded IPv4).
 */
export function forbiddenAddress(address) {
  const s = String(address).trim();
  if (s.includes(':')) {
    const h = parseIPv6(s);
    return h ? classifyV6(h) : 'not an IP address';
  }
  const b = parseIPv4Loose(s);
  return b ? classifyV4(b) : 'not an IP address';
}

/** Is this host text an IP literal (in any spelling)? */
export function isIpLiteral(host) {
  const s = String(host).replace(/^\[|\]$/g, '');
  return isIP(s) !== 0 || parseIPv4Loose(s) !== null;
}

/** "*.mysapo.net" matches exactly one more label: "shop.mysapo.net" (not "a.b.mysapo.net"). */
export function matchesPattern(host, pattern) {
  if (pattern === '*') return false; // "a user-given URL": only the connection's own host
  if (!pattern.startsWith('*.')) return host === pattern.toLowerCase();
  const suffix = pattern.slice(1).toLowerCase();
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, -suffix.length);
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label);
}

/**
 * The hosts a connection itself names: a non-secret credential that is a URL or host name
 * (Odoo URL, "shop.myharavan.com"), or a bare shop name completed by the platform's patterns
 * ("tenshop" + "*.mysapo.net" → "tenshop.mysapo.net").
 */
export function ownHosts(platform, account) {
  const out = new Set();
  for (const raw of Object.values(account ?? {})) {
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const v = raw.trim().toLowerCase();
    try {
      if (/^https?:\/\//.test(v)) {
        out.add(new URL(v).hostname);
        continue;
      }
    } catch {
      continue;
    }
    if (/^[a-z0-9.-]+$/.test(v) && v.includes('.')) out.add(v.replace(/\.$/, ''));
    else if (/^[a-z0-9-]+$/.test(v)) {
      for (const p of platform.apiHostPatterns ?? []) if (p.startsWith('*.')) out.add(v + p.slice(1));
    }
  }
  return out;
}

/** Is `host` (lower-case, from a parsed URL) allowed for this connection? → null or a reason. */
export function hostRefusal(host, platform, account) {
  const h = String(host).toLowerCase().replace(/^\[|\]$/g, '');
  if (!h) return 'no host';
  const own = ownHosts(platform, account);
  if (isIpLiteral(h)) {
    // Only a user-given URL (pattern "*") may be an address; it is still checked as an address.
    if ((platform.apiHostPatterns ?? []).includes('*') && own.has(h)) return forbiddenAddress(h);
    return `address literal ${h} is not an API host of ${platform.id}`;
  }
  if ((platform.apiHosts ?? []).map((x) => x.toLowerCase()).includes(h)) return null;
  for (const p of platform.apiHostPatterns ?? []) {
    if (p === '*' && own.has(h)) return null;
    if (p !== '*' && matchesPattern(h, p)) return null;
  }
  return `${h} is not an API host of ${platform.id}`;
}
