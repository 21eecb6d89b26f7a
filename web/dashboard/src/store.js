// One small observable store for the page. Syncs keep running while the user moves between
// channels and tabs, so their state lives here, not in a component.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();
export const state = {
  lang: 'vi',
  route: { view: 'channels', platform: null, query: {} },
  platforms: [],
  moduleVersion: null,
  connections: [], // from the server
  sandbox: false,
  syncs: {}, // `${connectionId}:${entity}` → {status, progress, wait, error, startedAt, finishedAt, saved}
  runs: {}, // connectionId → [run]
  webhookSeen: {}, // connectionId → iso time of the latest webhook
  live: 'connecting', // SSE: connecting | open | offline
  recordsVersion: 0, // bumped when records change on the server (SSE), tables refetch
  toasts: [],
  fatal: null,
};

export function update(patch) {
  Object.assign(state, typeof patch === 'function' ? patch(state) : patch);
  for (const l of listeners) l();
}

export function setSync(key, patch) {
  update({ syncs: { ...state.syncs, [key]: { ...(state.syncs[key] ?? {}), ...patch } } });
}

/** Re-renders the calling component whenever the store changes. */
export function useStore() {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

let toastId = 0;
export function toast(message, kind = 'info', ms = 5000) {
  const id = ++toastId;
  update({ toasts: [...state.toasts, { id, message, kind }] });
  setTimeout(() => update({ toasts: state.toasts.filter((x) => x.id !== id) }), ms);
}
