// The agency's dossiers as the store keeps them: a list row of the columns the list shows and sorts
// (dossiers), the whole dossier as the service sent it beside it (dossier_data, same rid), and the
// folded names in an FTS5 index (dossier_names). Dossiers arrive from the change feed and the service's
// answers, newest version winning; a first sync loads them in bulk, indexes built once at the end.

import type { Dossier, DossierSummary } from '../../../contract/index.js';
import { foldVietnamese, vietnameseNameSortKey } from '../../../contract/text.js';
import type { StoreDb } from './db.js';
import { getState, setState } from './state.js';

export type DossierDbRow = {
  id: string;
  dossier_number: string;
  agency_code: string;
  kind: string;
  received_at: string | null;
  declared_at: string;
  bhxh_code: string;
  full_name: string;
  address: string;
  contact_person: string;
  mobile: string;
  reviewer: string | null;
  decided_at: string | null;
  status: string;
  outcome: string | null;
  result: string | null;
  version: number;
  claim_json: string | null;
  pending_decision: string | null;
};

export function summaryOf(row: Omit<DossierDbRow, 'pending_decision'>): DossierSummary {
  const claim = row.claim_json === null ? null : (JSON.parse(row.claim_json) as DossierSummary['claim']);
  return {
    id: row.id,
    dossierNumber: row.dossier_number,
    agencyCode: row.agency_code,
    kind: row.kind as Dossier['kind'],
    receivedAt: row.received_at,
    declaredAt: row.declared_at,
    bhxhCode: row.bhxh_code,
    fullName: row.full_name,
    address: row.address,
    contactPerson: row.contact_person,
    mobile: row.mobile,
    reviewer: row.reviewer,
    decidedAt: row.decided_at,
    status: row.status as Dossier['status'],
    outcome: row.outcome as Dossier['outcome'],
    result: row.result as Dossier['result'],
    version: row.version,
    claim: claim ?? null,
  };
}

// ------------------------------------------------------------ first sync in bulk

/** sync_state key: the SQL of the indexes a bulk load dropped, present while one is under way. */
const BULK_LOAD_KEY = 'bulkLoad.indexes';

/** True when a bulk load was cut short (a crash): endBulkLoad restores the indexes. */
export function bulkLoadUnfinished(h: StoreDb): boolean {
  return getState(h, BULK_LOAD_KEY) !== null;
}

/**
 * A first sync into an empty store: the dossiers' secondary indexes are dropped and the name index
 * is left empty while the pages arrive, then both are built once from the sorted data
 * (endBulkLoad), about three times faster than keeping them up to date row by row. The dropped
 * indexes' SQL is saved in the same transaction, so a crash in between restores them on the next
 * open. Meanwhile the list works (unindexed, slower) and a name search finds nothing yet.
 * Returns false, and changes nothing, when the store already holds dossiers.
 */
export function beginBulkLoad(h: StoreDb): boolean {
  return h.db.transaction(() => {
    if (h.sql('SELECT 1 FROM dossiers LIMIT 1').get()) return false;
    const indexes = h
      .sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers' AND sql IS NOT NULL",
      )
      .all() as Array<{ name: string; sql: string }>;
    setState(h, BULK_LOAD_KEY, JSON.stringify(indexes.map((i) => i.sql)));
    for (const i of indexes) h.db.exec(`DROP INDEX "${i.name.replaceAll('"', '""')}"`);
    h.bulk = true;
    return true;
  })();
}

/** Ends a bulk load (also one a crash cut short): the name index and the dropped indexes, rebuilt. */
export function endBulkLoad(h: StoreDb): void {
  const saved = getState(h, BULK_LOAD_KEY);
  if (!saved) {
    h.bulk = false;
    return;
  }
  h.db.transaction(() => {
    h.db.exec(`INSERT INTO dossier_names (dossier_names) VALUES ('delete-all');
      INSERT INTO dossier_names (rowid, name) SELECT rid, name_folded FROM dossiers ORDER BY rid;`);
    for (const sql of JSON.parse(saved) as string[]) h.db.exec(sql);
    h.sql('DELETE FROM sync_state WHERE key = ?').run(BULK_LOAD_KEY);
  })();
  h.bulk = false;
}

