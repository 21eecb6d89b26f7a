// The page's side of the worker protocol (see storelink.worker.js): each call gets a message
// id; an AbortSignal passed in sends {type:'abort'} for that id; events stream to onEvent.
export class WorkerError extends Error {
  constructor(info) {
    super(info?.message ?? 'error');
    this.name = 'WorkerError';
    Object.assign(this, info);
  }
}

export function createWorkerClient(worker) {
  let nextId = 1;
  const calls = new Map();

  worker.addEventListener('message', (ev) => {
    const { id, type } = ev.data ?? {};
    const call = calls.get(id);
    if (!call) return;
    if (type === 'event') {
      call.onEvent?.(ev.data.event);
      return;
    }
    calls.delete(id);
    call.cleanup();
    if (type === 'result') call.resolve(ev.data.value);
    else call.reject(new WorkerError(ev.data.error));
  });
  worker.addEventListener('error', (ev) => {
    // A worker that fails to load: fail every pending call rather than hang.
    for (const [id, call] of calls) {
      calls.delete(id);
      call.cleanup();
      call.reject(new WorkerError({ code: 'internal', message: 'Không tải được mô-đun đồng bộ.', detail: ev.message ?? null }));
    }
  });

  function call(method, args = {}, { signal, onEvent } = {}) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new WorkerError({ code: 'cancelled', message: 'Đã hủy.' }));
        return;
      }
      const onAbort = () => worker.postMessage({ id, type: 'abort', reason: String(signal.reason ?? 'aborted') });
      signal?.addEventListener('abort', onAbort, { once: true });
      calls.set(id, { resolve, reject, onEvent, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      worker.postMessage({ id, type: 'call', method, args });
    });
  }

  return { call, terminate: () => worker.terminate() };
}

/** The page's single worker. */
export function startStoreLinkWorker() {
  const worker = new Worker(new URL('./storelink.worker.js', import.meta.url), { type: 'module', name: 'storelink' });
  return createWorkerClient(worker);
}
