// Small pure helpers: Vietnamese-aware folding, dates, money, file download.
import { locale, t } from './i18n.js';

/** "Nguyễn Thị Ánh" → "nguyen thi anh": search with or without diacritics (đ is its own letter). */
export function fold(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short' });
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function relativeTime(iso, now = Date.now()) {
  if (!iso) return null;
  const ms = now - new Date(iso).getTime();
  if (!(ms >= 0) || ms < 60_000) return t('time.justNow');
  if (ms < 3_600_000) return t('time.minutes', { n: Math.floor(ms / 60_000) });
  if (ms < 86_400_000) return t('time.hours', { n: Math.floor(ms / 3_600_000) });
  if (ms < 30 * 86_400_000) return t('time.days', { n: Math.floor(ms / 86_400_000) });
  return formatDateTime(iso);
}

export function formatMoney(value, currency = 'VND') {
  if (value == null) return '—';
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency: currency || 'VND', maximumFractionDigits: currency === 'VND' || !currency ? 0 : 2 }).format(value);
  } catch {
    return String(value);
  }
}

export function formatNumber(value) {
  if (value == null) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 3 }).format(value);
}

export function formatDuration(ms) {
  if (ms == null) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Saves text or a Blob (kept byte for byte: the server's CSV starts with a BOM for Excel). */
export function download(filename, content, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