// ------------------------------------------------------------ dossiers arriving

/**
 * SET clauses for the decision columns: a decision of this workstation still waiting to sync keeps
 * showing until the service answers, so an arriving dossier changes them only without one.
 */
const unlessPending = (value: (column: string, param: string) => string): string =>
  (
    [
      ['reviewer', 'reviewer'],
      ['decided_at', 'decidedAt'],
      ['status', 'status'],
      ['outcome', 'outcome'],
      ['result', 'result'],
    ] as const
  )
    .map(([c, p]) => `${c} = CASE WHEN pending_decision IS NULL THEN ${value(c, p)} ELSE ${c} END`)
    .join(', ');

const UPSERT = `
  INSERT INTO dossiers (id, dossier_number, agency_code, kind, list_at, received_at, declared_at, bhxh_code,
    full_name, name_folded, address, contact_person, mobile, reviewer, decided_at, status, outcome, result,
    version, claim_json, updated_at, id_number, name_sort)
  VALUES (@id, @dossierNumber, @agencyCode, @kind, @listAt, @receivedAt, @declaredAt, @bhxhCode, @fullName,
    @nameFolded, @address, @contactPerson, @mobile, @reviewer, @decidedAt, @status, @outcome, @result,
    @version, @claimJson, @updatedAt, @idNumber, @nameSort)
  ON CONFLICT(id) DO UPDATE SET
    dossier_number = excluded.dossier_number, agency_code = excluded.agency_code, kind = excluded.kind,
    list_at = excluded.list_at, received_at = excluded.received_at, declared_at = excluded.declared_at,
    bhxh_code = excluded.bhxh_code, full_name = excluded.full_name, name_folded = excluded.name_folded,
    address = excluded.address, contact_person = excluded.contact_person, mobile = excluded.mobile,
    ${unlessPending((column) => `excluded.${column}`)},
    version = excluded.version, claim_json = excluded.claim_json, updated_at = excluded.updated_at,
    id_number = excluded.id_number, name_sort = excluded.name_sort
  WHERE excluded.version >= dossiers.version
  RETURNING rid`;

/** What a decision, a claim or a receipt changes: columns that no index but the status one covers. */
const NARROW_UPDATE = `
  UPDATE dossiers SET kind = @kind, received_at = @receivedAt, declared_at = @declaredAt, address = @address,
    contact_person = @contactPerson, mobile = @mobile,
    ${unlessPending((_, param) => `@${param}`)},
    version = @version, claim_json = @claimJson, updated_at = @updatedAt
  WHERE rid = @rid`;

/** The stored columns applyDossiers compares with an arriving dossier. */
type CurrentRow = {
  rid: number;
  version: number;
  dossier_number: string;
  agency_code: string;
  list_at: string;
  bhxh_code: string;
  full_name: string;
  name_folded: string;
  id_number: string | null;
};

/** The agencies that have dossiers in this store (kept up to date as dossiers arrive). */
export function agenciesPresent(h: StoreDb): string[] {
  h.present ??= new Set(
    (h.sql('SELECT DISTINCT agency_code AS a FROM dossiers').all() as Array<{ a: string }>).map((r) => r.a),
  );
  return [...h.present];
}

