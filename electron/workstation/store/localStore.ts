// The workstation's local store: an encrypted SQLite file (better-sqlite3-multiple-ciphers, WAL) with the
// agency's dossiers, the durable outbox of decisions, sync state, caches for offline work and an audit
// trail of what this workstation did. Recording a decision writes the local change and its outbox entry
// in one transaction (DESIGN.md §4), so it survives a crash the moment the call returns.

import Sqlite from 'better-sqlite3-multiple-ciphers';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type {
  Agency,
  DecisionRequest,
  DecisionResult,
  Dossier,
  DossierSummary,
  RejectionReason,
  StaffUser,
} from '../../../contract/index.js';
import { foldVietnamese, vietnameseNameSortKey } from '../../../contract/text.js';
import type {
  DossierFilter,
  DossierList,
  DossierRow,
  OutboxItem,
  OutboxState,
  SortField,
} from '../../../contract/workstation.js';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type { IntakeImage } from '../../../contract/workstationIntake.js';
import { migrate } from './migrations.js';

export type StoreOptions = {
  file: string;
  /** 32-byte key; the file is unreadable without it. */
  key: Buffer;
  now?: () => Date;
};

type DossierDbRow = {
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
  version: number;
  claim_json: string | null;
  pending_decision: string | null;
  local_state?: string | null;
};

type OutboxDbRow = {
  id: string;
  seq: number;
  dossier_id: string;
  username: string;
  agency_code: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
};

/** The outbox payload of an image upload; the bytes are in intake_images under the same id. */
export type AttachmentPayload = { role: string; mediaType: string; sha256: string; bytes: number };

export type DueEntry =
  | { id: string; dossierId: string; kind: 'decision'; payload: DecisionRequest }
  | { id: string; dossierId: string; kind: 'attachment'; payload: AttachmentPayload };

/** A scanned or attached image as the intake records it. */
export type NewImage = {
  id: string;
  dossierId: string;
  role: string;
  mediaType: 'image/jpeg' | 'image/png' | 'application/pdf';
  sha256: string;
  content: Buffer;
  source: 'scan' | 'file';
  fileName: string | null;
};

type ImageDbRow = {
  id: string;
  dossier_id: string;
  role: string;
  media_type: string;
  bytes: number;
  source: 'scan' | 'file';
  file_name: string | null;
  recognition: string | null;
  recognition_error: string | null;
  quality: string | null;
  sent: number;
  attachment_id: string | null;
  created_at: string;
  state: IntakeImage['state'] | null;
  attempts: number | null;
  last_error: string | null;
};

export type StoredCredential = {
  salt: Buffer;
  hash: Buffer;
  user: StaffUser;
  lastOnlineAt: string;
};

const SORT_COLUMNS: Readonly<Record<SortField, string>> = {
  receivedAt: 'list_at',
  dossierNumber: 'dossier_number',
  bhxhCode: 'bhxh_code',
  fullName: 'name_sort',
  address: 'address',
  contactPerson: 'contact_person',
  mobile: 'mobile',
  reviewer: 'reviewer',
  decidedAt: 'decided_at',
  outcome: 'outcome',
};

/**
 * From this many name matches on, the list walks its order index instead of sorting the matches
 * (tests/bench/workstation-search.ts: about where the two cost the same on 200,000 dossiers).
 */
const BROAD_NAME_MATCHES = 1000;

/** The FTS5 query for a name: the folded words as one phrase, the last word as a prefix. */
export function nameMatchQuery(name: string): string | null {
  const words = foldVietnamese(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (words.length === 0) return null;
  return `"${words.join(' ')}"*`;
}

function summaryOf(row: DossierDbRow): DossierSummary {
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
    version: row.version,
    claim: claim ?? null,
  };
}

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
    ] as const
  )
    .map(([c, p]) => `${c} = CASE WHEN pending_decision IS NULL THEN ${value(c, p)} ELSE ${c} END`)
    .join(', ');

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

/** sync_state key: the SQL of the indexes a bulk load dropped, present while one is under way. */
const BULK_LOAD_KEY = 'bulkLoad.indexes';

export class LocalStore {
  readonly db: Sqlite.Database;
  private readonly now: () => Date;

  constructor(options: StoreOptions) {
    this.now = options.now ?? (() => new Date());
    mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
    this.db = new Sqlite(options.file);
    if (options.key.length !== 32) throw new Error('Khoá kho dữ liệu phải dài 32 byte.');
    // The key pragma must come first: every later read checks it (SQLITE_NOTADB when wrong).
    this.db.pragma(`hexkey='${options.key.toString('hex')}'`);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL survives a crash of the app; only the officer's own decisions need to survive a
    // power cut too, so recordDecision() commits with FULL (everything else is re-pulled or re-sent).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Pages are decrypted into this cache: 200,000 dossiers are ~400 MB on disk, and a search that
    // sorts thousands of matches touches their rows, so a large cache is what keeps it fast.
    this.db.pragma('cache_size = -196608');
    this.db.pragma('foreign_keys = ON');
    // A first sync cut short by a crash left the dossiers without their indexes: restore them before
    // any migration expects them.
    if ((this.db.pragma('user_version', { simple: true }) as number) > 0 && this.getState(BULK_LOAD_KEY))
      this.endBulkLoad();
    migrate(this.db);
  }

  // ------------------------------------------------------------ first sync in bulk

  private bulk = false;

  /** True while a first sync loads without secondary indexes (beginBulkLoad … endBulkLoad). */
  get bulkLoading(): boolean {
    return this.bulk;
  }

