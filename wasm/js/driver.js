// runSync: drives a sans-I/O SyncJob over any fetch-like transport. The same loop runs in the
// browser (through the server's proxy), in a worker, and in Node.
import { SyncError } from './errors.js';

export const realClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Runs `job` to completion.
 * transport(request, {signal}) → Promise<{status, headers, body}> (reject or {status:0, error} on network failure).
 * onRecords(records, checkpoint) is awaited after every page: store the records, then the checkpoint.
 * Without onRecords the records are collected and returned.
 */
export async function runSync(job, transport, { onProgress, onRecords, onWait, signal, clock = realClock } = {}) {
  const bad = (field, detail) => new SyncError({ code: 'invalid_input', message: 'Dữ liệu đầu vào không hợp lệ.', detail, field });
  if (typeof job?.next !== 'function' || typeof job?.receive !== 'function') throw bad('job', 'runSync needs a job from createSync()');
  if (typeof transport !== 'function') throw bad('transport', 'runSync needs a transport function');
  const collected = onRecords ? null : [];
  const cancelled = () =>
    new SyncError({ code: 'cancelled', message: 'Đã hủy đồng bộ.' }, { checkpoint: job.checkpoint(), progress: job.progress() });

  for (;;) {
    if (signal?.aborted) {
      job.cancel();
      throw cancelled();
    }
    const step = job.next(clock.now());
    if (step.kind === 'done') break;
    if (step.kind === 'failed') {
      throw new SyncError(step.error, { checkpoint: job.checkpoint(), progress: job.progress() });
    }
    if (step.kind === 'wait') {
      onWait?.(step);
      onProgress?.(job.progress());
      try {
        await clock.sleep(step.waitMs, signal);
      } catch {
        job.cancel();
        throw cancelled();
      }
      continue;
    }
    let response;
    try {
      response = await transport(step.request, { signal });
    } catch (e) {
      if (signal?.aborted) {
        job.cancel();
        throw cancelled();
      }
      if (e instanceof SyncError) {
        // Raised before anything was sent (a placeholder that cannot be filled: a missing or
        // malformed credential): retrying cannot help, and it is not a network failure.
        job.cancel();
        throw new SyncError(e, { checkpoint: job.checkpoint(), progress: job.progress() });
      }
      response = { status: 0, headers: {}, body: '', error: e?.name === 'TimeoutError' ? 'timeout' : 'network' };
    }
    job.receive(step.id, response, clock.now());
    const records = job.takeRecords();
    if (records.length) {
      if (collected) for (const r of records) collected.push(r);
      else await onRecords(records, job.checkpoint());
    }
    onProgress?.(job.progress());
  }
  const result = { progress: job.progress(), checkpoint: job.checkpoint() };
  if (collected) result.records = collected;
  return result;
}