/** One literal with every column (better-sqlite3 reads the named parameters a statement uses). */
function rowParams(d: Dossier, updatedAt: string) {
  return {
    rid: 0,
    id: d.id,
    dossierNumber: d.dossierNumber,
    agencyCode: d.agencyCode,
    kind: d.kind,
    listAt: d.receivedAt ?? d.declaredAt,
    receivedAt: d.receivedAt,
    declaredAt: d.declaredAt,
    bhxhCode: d.bhxhCode,
    fullName: d.fullName,
    nameFolded: '',
    address: d.address,
    contactPerson: d.contactPerson,
    mobile: d.mobile,
    reviewer: d.reviewer,
    decidedAt: d.decidedAt,
    status: d.status,
    outcome: d.outcome,
    result: d.result ?? null,
    version: d.version,
    claimJson: d.claim ? JSON.stringify(d.claim) : null,
    updatedAt,
    idNumber: d.idNumber ?? null,
    nameSort: '',
  };
}

/** Apply dossiers from the service (change feed, decision answers), newest version wins. */
export function applyDossiers(
  h: StoreDb,
  dossiers: readonly Dossier[],
  deletedIds: readonly string[] = [],
): void {
  const upsert = h.sql(UPSERT);
  const narrow = h.sql(NARROW_UPDATE);
  const ftsDel = h.sql('DELETE FROM dossier_names WHERE rowid = ?');
  const ftsIns = h.sql('INSERT INTO dossier_names (rowid, name) VALUES (?, ?)');
  const dataPut = h.sql(
    'INSERT INTO dossier_data (rid, data) VALUES (?, ?) ON CONFLICT(rid) DO UPDATE SET data = excluded.data',
  );
  const currentOf = h.sql(
    `SELECT rid, version, dossier_number, agency_code, list_at, bhxh_code, full_name, name_folded, id_number
       FROM dossiers WHERE id = ?`,
  );
  const updatedAt = h.iso();
  for (const d of dossiers) {
    h.present?.add(d.agencyCode);
    const cur = h.bulk ? undefined : (currentOf.get(d.id) as CurrentRow | undefined);
    if (cur && d.version < cur.version) continue; // an older version than the one stored
    const params = rowParams(d, updatedAt);
    let rid: number;
    if (
      cur &&
      cur.dossier_number === d.dossierNumber &&
      cur.agency_code === d.agencyCode &&
      cur.list_at === params.listAt &&
      cur.bhxh_code === d.bhxhCode &&
      cur.full_name === d.fullName &&
      cur.id_number === (d.idNumber ?? null)
    ) {
      // Only columns that no index but the status one covers change, so SQLite rewrites one index
      // entry instead of all of them (the name index stays).
      params.rid = cur.rid;
      narrow.run(params);
      rid = cur.rid;
    } else {
      const nameFolded = foldVietnamese(d.fullName);
      params.nameFolded = nameFolded;
      params.nameSort = vietnameseNameSortKey(d.fullName);
      const row = upsert.get(params) as { rid: number } | undefined;
      if (!row) continue;
      rid = row.rid;
      // The name index changes only with the name (an FTS5 delete and insert write new index
      // segments at every commit); during a bulk load it is built at the end.
      if (!h.bulk && cur?.name_folded !== nameFolded) {
        if (cur) ftsDel.run(rid);
        ftsIns.run(rid, nameFolded);
      }
    }
    dataPut.run(rid, JSON.stringify(d));
  }
  if (deletedIds.length > 0) removeDossiers(h, deletedIds);
}

/** Tombstones of the feed (expiry): the dossiers, their data, name entries and cached attachments. */
function removeDossiers(h: StoreDb, ids: readonly string[]): void {
  const ridOf = h.sql('SELECT rid, pending_decision FROM dossiers WHERE id = ?');
  const ftsDel = h.sql('DELETE FROM dossier_names WHERE rowid = ?');
  const del = h.sql('DELETE FROM dossiers WHERE rid = ?');
  const dataDel = h.sql('DELETE FROM dossier_data WHERE rid = ?');
  const attachmentsDel = h.sql('DELETE FROM attachments WHERE dossier_id = ?');
  for (const id of ids) {
    const row = ridOf.get(id) as { rid: number; pending_decision: string | null } | undefined;
    // A tombstone never removes a dossier with a queued decision: the push will answer 410.
    if (!row || row.pending_decision) continue;
    if (!h.bulk) ftsDel.run(row.rid);
    del.run(row.rid);
    dataDel.run(row.rid);
    attachmentsDel.run(id);
  }
}

