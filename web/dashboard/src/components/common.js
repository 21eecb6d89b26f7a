// Small shared pieces: platform logo, state badge, copy field, confirmation dialog, toasts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useStore, state } from '../store.js';

// A calm colour per platform, by its place in platforms() (new platforms get one without a
// code change; distinct for the first ten).
const PALETTE = ['#0b6e6e', '#2f5fb3', '#7a4bc4', '#b5532a', '#1d7a3e', '#9a3b6b', '#5a6b12', '#a2631a', '#2d6f8f', '#6b4f3a'];
export function platformColor(id) {
  let i = state.platforms.findIndex((p) => p.id === id);
  if (i < 0) for (const ch of String(id)) i = ((i >>> 0) * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[i % PALETTE.length];
}

export function initials(name) {
  const words = String(name).replace(/[^\p{L}\p{N} ]/gu, ' ').split(/\s+/).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[1][0]).toUpperCase();
  return String(name).slice(0, 2).toUpperCase();
}

export function Logo({ platform, large = false }) {
  return html`<span class=${`logo${large ? ' lg' : ''}`} style=${{ background: platformColor(platform.id) }} aria-hidden="true">${initials(platform.displayName)}</span>`;
}

export function StateBadge({ state: s }) {
  return html`<span class=${`badge ${s}`}>${t(`state.${s}`)}</span>`;
}

export function CopyField({ id, label, value, testid, help }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard API refused (http, permissions): select the text so Ctrl+C works.
      document.getElementById(id)?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1800);
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <div class="copy-field">
      <input id=${id} type="text" readonly spellcheck="false" autocomplete="off" value=${value} aria-describedby=${help ? `${id}-help` : undefined} onFocus=${(e) => e.currentTarget.select()} data-testid=${testid} />
      <button type="button" class="btn" onClick=${copy} aria-label=${t('webhook.copyLabel', { what: label })}>
        ${copied ? t('webhook.copied') : t('webhook.copy')}
      </button>
    </div>
    ${help && html`<div class="help" id=${`${id}-help`}>${help}</div>`}
  </div>`;
}

/** A modal confirmation on <dialog>: focus trapped by the browser, Esc cancels. */
export function ConfirmDialog({ id = 'confirm', open, title, body, confirmLabel, danger = false, onConfirm, onCancel, busy = false }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return html`<dialog ref=${ref} aria-labelledby=${`${id}-title`} onCancel=${(e) => { e.preventDefault(); onCancel(); }} data-testid=${`${id}-dialog`}>
    <div class="dialog-body">
      <h2 id=${`${id}-title`}>${title}</h2>
      <p>${body}</p>
    </div>
    <div class="dialog-actions">
      <button type="button" class="btn" onClick=${onCancel}>${t('form.cancel')}</button>
      <button type="button" class=${`btn ${danger ? 'danger solid' : 'primary'}`} onClick=${onConfirm} disabled=${busy} data-testid="confirm">${confirmLabel}</button>
    </div>
  </dialog>`;
}

export function Toasts() {
  const s = useStore();
  return html`<div class="toasts" role="status" aria-live="polite">
    ${s.toasts.map((x) => html`<div key=${x.id} class=${`toast ${x.kind}`}>${x.message}</div>`)}
  </div>`;
}

export function Notice({ kind = 'info', children, role }) {
  const icon = { info: 'i', ok: '✓', warn: '!', error: '!', sandbox: '◆' }[kind];
  return html`<div class=${`notice ${kind}`} role=${role}><span class="icon" aria-hidden="true">${icon}</span><div>${children}</div></div>`;
}
