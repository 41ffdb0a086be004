// The pull half of the sync (DESIGN.md §4): the change feed after the last applied sequence, page by
// page, each page stored with its position in one transaction, so a failure at any point loses
// nothing and applies nothing twice. A first sync into an empty store loads in bulk: indexes built
// once at the end (LocalStore.beginBulkLoad), pages stored BULK_BATCH changes at a time.

import type { ChangesResponse, Dossier } from '../../../contract/index.js';
import type { LocalStore } from '../store/localStore.js';
import type { HttpSyncClient } from './httpSyncClient.js';

/** Changes stored per transaction during a first sync's bulk load. */
const BULK_BATCH = 10_000;

/** Pulls the agency's feed to its end; how many changes were stored. */
export async function pullFeed(
  store: LocalStore,
  client: HttpSyncClient,
  agencyCode: string,
  pageSize: number,
): Promise<number> {
  const key = `lastSeq:${agencyCode}`;
  const after = Number(store.getState(key) ?? '0');
  const first = client.changes(after, pageSize);
  first.catch(() => undefined); // awaited below
  const bulk = after === 0 && store.beginBulkLoad();
  try {
    return await pullPages(store, client, pageSize, first, after, key, bulk);
  } finally {
    if (bulk) store.endBulkLoad();
  }
}

/**
 * Fetches and stores pages until the feed has no more. Each page is stored with its position in one
 * transaction; in a bulk load, pages are stored BULK_BATCH changes at a time (fewer, larger
 * transactions), and what was fetched before a failure is still stored.
 */
async function pullPages(
  localStore: LocalStore,
  client: HttpSyncClient,
  pageSize: number,
  first: Promise<ChangesResponse>,
  after: number,
  key: string,
  bulk: boolean,
): Promise<number> {
  let total = 0;
  let next = first;
  let dossiers: Dossier[] = [];
  let deleted: string[] = [];
  let lastSeq = after;
  const store = (): void => {
    if (dossiers.length + deleted.length === 0 && lastSeq === after) return;
    localStore.applyChangePage(dossiers, deleted, key, lastSeq);
    total += dossiers.length + deleted.length;
    dossiers = [];
    deleted = [];
    after = lastSeq;
  };
  for (;;) {
    let page: ChangesResponse;
    try {
      page = await next;
    } catch (err) {
      store();
      throw err;
    }
    lastSeq = Math.max(lastSeq, page.lastSeq);
    for (const c of page.changes) {
      if ('deleted' in c.dossier) deleted.push(c.dossier.id);
      else dossiers.push(c.dossier);
      if (c.seq > lastSeq) lastSeq = c.seq;
    }
    const more = page.hasMore && page.changes.length > 0;
    if (more) {
      // The service prepares the next page while this one is stored. Its position is saved only with
      // the page that reaches it, so a failure below or in the next fetch loses nothing.
      next = client.changes(lastSeq, pageSize);
      next.catch(() => undefined); // awaited on the next turn; not an unhandled rejection meanwhile
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets the request leave first
    }
    if (!bulk || !more || dossiers.length + deleted.length >= BULK_BATCH) store();
    if (!more) break;
  }
  return total;
}