/** One page of the change feed applied with its sequence number in one transaction. */
export function applyChangePage(
  h: StoreDb,
  dossiers: readonly Dossier[],
  deletedIds: readonly string[],
  seqKey: string,
  lastSeq: number,
): void {
  h.db.transaction(() => {
    applyDossiers(h, dossiers, deletedIds);
    setState(h, seqKey, String(lastSeq));
  })();
}

// ------------------------------------------------------------ dossiers read

export function getDossier(h: StoreDb, id: string): Dossier | null {
  const row = h
    .sql('SELECT d.*, x.data FROM dossiers d JOIN dossier_data x ON x.rid = d.rid WHERE d.id = ?')
    .get(id) as (DossierDbRow & { data: string }) | undefined;
  if (!row) return null;
  const data = JSON.parse(row.data) as Dossier;
  // The list columns may carry this workstation's pending decision; the detail shows the same.
  return {
    ...data,
    status: row.status as Dossier['status'],
    outcome: row.outcome as Dossier['outcome'],
    result: row.result as Dossier['result'],
    reviewer: row.reviewer,
    decidedAt: row.decided_at,
  };
}

/** The list columns of a dossier put back to what the service last said (a decision refused). */
export function restoreServiceDecision(h: StoreDb, dossierId: string, expired: boolean): void {
  const d = h
    .sql('SELECT x.data FROM dossiers d JOIN dossier_data x ON x.rid = d.rid WHERE d.id = ?')
    .get(dossierId) as { data: string };
  const server = JSON.parse(d.data) as Dossier;
  h.sql(
    'UPDATE dossiers SET status = ?, outcome = ?, result = ?, reviewer = ?, decided_at = ? WHERE id = ?',
  ).run(
    expired ? 'expired' : server.status,
    server.outcome,
    server.result ?? null,
    server.reviewer,
    server.decidedAt,
    dossierId,
  );
}

export function countDossiers(h: StoreDb): number {
  return (h.sql('SELECT count(*) AS n FROM dossiers').get() as { n: number }).n;
}

/** Other dossiers with the same Mã số BHXH (the seed's 00077/00078). */
export function sameCode(h: StoreDb, bhxhCode: string, exceptId: string): DossierSummary[] {
  return (
    h
      .sql('SELECT * FROM dossiers WHERE bhxh_code = ? AND id <> ? ORDER BY list_at DESC LIMIT 20')
      .all(bhxhCode, exceptId) as DossierDbRow[]
  ).map(summaryOf);
}

/**
 * Dossiers a reader scan names, within the scope: by ID number (CCCD QR; the card's old CMND number
 * too) or by dossier number (the form's QR). Pending dossiers first, then the newest.
 */
export function findForReader(
  h: StoreDb,
  by: { idNumbers: readonly string[] } | { dossierNumber: string },
  agencyScope: readonly string[],
): DossierSummary[] {
  const scope = agencyScope.length ? agencyScope : [''];
  const inScope = `agency_code IN (${scope.map(() => '?').join(',')})`;
  const order = "ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, list_at DESC LIMIT 20";
  const rows =
    'dossierNumber' in by
      ? h
          .sql(`SELECT * FROM dossiers WHERE dossier_number = ? AND ${inScope} ${order}`)
          .all(by.dossierNumber, ...scope)
      : by.idNumbers.length === 0
        ? []
        : h
            .sql(
              `SELECT * FROM dossiers WHERE id_number IN (${by.idNumbers.map(() => '?').join(',')})
                 AND ${inScope} ${order}`,
            )
            .all(...by.idNumbers, ...scope);
  return (rows as DossierDbRow[]).map(summaryOf);
}