  /**
   * A first sync into an empty store: the dossiers' secondary indexes are dropped and the name index
   * is left empty while the pages arrive, then both are built once from the sorted data
   * (endBulkLoad), about three times faster than keeping them up to date row by row. The dropped
   * indexes' SQL is saved in the same transaction, so a crash in between restores them on the next
   * open. Meanwhile the list works (unindexed, slower) and a name search finds nothing yet.
   * Returns false, and changes nothing, when the store already holds dossiers.
   */
  beginBulkLoad(): boolean {
    return this.db.transaction(() => {
      if (this.sql('SELECT 1 FROM dossiers LIMIT 1').get()) return false;
      const indexes = this.sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers' AND sql IS NOT NULL",
      ).all() as Array<{ name: string; sql: string }>;
      this.setState(BULK_LOAD_KEY, JSON.stringify(indexes.map((i) => i.sql)));
      for (const i of indexes) this.db.exec(`DROP INDEX "${i.name.replaceAll('"', '""')}"`);
      this.bulk = true;
      return true;
    })();
  }

  /** Ends a bulk load (also one a crash cut short): the name index and the dropped indexes, rebuilt. */
  endBulkLoad(): void {
    const saved = this.getState(BULK_LOAD_KEY);
    if (!saved) {
      this.bulk = false;
      return;
    }
    this.db.transaction(() => {
      this.db.exec(`INSERT INTO dossier_names (dossier_names) VALUES ('delete-all');
        INSERT INTO dossier_names (rowid, name) SELECT rid, name_folded FROM dossiers ORDER BY rid;`);
      for (const sql of JSON.parse(saved) as string[]) this.db.exec(sql);
      this.sql('DELETE FROM sync_state WHERE key = ?').run(BULK_LOAD_KEY);
    })();
    this.bulk = false;
  }

  close(): void {
    this.db.close();
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ------------------------------------------------------------ state, audit

  getState(key: string): string | null {
    const row = this.sql('SELECT value FROM sync_state WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  setState(key: string, value: string): void {
    this.sql(
      'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  deviceId(): string {
    let id = this.getState('deviceId');
    if (!id) {
      id = `ws-${randomUUID()}`;
      this.setState('deviceId', id);
    }
    return id;
  }

  audit(action: string, username: string | null, dossierId: string | null = null, detail?: string): void {
    this.sql('INSERT INTO audit (at, username, action, dossier_id, detail) VALUES (?, ?, ?, ?, ?)').run(
      this.iso(),
      username,
      action,
      dossierId,
      detail ?? null,
    );
  }

  auditTrail(
    limit = 100,
  ): Array<{ at: string; username: string | null; action: string; dossierId: string | null }> {
    return (
      this.sql('SELECT at, username, action, dossier_id FROM audit ORDER BY id DESC LIMIT ?').all(
        limit,
      ) as Array<{
        at: string;
        username: string | null;
        action: string;
        dossier_id: string | null;
      }>
    ).map((r) => ({ at: r.at, username: r.username, action: r.action, dossierId: r.dossier_id }));
  }

  // ------------------------------------------------------------ dossiers

  private readonly upsertStmt = (): Sqlite.Statement =>
    this.sql(`
    INSERT INTO dossiers (id, dossier_number, agency_code, kind, list_at, received_at, declared_at, bhxh_code,
      full_name, name_folded, address, contact_person, mobile, reviewer, decided_at, status, outcome, version,
      claim_json, updated_at, id_number, name_sort)
    VALUES (@id, @dossierNumber, @agencyCode, @kind, @listAt, @receivedAt, @declaredAt, @bhxhCode, @fullName,
      @nameFolded, @address, @contactPerson, @mobile, @reviewer, @decidedAt, @status, @outcome, @version,
      @claimJson, @updatedAt, @idNumber, @nameSort)
    ON CONFLICT(id) DO UPDATE SET
      dossier_number = excluded.dossier_number, agency_code = excluded.agency_code, kind = excluded.kind,
      list_at = excluded.list_at, received_at = excluded.received_at, declared_at = excluded.declared_at,
      bhxh_code = excluded.bhxh_code, full_name = excluded.full_name, name_folded = excluded.name_folded,
      address = excluded.address, contact_person = excluded.contact_person, mobile = excluded.mobile,
      ${unlessPending((column) => `excluded.${column}`)},
      version = excluded.version, claim_json = excluded.claim_json, updated_at = excluded.updated_at,
      id_number = excluded.id_number, name_sort = excluded.name_sort
    WHERE excluded.version >= dossiers.version
    RETURNING rid`);

  private readonly narrowUpdateStmt = (): Sqlite.Statement =>
    this.sql(`
    UPDATE dossiers SET kind = @kind, received_at = @receivedAt, declared_at = @declaredAt, address = @address,
      contact_person = @contactPerson, mobile = @mobile,
      ${unlessPending((_, param) => `@${param}`)},
      version = @version, claim_json = @claimJson, updated_at = @updatedAt
    WHERE rid = @rid`);

  private readonly byText = new Map<string, Sqlite.Statement>();
  /**
   * A prepared statement, compiled once per SQL text (compiling took about a fifth of the work of
   * storing the service's answer to a decision). SQL built from a filter has a bounded set of texts.
   */
  private sql(text: string): Sqlite.Statement {
    let s = this.byText.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.byText.set(text, s);
    }
    return s;
  }

  private present: Set<string> | null = null;

  /** The agencies that have dossiers in this store (kept up to date as dossiers arrive). */
  agenciesPresent(): string[] {
    if (!this.present) {
      this.present = new Set(
        (this.sql('SELECT DISTINCT agency_code AS a FROM dossiers').all() as Array<{ a: string }>).map(
          (r) => r.a,
        ),
      );
    }
    return [...this.present];
  }

  /** Apply dossiers from the service (change feed, decision answers), newest version wins. */
  applyDossiers(dossiers: readonly Dossier[], deletedIds: readonly string[] = []): void {
    const upsert = this.upsertStmt();
    const ftsDel = this.sql('DELETE FROM dossier_names WHERE rowid = ?');
    const ftsIns = this.sql('INSERT INTO dossier_names (rowid, name) VALUES (?, ?)');
    const ridOf = this.sql('SELECT rid, pending_decision FROM dossiers WHERE id = ?');
    const del = this.sql('DELETE FROM dossiers WHERE rid = ?');
    const dataPut = this.sql(
      'INSERT INTO dossier_data (rid, data) VALUES (?, ?) ON CONFLICT(rid) DO UPDATE SET data = excluded.data',
    );
    const dataDel = this.sql('DELETE FROM dossier_data WHERE rid = ?');
    const updatedAt = this.iso();
    const currentOf = this.sql(
      `SELECT rid, version, dossier_number, agency_code, list_at, bhxh_code, full_name, name_folded, id_number
         FROM dossiers WHERE id = ?`,
    );
    const narrow = this.narrowUpdateStmt();
    for (const d of dossiers) {
      this.present?.add(d.agencyCode);
      const listAt = d.receivedAt ?? d.declaredAt;
      const cur = this.bulk ? undefined : (currentOf.get(d.id) as CurrentRow | undefined);
      if (cur && d.version < cur.version) continue; // an older version than the one stored
      // One literal with every column (better-sqlite3 reads the named parameters a statement uses).
      const params = {
        rid: 0,
        id: d.id,
        dossierNumber: d.dossierNumber,
        agencyCode: d.agencyCode,
        kind: d.kind,
        listAt,
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
        version: d.version,
        claimJson: d.claim ? JSON.stringify(d.claim) : null,
        updatedAt,
        idNumber: d.idNumber ?? null,
        nameSort: '',
      };
      let rid: number;
      if (
        cur &&
        cur.dossier_number === d.dossierNumber &&
        cur.agency_code === d.agencyCode &&
        cur.list_at === listAt &&
        cur.bhxh_code === d.bhxhCode &&
        cur.full_name === d.fullName &&
        cur.id_number === (d.idNumber ?? null)
      ) {
        // What a decision, a claim or a receipt changes: columns that no index but the status one
        // covers, so SQLite rewrites one index entry instead of all of them (the name index stays).
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
        if (!this.bulk && cur?.name_folded !== nameFolded) {
          if (cur) ftsDel.run(rid);
          ftsIns.run(rid, nameFolded);
        }
      }
      dataPut.run(rid, JSON.stringify(d));
    }
    for (const id of deletedIds) {
      const row = ridOf.get(id) as { rid: number; pending_decision: string | null } | undefined;
      // A tombstone (expiry) never removes a dossier with a queued decision: the push will answer 410.
      if (!row || row.pending_decision) continue;
      if (!this.bulk) ftsDel.run(row.rid);
      del.run(row.rid);
      dataDel.run(row.rid);
      this.sql('DELETE FROM attachments WHERE dossier_id = ?').run(id);
    }
  }

  /** One page of the change feed applied with its sequence number in one transaction. */
  applyChangePage(
    dossiers: readonly Dossier[],
    deletedIds: readonly string[],
    seqKey: string,
    lastSeq: number,
  ): void {
    this.db.transaction(() => {
      this.applyDossiers(dossiers, deletedIds);
      this.setState(seqKey, String(lastSeq));
    })();
  }

  getDossier(id: string): Dossier | null {
    const row = this.sql(
      'SELECT d.*, x.data FROM dossiers d JOIN dossier_data x ON x.rid = d.rid WHERE d.id = ?',
    ).get(id) as (DossierDbRow & { data: string }) | undefined;
    if (!row) return null;
    const data = JSON.parse(row.data) as Dossier;
    // The list columns may carry this workstation's pending decision; the detail shows the same.
    return {
      ...data,
      status: row.status as Dossier['status'],
      outcome: row.outcome as Dossier['outcome'],
      reviewer: row.reviewer,
      decidedAt: row.decided_at,
    };
  }

  countDossiers(): number {
    return (this.sql('SELECT count(*) AS n FROM dossiers').get() as { n: number }).n;
  }

  /** The list (Hình 3) and Tra cứu (Hình 4): filtered, sorted, paged; scoped to the given agencies. */
  listDossiers(
    filter: DossierFilter,
    sort: { field: SortField; order: 'asc' | 'desc' },
    offset: number,
    limit: number,
    agencyScope: readonly string[] | null,
  ): DossierList {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    // Usually the store holds only the officer's own subtree (the feed is scoped): then the agency
    // condition filters nothing and only costs a lookup per match, so it is left out.
    if (agencyScope && !this.agenciesPresent().every((a) => agencyScope.includes(a))) {
      where.push(`d.agency_code IN (${agencyScope.map((_, i) => `@a${i}`).join(',') || "''"})`);
      agencyScope.forEach((a, i) => (params[`a${i}`] = a));
    }
    if (filter.dossierNumber?.trim()) {
      where.push("d.dossier_number LIKE @num ESCAPE '\\'");
      params.num = `%${filter.dossierNumber.trim().replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;
    }
    if (filter.bhxhCode?.trim()) {
      // GLOB (case-sensitive) with a literal prefix uses the index; LIKE would scan every row.
      where.push('d.bhxh_code GLOB @code');
      params.code = `${filter.bhxhCode.trim().replace(/[^0-9]/gu, '')}*`;
    }
    if (filter.name?.trim()) {
      const match = nameMatchQuery(filter.name);
      if (match) {
        where.push('d.rid IN (SELECT rowid FROM dossier_names WHERE dossier_names MATCH @name)');
        params.name = match;
      }
    }
    // Dates are compared on the local (Asia/Ho_Chi_Minh) calendar day of the ISO timestamp.
    if (filter.from) {
      where.push("substr(datetime(d.list_at, '+7 hours'), 1, 10) >= @from");
      params.from = filter.from;
    }
    if (filter.to) {
      where.push("substr(datetime(d.list_at, '+7 hours'), 1, 10) <= @to");
      params.to = filter.to;
    }
    if (filter.status) {
      where.push('d.status = @status');
      params.status = filter.status;
    }
    if (filter.outcome) {
      where.push('d.outcome = @outcome');
      params.outcome = filter.outcome;
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const column = SORT_COLUMNS[sort.field];
    const dir = sort.order === 'asc' ? 'ASC' : 'DESC';
    // A name alone: the full-text index counts its matches without touching the table.
    const nameMatches =
      typeof params.name === 'string'
        ? (
            this.sql('SELECT count(*) AS n FROM dossier_names WHERE dossier_names MATCH ?').get(
              params.name,
            ) as { n: number }
          ).n
        : null;
    const total =
      nameMatches !== null && where.length === 1
        ? nameMatches
        : (this.sql(`SELECT count(*) AS n FROM dossiers d ${whereSql}`).get(params) as { n: number }).n;
    // Sort and page narrow tuples first, then read the page's rows: sorting whole rows (with their
    // JSON) of thousands of matches is what makes a search slow. A broad name ("ngu", "thi") matches
    // thousands of rows: then walking the list-order index (rowids only) and keeping the matches
    // finds a page after a few thousand index entries, where fetching and sorting every match would
    // read the table thousands of times. A narrow one is faster the other way round.
    const walkIndex =
      sort.field === 'receivedAt' && nameMatches !== null && nameMatches >= BROAD_NAME_MATCHES;
    const rids = (
      this.sql(
        walkIndex
          ? `SELECT d.rid FROM dossiers d INDEXED BY dossiers_list_at ${whereSql}
               ORDER BY d.list_at ${dir}, d.dossier_number ${dir} LIMIT @limit OFFSET @offset`
          : `SELECT d.rid FROM dossiers d ${whereSql}
               ORDER BY d.${column} ${dir} NULLS LAST, d.dossier_number ${dir} LIMIT @limit OFFSET @offset`,
      ).all({ ...params, limit, offset }) as Array<{ rid: number }>
    ).map((r) => r.rid);
    type PageRow = DossierDbRow & { rid: number; local_state: unknown };
    // The page's rows in one statement, read in rowid order (fewer page visits than one by one), then
    // put back in the list's order.
    const pageRows = this.sql(
      `SELECT d.rid, d.id, d.dossier_number, d.agency_code, d.kind, d.list_at, d.received_at, d.declared_at,
                d.bhxh_code, d.full_name, d.name_folded, d.address, d.contact_person, d.mobile, d.reviewer, d.decided_at,
                d.status, d.outcome, d.version, d.pending_decision, d.updated_at,
                d.claim_json,
                (SELECT o.state FROM outbox o WHERE o.dossier_id = d.id AND o.kind = 'decision' AND o.state NOT IN ('synced','dismissed')
           ORDER BY o.seq DESC LIMIT 1) AS local_state
         FROM dossiers d WHERE d.rid IN (SELECT value FROM json_each(?))`,
    );
    const byRid = new Map((pageRows.all(JSON.stringify(rids)) as PageRow[]).map((r) => [r.rid, r] as const));
    const rows = rids.map((rid) => byRid.get(rid)).filter((r): r is PageRow => r !== undefined);
    return {
      total,
      offset,
      rows: rows.map((r): DossierRow => ({
        ...summaryOf(r),
        localState: (r.local_state as OutboxState) ?? null,
      })),
    };
  }

  /** Other dossiers with the same Mã số BHXH (the seed's 00077/00078). */
  sameCode(bhxhCode: string, exceptId: string): DossierSummary[] {
    return (
      this.sql('SELECT * FROM dossiers WHERE bhxh_code = ? AND id <> ? ORDER BY list_at DESC LIMIT 20').all(
        bhxhCode,
        exceptId,
      ) as DossierDbRow[]
    ).map(summaryOf);
  }

  // ------------------------------------------------------------ outbox

  /**
   * Record a decision: the local dossier change, the outbox entry and the audit line in one
   * transaction. Earlier unsent entries of the same dossier by this workstation are superseded.
   */
  recordDecision(input: { request: DecisionRequest; dossierId: string; user: StaffUser }): OutboxItem {
    const now = this.iso();
    const { request, dossierId, user } = input;
    this.db.pragma('synchronous = FULL');
    try {
      this.recordTx(request, dossierId, user, now);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    return this.outboxItem(request.decisionId) as OutboxItem;
  }

  private recordTx(request: DecisionRequest, dossierId: string, user: StaffUser, now: string): void {
    this.db.transaction(() => {
      const seq = ((this.sql('SELECT max(seq) AS m FROM outbox').get() as { m: number | null }).m ?? 0) + 1;
      this.sql(
        `UPDATE outbox SET state = 'dismissed', updated_at = ?, last_error = 'Đã đánh giá lại.'
           WHERE dossier_id = ? AND kind = 'decision' AND state IN ('queued','conflict','failed','expired')`,
      ).run(now, dossierId);
      this.sql(
        `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
      ).run(
        request.decisionId,
        seq,
        dossierId,
        user.username,
        user.agencyCode,
        JSON.stringify(request),
        now,
        now,
      );
      this.sql(
        `UPDATE dossiers SET status = 'decided', outcome = ?, reviewer = ?, decided_at = ?, pending_decision = ?
           WHERE id = ?`,
      ).run(request.outcome, user.displayName, request.decidedAt, request.decisionId, dossierId);
      this.audit('decision.recorded', user.username, dossierId, `${request.outcome} ${request.decisionId}`);
    })();
  }

  private toItem(row: OutboxDbRow): OutboxItem {
    const p = JSON.parse(row.payload) as DecisionRequest;
    const d = this.sql('SELECT dossier_number, full_name FROM dossiers WHERE id = ?').get(row.dossier_id) as
      { dossier_number: string; full_name: string } | undefined;
    return {
      id: row.id,
      dossierId: row.dossier_id,
      dossierNumber: d?.dossier_number ?? '',
      fullName: d?.full_name ?? '',
      outcome: p.outcome,
      reasonCodes: p.reasonCodes ?? [],
      reason: p.reason ?? '',
      confirmUpdate: p.confirmUpdate ?? false,
      baseVersion: p.baseVersion,
      username: row.username,
      state: row.state,
      attempts: row.attempts,
      lastError: row.last_error,
      result: row.result as DecisionResult | null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  outboxItem(id: string): OutboxItem | null {
    const row = this.sql("SELECT * FROM outbox WHERE id = ? AND kind = 'decision'").get(id) as
      OutboxDbRow | undefined;
    return row ? this.toItem(row) : null;
  }

  latestDecision(dossierId: string): OutboxItem | null {
    const row = this.sql(
      "SELECT * FROM outbox WHERE dossier_id = ? AND kind = 'decision' AND state <> 'dismissed' ORDER BY seq DESC LIMIT 1",
    ).get(dossierId) as OutboxDbRow | undefined;
    return row ? this.toItem(row) : null;
  }

  /**
   * Queued entries of one officer due by `nowMs`, oldest first. An image waits while a decision on the
   * same dossier is queued: its upload raises the dossier's version, and the decision, made against the
   * version the officer saw, would then come back as a conflict.
   */
  dueEntries(username: string, nowMs: number, limit: number): DueEntry[] {
    return (
      this.sql(
        `SELECT o.id, o.dossier_id, o.kind, o.payload FROM outbox o
           WHERE o.state = 'queued' AND o.username = ? AND o.next_attempt_at <= ?
             AND (o.kind = 'decision' OR NOT EXISTS (SELECT 1 FROM outbox d WHERE d.dossier_id = o.dossier_id
               AND d.kind = 'decision' AND d.state = 'queued'))
           ORDER BY o.seq LIMIT ?`,
      ).all(username, nowMs, limit) as Array<{
        id: string;
        dossier_id: string;
        kind: 'decision' | 'attachment';
        payload: string;
      }>
    ).map((r): DueEntry =>
      r.kind === 'attachment'
        ? {
            id: r.id,
            dossierId: r.dossier_id,
            kind: 'attachment',
            payload: JSON.parse(r.payload) as AttachmentPayload,
          }
        : {
            id: r.id,
            dossierId: r.dossier_id,
            kind: 'decision',
            payload: JSON.parse(r.payload) as DecisionRequest,
          },
    );
  }

  nextDueAt(username: string): number | null {
    const row = this.sql(
      "SELECT min(next_attempt_at) AS t FROM outbox WHERE state = 'queued' AND username = ?",
    ).get(username) as { t: number | null };
    return row.t;
  }

  /** The service accepted the decision: record its result and apply its dossier. */
  markSynced(id: string, result: DecisionResult, dossier: Dossier): void {
    this.markSyncedMany([{ id, result, dossier }]);
  }

  /** Several answers in one transaction (the sync engine groups those that arrive together). */
  markSyncedMany(answers: ReadonlyArray<{ id: string; result: DecisionResult; dossier: Dossier }>): void {
    this.db.transaction(() => {
      const at = this.iso();
      for (const { id, result } of answers) {
        this.sql(
          "UPDATE outbox SET state = 'synced', result = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'queued'",
        ).run(result, at, id);
        this.sql('UPDATE dossiers SET pending_decision = NULL WHERE pending_decision = ?').run(id);
      }
      this.applyDossiers(answers.map((a) => a.dossier));
      for (const { id, result, dossier } of answers)
        this.audit('decision.synced', null, dossier.id, `${id} ${result}`);
    })();
  }

  /** The service refused it for good (409 / 410 / 4xx): keep the entry, show the officer why. */
  markRefused(
    id: string,
    state: 'conflict' | 'expired' | 'failed',
    message: string,
    dossier?: Dossier,
  ): void {
    this.db.transaction(() => {
      this.sql(
        "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
      ).run(state, message, this.iso(), id);
      const pending = this.sql('SELECT id FROM dossiers WHERE pending_decision = ?').get(id) as
        { id: string } | undefined;
      this.sql('UPDATE dossiers SET pending_decision = NULL WHERE pending_decision = ?').run(id);
      if (dossier) this.applyDossiers([dossier]);
      else if (pending) {
        // Put the list columns back to what the service last said.
        const d = this.sql(
          'SELECT x.data FROM dossiers d JOIN dossier_data x ON x.rid = d.rid WHERE d.id = ?',
        ).get(pending.id) as { data: string };
        const server = JSON.parse(d.data) as Dossier;
        this.sql(
          'UPDATE dossiers SET status = ?, outcome = ?, reviewer = ?, decided_at = ? WHERE id = ?',
        ).run(
          state === 'expired' ? 'expired' : server.status,
          server.outcome,
          server.reviewer,
          server.decidedAt,
          pending.id,
        );
      }
      this.audit(`decision.${state}`, null, dossier?.id ?? pending?.id ?? null, id);
    })();
  }

  /** A transient failure: try again later. */
  reschedule(id: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.sql(
      "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
    ).run(attempts, nextAttemptAt, error, this.iso(), id);
  }

  attemptsOf(id: string): number {
    return (
      (this.sql('SELECT attempts FROM outbox WHERE id = ?').get(id) as { attempts: number } | undefined)
        ?.attempts ?? 0
    );
  }

  /** The officer asks to send a failed entry again (same idempotency key). */
  retry(id: string): OutboxItem | null {
    this.db.transaction(() => {
      const row = this.sql(
        "SELECT dossier_id FROM outbox WHERE id = ? AND kind = 'decision' AND state = 'failed'",
      ).get(id) as { dossier_id: string } | undefined;
      if (!row) return;
      this.sql("UPDATE outbox SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE id = ?").run(
        this.iso(),
        id,
      );
      const p = (this.sql('SELECT payload FROM outbox WHERE id = ?').get(id) as { payload: string }).payload;
      const req = JSON.parse(p) as DecisionRequest;
      this.sql(
        "UPDATE dossiers SET status = 'decided', outcome = ?, decided_at = ?, pending_decision = ? WHERE id = ?",
      ).run(req.outcome, req.decidedAt, id, row.dossier_id);
    })();
    return this.outboxItem(id);
  }

  /** Only the officer dismisses an entry; the engine never drops one on its own. */
  dismiss(id: string, username: string): OutboxItem | null {
    this.db.transaction(() => {
      const r = this.sql(
        "UPDATE outbox SET state = 'dismissed', updated_at = ? WHERE id = ? AND kind = 'decision' AND state IN ('failed','conflict','expired')",
      ).run(this.iso(), id);
      if (r.changes) this.audit('decision.dismissed', username, null, id);
    })();
    return this.outboxItem(id);
  }

  outboxItems(limit = 500): OutboxItem[] {
    return (
      this.sql(
        `SELECT * FROM outbox WHERE state <> 'dismissed' AND kind = 'decision'
           ORDER BY CASE state WHEN 'synced' THEN 1 ELSE 0 END, seq DESC LIMIT ?`,
      ).all(limit) as OutboxDbRow[]
    ).map((r) => this.toItem(r));
  }

  /**
   * What waits in the outbox: decisions by state (`others`: queued decisions of other officers), and
   * scanned or attached images not yet on the service (`uploadsQueued`, of every officer) or refused
   * by it (`uploadsFailed`).
   */
  outboxCounts(username: string | null): {
    queued: number;
    failed: number;
    conflicts: number;
    others: number;
    uploadsQueued: number;
    uploadsFailed: number;
  } {
    const rows = this.sql(
      `SELECT kind, state, username = @u AS mine, count(*) AS n FROM outbox
         WHERE state IN ('queued','failed','conflict','expired') GROUP BY kind, state, mine`,
    ).all({ u: username ?? '' }) as Array<{
      kind: 'decision' | 'attachment';
      state: OutboxState;
      mine: number;
      n: number;
    }>;
    const out = { queued: 0, failed: 0, conflicts: 0, others: 0, uploadsQueued: 0, uploadsFailed: 0 };
    for (const r of rows) {
      if (r.kind === 'attachment') {
        if (r.state === 'queued') out.uploadsQueued += r.n;
        else if (r.state === 'failed') out.uploadsFailed += r.n;
      } else if (r.state === 'queued') {
        out.queued += r.n;
        if (!r.mine) out.others += r.n;
      } else if (r.state === 'conflict') out.conflicts += r.n;
      else out.failed += r.n;
    }
    return out;
  }

  // ------------------------------------------------------------ caches: credentials, agencies, reasons, attachments

  saveCredential(agencyCode: string, username: string, c: StoredCredential): void {
    this.sql(
      `INSERT INTO credentials (agency_code, username, salt, hash, user, last_online_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(agency_code, username) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,
           user = excluded.user, last_online_at = excluded.last_online_at`,
    ).run(agencyCode, username, c.salt, c.hash, JSON.stringify(c.user), c.lastOnlineAt);
  }

  credential(agencyCode: string, username: string): StoredCredential | null {
    const row = this.sql(
      'SELECT salt, hash, user, last_online_at FROM credentials WHERE agency_code = ? AND username = ?',
    ).get(agencyCode, username) as
      { salt: Buffer; hash: Buffer; user: string; last_online_at: string } | undefined;
    return row
      ? {
          salt: row.salt,
          hash: row.hash,
          user: JSON.parse(row.user) as StaffUser,
          lastOnlineAt: row.last_online_at,
        }
      : null;
  }

  saveAgencies(agencies: readonly Agency[]): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM agencies').run();
      const ins = this.sql(
        'INSERT INTO agencies (code, name, parent_code, address, phone) VALUES (?, ?, ?, ?, ?)',
      );
      for (const a of agencies) ins.run(a.code, a.name, a.parentCode, a.address, a.phone);
    })();
  }

  agencies(): Agency[] {
    return (
      this.sql('SELECT code, name, parent_code, address, phone FROM agencies ORDER BY code').all() as Array<{
        code: string;
        name: string;
        parent_code: string | null;
        address: string;
        phone: string;
      }>
    ).map((r) => ({
      code: r.code,
      name: r.name,
      parentCode: r.parent_code,
      address: r.address,
      phone: r.phone,
    }));
  }

  /** The agency and every agency below it (the staff's scope, DESIGN.md §3). */
  agencyScope(agencyCode: string): string[] {
    const all = this.agencies();
    const out = [agencyCode];
    for (let i = 0; i < out.length; i++) {
      for (const a of all) if (a.parentCode === out[i] && !out.includes(a.code)) out.push(a.code);
    }
    return out;
  }

  saveReasons(agencyCode: string, reasons: readonly RejectionReason[]): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM reasons WHERE agency_code = ?').run(agencyCode);
      const ins = this.sql(
        'INSERT INTO reasons (agency_code, code, text, sms_text, position) VALUES (?, ?, ?, ?, ?)',
      );
      reasons.forEach((r, i) => ins.run(agencyCode, r.code, r.text, r.smsText, i));
    })();
  }

  reasons(agencyCode: string): RejectionReason[] {
    return (
      this.sql('SELECT code, text, sms_text FROM reasons WHERE agency_code = ? ORDER BY position').all(
        agencyCode,
      ) as Array<{ code: string; text: string; sms_text: string }>
    ).map((r) => ({ code: r.code, text: r.text, smsText: r.sms_text }));
  }

  saveAttachment(a: {
    id: string;
    dossierId: string;
    role: string;
    mediaType: string;
    content: Buffer;
  }): void {
    this.sql(
      `INSERT INTO attachments (id, dossier_id, role, media_type, content, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO NOTHING`,
    ).run(a.id, a.dossierId, a.role, a.mediaType, a.content, this.iso());
  }

  attachment(id: string): { mediaType: string; content: Buffer; dossierId: string } | null {
    const row = this.sql('SELECT media_type, content, dossier_id FROM attachments WHERE id = ?').get(id) as
      { media_type: string; content: Buffer; dossier_id: string } | undefined;
    return row ? { mediaType: row.media_type, content: row.content, dossierId: row.dossier_id } : null;
  }

  // ------------------------------------------------------------ intake: scanned and attached images

  /**
   * Record an image for upload: the image row, its outbox entry (kind 'attachment') and the audit line
   * in one transaction, committed with FULL like a decision, so it survives a crash or power cut the
   * moment the call returns. A queued image of the same dossier and role that was never sent is
   * superseded: only the newest one goes to the service.
   */
  recordImage(image: NewImage, user: StaffUser): IntakeImage {
    const now = this.iso();
    const payload: AttachmentPayload = {
      role: image.role,
      mediaType: image.mediaType,
      sha256: image.sha256,
      bytes: image.content.length,
    };
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        const seq = ((this.sql('SELECT max(seq) AS m FROM outbox').get() as { m: number | null }).m ?? 0) + 1;
        this.sql(
          `UPDATE outbox SET state = 'dismissed', updated_at = ?, last_error = 'Đã thay bằng ảnh mới.'
             WHERE kind = 'attachment' AND dossier_id = ? AND state IN ('queued','failed')
               AND id IN (SELECT id FROM intake_images WHERE dossier_id = ? AND role = ?)`,
        ).run(now, image.dossierId, image.dossierId, image.role);
        this.sql(
          `INSERT INTO intake_images (id, dossier_id, role, media_type, sha256, bytes, content, source, file_name, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          image.id,
          image.dossierId,
          image.role,
          image.mediaType,
          image.sha256,
          image.content.length,
          image.content,
          image.source,
          image.fileName,
          now,
        );
        this.sql(
          `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, kind, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'queued', 'attachment', ?, ?)`,
        ).run(
          image.id,
          seq,
          image.dossierId,
          user.username,
          user.agencyCode,
          JSON.stringify(payload),
          now,
          now,
        );
        this.audit('attachment.recorded', user.username, image.dossierId, `${image.role} ${image.id}`);
      })();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    return this.image(image.id) as IntakeImage;
  }

  /** What recognition found in a stored image (kept for the comparison panel). */
  saveRecognition(
    id: string,
    r: { recognition: Recognition | null; error: string | null; quality: QualityReport | null },
  ): void {
    this.sql('UPDATE intake_images SET recognition = ?, recognition_error = ?, quality = ? WHERE id = ?').run(
      r.recognition ? JSON.stringify(r.recognition) : null,
      r.error,
      r.quality ? JSON.stringify(r.quality) : null,
      id,
    );
  }

  private readonly imageSelect = `SELECT i.id, i.dossier_id, i.role, i.media_type, i.bytes, i.source, i.file_name,
      i.recognition, i.recognition_error, i.quality, i.sent, i.attachment_id, i.created_at,
      o.state, o.attempts, o.last_error
    FROM intake_images i LEFT JOIN outbox o ON o.id = i.id`;

  private toImage(r: ImageDbRow): IntakeImage {
    return {
      id: r.id,
      dossierId: r.dossier_id,
      role: r.role,
      mediaType: r.media_type,
      bytes: r.bytes,
      source: r.source,
      fileName: r.file_name,
      state: r.state ?? 'synced',
      attempts: r.attempts ?? 0,
      lastError: r.last_error,
      attachmentId: r.attachment_id,
      createdAt: r.created_at,
      recognizing: false,
      recognition: r.recognition ? (JSON.parse(r.recognition) as Recognition) : null,
      recognitionError: r.recognition_error,
      quality: r.quality ? (JSON.parse(r.quality) as QualityReport) : null,
    };
  }

  image(id: string): IntakeImage | null {
    const row = this.sql(`${this.imageSelect} WHERE i.id = ?`).get(id) as ImageDbRow | undefined;
    return row ? this.toImage(row) : null;
  }

  /** The newest image of each role of a dossier that was not superseded. */
  images(dossierId: string): IntakeImage[] {
    const rows = this.sql(
      `${this.imageSelect} WHERE i.dossier_id = ? AND coalesce(o.state, 'synced') <> 'dismissed'
         ORDER BY i.created_at DESC, o.seq DESC`,
    ).all(dossierId) as ImageDbRow[];
    const seen = new Set<string>();
    const out: IntakeImage[] = [];
    for (const r of rows) {
      if (seen.has(r.role)) continue;
      seen.add(r.role);
      out.push(this.toImage(r));
    }
    return out.sort((a, b) => a.role.localeCompare(b.role, 'en', { numeric: true }));
  }

  imageContent(id: string): { dossierId: string; mediaType: string; content: Buffer; sha256: string } | null {
    const row = this.sql(
      'SELECT dossier_id, media_type, content, sha256 FROM intake_images WHERE id = ?',
    ).get(id) as { dossier_id: string; media_type: string; content: Buffer; sha256: string } | undefined;
    return row
      ? { dossierId: row.dossier_id, mediaType: row.media_type, content: row.content, sha256: row.sha256 }
      : null;
  }

  hasQueuedDecision(dossierId: string): boolean {
    return (
      this.sql(
        "SELECT 1 FROM outbox WHERE dossier_id = ? AND kind = 'decision' AND state = 'queued' LIMIT 1",
      ).get(dossierId) !== undefined
    );
  }

  /** Before each PUT: from now on the service may have the image (a crash cannot undo that). */
  markImageSent(id: string): void {
    this.sql('UPDATE intake_images SET sent = 1 WHERE id = ?').run(id);
  }

  imageSent(id: string): boolean {
    const row = this.sql('SELECT sent FROM intake_images WHERE id = ?').get(id) as
      { sent: number } | undefined;
    return row?.sent === 1;
  }

  /** The service holds the image: record its id and keep the bytes in the attachments cache too. */
  markImageSynced(id: string, attachmentId: string): void {
    this.db.transaction(() => {
      const r = this.sql(
        "UPDATE outbox SET state = 'synced', last_error = NULL, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state IN ('queued','dismissed')",
      ).run(this.iso(), id);
      if (!r.changes) return;
      this.sql('UPDATE intake_images SET attachment_id = ? WHERE id = ?').run(attachmentId, id);
      const img = this.imageContent(id);
      if (img) {
        const role = (this.sql('SELECT role FROM intake_images WHERE id = ?').get(id) as { role: string })
          .role;
        this.saveAttachment({
          id: attachmentId,
          dossierId: img.dossierId,
          role,
          mediaType: img.mediaType,
          content: img.content,
        });
      }
      this.audit('attachment.synced', null, img?.dossierId ?? null, id);
    })();
  }

  /** Refused by the service (403, 404, 410, 413, 415, 422): kept, the officer sees why and may retry. */
  markImageFailed(id: string, message: string): void {
    this.sql(
      "UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state = 'queued'",
    ).run(message, this.iso(), id);
  }

  retryImage(id: string): IntakeImage | null {
    this.sql(
      "UPDATE outbox SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state = 'failed'",
    ).run(this.iso(), id);
    return this.image(id);
  }

  /**
   * Dossiers a reader scan names, within the scope: by ID number (CCCD QR; the card's old CMND number
   * too) or by dossier number (the form's QR). Pending dossiers first, then the newest.
   */
  findForReader(
    by: { idNumbers: readonly string[] } | { dossierNumber: string },
    agencyScope: readonly string[],
  ): DossierSummary[] {
    const scope = agencyScope.length ? agencyScope : [''];
    const inScope = `agency_code IN (${scope.map(() => '?').join(',')})`;
    const order = "ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, list_at DESC LIMIT 20";
    const rows =
      'dossierNumber' in by
        ? this.sql(`SELECT * FROM dossiers WHERE dossier_number = ? AND ${inScope} ${order}`).all(
            by.dossierNumber,
            ...scope,
          )
        : by.idNumbers.length === 0
          ? []
          : this.sql(
              `SELECT * FROM dossiers WHERE id_number IN (${by.idNumbers.map(() => '?').join(',')})
                 AND ${inScope} ${order}`,
            ).all(...by.idNumbers, ...scope);
    return (rows as DossierDbRow[]).map(summaryOf);
  }
}
