// Deletions for platforms whose list APIs simply stop returning deleted rows (Sapo, Haravan,
// Odoo, …: platforms()[i].deletions[entity] === 'sweep'). A completed full sync saw every live
// record; a stored record it did not see, and that nobody wrote after the sweep started (a
// webhook, another run), is gone. Because a mistaken sweep deletes data the shop can see, a
// sweep that would remove an implausible share of the records is refused instead (a platform
// answering empty lists during an outage, a filter gone wrong: anchors.md "false deletions").
import { SyncError } from './errors.js';

const DEFAULT_MAX_SHARE = 0.5; // of the live records
const DEFAULT_ALWAYS_ALLOWED = 20; // small shops: deleting 3 of 5 products is plausible

/**
 * sweepDeletions({ stored, seen, startedAtMs, maxShare?, alwaysAllowed? })
 *   stored: iterable of { externalId, storedAtMs } — the caller's live (not deleted) records of
 *           this connection and entity, with when the caller last wrote each;
 *   seen: Set (or iterable) of externalIds the full sync emitted (across its resumes);
 *   startedAtMs: result.progress.startedAtMs of that completed full sync.
 * → { removedIds, refused: null | { reason, wouldRemove, live } }
 */
export function sweepDeletions({ stored, seen, startedAtMs, maxShare = DEFAULT_MAX_SHARE, alwaysAllowed = DEFAULT_ALWAYS_ALLOWED } = {}) {
  if (!Number.isFinite(startedAtMs)) {
    throw new SyncError({ code: 'invalid_input', message: 'Dữ liệu đầu vào không hợp lệ.', detail: 'startedAtMs must be the completed full sync’s progress.startedAtMs', field: 'startedAtMs' });
  }
  if (stored == null || typeof stored[Symbol.iterator] !== 'function') {
    throw new SyncError({ code: 'invalid_input', message: 'Dữ liệu đầu vào không hợp lệ.', detail: 'stored must be an iterable of {externalId, storedAtMs}', field: 'stored' });
  }
  const seenIds = seen instanceof Set ? seen : new Set(seen ?? []);
  const removedIds = [];
  let live = 0;
  for (const r of stored) {
    live++;
    const id = String(r.externalId);
    if (seenIds.has(id)) continue;
    // Written after the sweep began: created or changed since, so its absence proves nothing.
    if (!(Number(r.storedAtMs) < startedAtMs)) continue;
    removedIds.push(id);
  }
  if (removedIds.length > alwaysAllowed && removedIds.length > live * maxShare) {
    return { removedIds: [], refused: { reason: 'too_many', wouldRemove: removedIds.length, live } };
  }
  return { removedIds, refused: null };
}
