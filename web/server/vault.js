// The credential vault: secrets encrypted at rest with AES-256-GCM (node:crypto). Each sealed
// blob is bound to its owner (the connection id, as additional authenticated data), so a blob
// copied onto another row does not open. Values never leave the server: no endpoint returns
// them and nothing logs them (see redactor()).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A 32-byte key from base64 or hex text. */
export function parseKey(text) {
  const t = String(text).trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error('vault key must be 32 bytes (64 hex digits or base64)');
  return buf;
}

/**
 * STORELINK_VAULT_KEY, else the key file (STORELINK_VAULT_KEY_FILE or <dataDir>/vault.key);
 * the file is generated on first start only when `generate` (development/sandbox).
 */
export function loadVaultKey({ key, keyFile, generate }) {
  if (key) return { key: parseKey(key), source: 'env' };
  if (keyFile && existsSync(keyFile)) return { key: parseKey(readFileSync(keyFile, 'utf8')), source: keyFile };
  if (!generate) {
    throw new Error('no vault key: set STORELINK_VAULT_KEY (32 bytes, base64 or hex) or STORELINK_VAULT_KEY_FILE');
  }
  const fresh = randomBytes(32);
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, fresh.toString('base64') + '\n', { mode: 0o600 });
  return { key: fresh, source: keyFile, generated: true };
}

export function createVault(key) {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new Error('vault key must be 32 bytes');
  return {
    /** Encrypts a JSON-able value for `owner`: "v1.<iv>.<tag>.<ciphertext>" (base64). */
    seal(value, owner) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(String(owner)));
      const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
    },
    open(text, owner) {
      const [v, iv, tag, ct] = String(text).split('.');
      if (v !== 'v1') throw new Error('unknown vault blob version');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(String(owner)));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8'));
    },
  };
}

/**
 * Replaces every known secret value (and its URL-encoded and base64 forms) in a text.
 * Used on proxied responses and on anything logged, as a second line of defence.
 */
export function redactSecrets(text, values) {
  if (typeof text !== 'string' || !text) return text;
  let out = text;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < 4) continue;
    for (const form of new Set([v, encodeURIComponent(v), Buffer.from(v).toString('base64')])) {
      if (out.includes(form)) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}
