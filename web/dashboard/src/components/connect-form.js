// The credentials form of one platform, built from sl.platforms() data: exactly the fields the
// platform lists, labels in the page's language, masked secrets, help saying where to find each
// value. Errors are kept as error objects and turned into text when rendered, so a language
// switch re-renders them in the new language.
// Checks run in the worker with the module's rules (as you type for host-shaped fields), then
// the server verifies with the platform; errors land on the field at fault.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useStore, toast } from '../store.js';
import { checkCredentials, fillSandbox, errorText } from '../actions.js';
import { Notice } from './common.js';
import { userFields } from '../worker/checks.js';

function FieldInput({ platform, field, value, error, onInput, onBlur, hint }) {
  const [shown, setShown] = useState(false);
  const id = `f-${platform.id}-${field.key}`;
  const describedBy = [field.optional ? `${id}-opt` : null, field.help ? `${id}-help` : null, error ? `${id}-err` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for=${id}>${field.label}</label>${field.optional && html` <span class="muted small" id=${`${id}-opt`} data-testid=${`optional-${field.key}`}>${t('form.optional')}</span>`}
    <div class="input-wrap">
      <input
        id=${id}
        name=${field.key}
        type=${field.secret && !shown ? 'password' : 'text'}
        value=${value}
        placeholder=${field.example || ''}
        autocomplete=${field.secret ? 'off' : 'on'}
        spellcheck="false"
        autocapitalize="off"
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${describedBy || undefined}
        onInput=${(e) => onInput(field.key, e.currentTarget.value)}
        onBlur=${() => onBlur(field.key)}
        data-testid=${`cred-${field.key}`}
      />
      ${field.secret &&
      html`<button type="button" class="btn small ghost" aria-pressed=${shown ? 'true' : 'false'} aria-label=${t(shown ? 'form.hideLabel' : 'form.showLabel', { label: field.label })} onClick=${() => setShown(!shown)}>
        ${shown ? t('form.hide') : t('form.show')}
      </button>`}
    </div>
    ${error && html`<div class="error" id=${`${id}-err`} role="alert"><span aria-hidden="true">!</span><span>${errorText(error, platform)}</span></div>`}
    ${!error && hint && html`<div class="hint-ok" id=${`${id}-hint`}>${hint}</div>`}
    ${field.help && html`<div class="help" id=${`${id}-help`}>${field.help}</div>`}
  </div>`;
}

/**
 * props: platform, initial (non-secret values to prefill), submitLabel, onSubmit(values) → Promise
 * (rejects with {field?, message}), extraTop (settings shown inside the form).
 */
export function ConnectForm({ platform, initial = {}, submitLabel, onSubmit, onCancel }) {
  const s = useStore();
  const fields = userFields(platform);
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f.key, initial[f.key] ?? ''])));
  const [errors, setErrors] = useState({});
  const [touched, setTouched] = useState({});
  const [formError, setFormError] = useState(null); // {text: () => string}: rendered in the current language
  const [busy, setBusy] = useState(false);
  const [hints, setHints] = useState({});
  const [submitted, setSubmitted] = useState(false);
  const checkSeq = useRef(0);
  const formRef = useRef(null);
  // Texts built later (in a message) take the labels of the language shown then.
  const platformNow = () => s.platforms.find((p) => p.id === platform.id) ?? platform;
  const labelsOf = (keys) => keys.map((k) => platformNow().credentials.find((f) => f.key === k)?.label ?? k).join(', ');

  // Opened from "Kết nối với X": keyboard users land in the first field.
  useEffect(() => {
    formRef.current?.querySelector('input')?.focus();
  }, []);

  // As-you-type checks (debounced, in the worker): show a field's error once it was touched.
  useEffect(() => {
    const seq = ++checkSeq.current;
    const timer = setTimeout(async () => {
      try {
        const out = await checkCredentials(platform.id, values);
        if (seq !== checkSeq.current) return;
        const next = {};
        for (const e of out.errors) next[e.field] = e;
        setErrors(next);
        if (out.ok) setFormError(null);
        const h = {};
        for (const f of fields) {
          const v = out.values?.[f.key];
          if (!f.secret && v && v !== values[f.key].trim() && !next[f.key]) h[f.key] = `✓ ${v}`;
        }
        setHints(h);
      } catch {
        /* the worker reports its own failures on submit */
      }
    }, 180);
    return () => clearTimeout(timer);
  }, [values]);

  const onInput = (key, v) => {
    setValues({ ...values, [key]: v });
    setFormError(null);
    // Host-shaped fields are checked as you type; a field being typed is "touched" once non-empty.
    if (v.trim()) setTouched((x) => ({ ...x, [key]: true }));
  };
  const onBlur = (key) => setTouched((x) => ({ ...x, [key]: true }));

  const visibleError = (key) => {
    const e = errors[key];
    if (!e) return null;
    if (submitted) return e;
    if (!touched[key]) return null;
    // Before submitting, don't nag about empty fields, only about wrong ones.
    return values[key].trim() ? e : null;
  };

  const focusFirstError = (errs) => {
    const first = fields.find((f) => errs[f.key]);
    if (first) formRef.current?.querySelector(`[name="${first.key}"]`)?.focus();
  };

  const submit = async (ev) => {
    ev.preventDefault();
    // Errors from the last as-you-type check may describe values since changed: drop them
    // until this submit's own check answers.
    checkSeq.current++;
    setErrors({});
    setSubmitted(true);
    setFormError(null);
    const out = await checkCredentials(platform.id, values);
    const errs = {};
    for (const e of out.errors) errs[e.field] = e;
    setErrors(errs);
    if (!out.ok) {
      const keys = fields.filter((f) => errs[f.key]).map((f) => f.key);
      setFormError({ text: () => t('form.fix', { fields: labelsOf(keys) }) });
      focusFirstError(errs);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(out.values);
    } catch (e) {
      const field = fields.find((f) => f.key === e.field);
      if (field) {
        const next = { ...errs, [field.key]: e };
        setErrors(next);
        setFormError({ text: () => t('error.field', { label: labelsOf([field.key]), message: errorText(e, platformNow()) }) });
        focusFirstError(next);
      } else {
        // The platform refused without naming a field: name the ones that decide it.
        const suspects = e.code === 'invalid_credentials' || e.code === 'forbidden';
        setFormError({ text: () => (suspects ? `${errorText(e, platformNow())} ${t('form.fix', { fields: labelsOf(fields.map((f) => f.key)) })}` : errorText(e, platformNow())) });
      }
    } finally {
      setBusy(false);
    }
  };

  const sandboxFill = async () => {
    try {
      const entry = await fillSandbox(platform.id);
      if (!entry) return toast(t('sandbox.none'), 'error');
      setValues(Object.fromEntries(fields.map((f) => [f.key, String(entry.credentials?.[f.key] ?? '')])));
      setTouched(Object.fromEntries(fields.map((f) => [f.key, true])));
      setFormError(null);
      toast(t('sandbox.filled'), 'ok', 2500);
    } catch (e) {
      toast(errorText(e), 'error');
    }
  };

  return html`<form class="form" ref=${formRef} onSubmit=${submit} noValidate aria-labelledby=${`form-title-${platform.id}`} data-testid="connect-form">
    <div class="row">
      <h3 id=${`form-title-${platform.id}`} class="spacer">${t('form.heading')}</h3>
      ${s.sandbox && platform.sandbox &&
      html`<button type="button" class="btn small sandbox-btn" aria-pressed="false" onClick=${sandboxFill} data-testid="sandbox-fill">◆ ${t('sandbox.toggle')}</button>`}
    </div>
    ${formError && html`<${Notice} kind="error" role="alert">${formError.text()}<//>`}
    ${fields.map(
      (f) => html`<${FieldInput} key=${f.key} platform=${platform} field=${f} value=${values[f.key]} error=${visibleError(f.key)} hint=${hints[f.key]} onInput=${onInput} onBlur=${onBlur} />`,
    )}
    ${fields.some((f) => f.secret) && html`<p class="small muted">${t('form.secretNote')}</p>`}
    <div class="row">
      <button type="submit" class="btn primary" disabled=${busy} data-testid="connect-submit">${busy ? t('form.connecting') : submitLabel ?? t('form.connect')}</button>
      ${onCancel && html`<button type="button" class="btn ghost" onClick=${onCancel}>${t('form.cancel')}</button>`}
    </div>
  </form>`;
}
