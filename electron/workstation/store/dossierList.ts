// The list of Hình 3 and the search of Hình 4 (Tra cứu) over the store's dossiers: filtered, sorted
// and paged in SQLite, names through the FTS5 index of folded words. Target: p95 ≤ 10 ms for a name
// search over 200,000 dossiers (tests/bench/workstation-search.ts).

import { foldVietnamese } from '../../../contract/text.js';
import type {
  DossierFilter,
  DossierList,
  DossierRow,
  OutboxState,
  SortField,
} from '../../../contract/workstation.js';
import type { StoreDb } from './db.js';
import { agenciesPresent, summaryOf, type DossierDbRow } from './dossiers.js';

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

type Where = { clauses: string[]; params: Record<string, unknown> };

/** The WHERE clauses of a filter and scope, with their named parameters. */
function whereOf(h: StoreDb, filter: DossierFilter, agencyScope: readonly string[] | null): Where {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  // Usually the store holds only the officer's own subtree (the feed is scoped): then the agency
  // condition filters nothing and only costs a lookup per match, so it is left out.
  if (agencyScope && !agenciesPresent(h).every((a) => agencyScope.includes(a))) {
    clauses.push(`d.agency_code IN (${agencyScope.map((_, i) => `@a${i}`).join(',') || "''"})`);
    agencyScope.forEach((a, i) => (params[`a${i}`] = a));
  }
  if (filter.dossierNumber?.trim()) {
    clauses.push("d.dossier_number LIKE @num ESCAPE '\\'");
    params.num = `%${filter.dossierNumber.trim().replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;
  }
  if (filter.bhxhCode?.trim()) {
    // GLOB (case-sensitive) with a literal prefix uses the index; LIKE would scan every row.
    clauses.push('d.bhxh_code GLOB @code');
    params.code = `${filter.bhxhCode.trim().replace(/[^0-9]/gu, '')}*`;
  }
  if (filter.name?.trim()) {
    const match = nameMatchQuery(filter.name);
    if (match) {
      clauses.push('d.rid IN (SELECT rowid FROM dossier_names WHERE dossier_names MATCH @name)');
      params.name = match;
    }
  }
  // Dates are compared on the local (Asia/Ho_Chi_Minh) calendar day of the ISO timestamp.
  if (filter.from) {
    clauses.push("substr(datetime(d.list_at, '+7 hours'), 1, 10) >= @from");
    params.from = filter.from;
  }
  if (filter.to) {
    clauses.push("substr(datetime(d.list_at, '+7 hours'), 1, 10) <= @to");
    params.to = filter.to;
  }
  if (filter.status) {
    clauses.push('d.status = @status');
    params.status = filter.status;
  }
  if (filter.outcome) {
    clauses.push('d.outcome = @outcome');
    params.outcome = filter.outcome;
  }
  // Trạng thái as the list shows it (contract verdictOf): an approval is `valid` unless its result
  // says the code is not in HGD, a change of details or a stop.
  if (filter.verdict === 'invalid') clauses.push("d.outcome = 'invalid'");
  else if (filter.verdict === 'valid') {
    clauses.push(
      "d.outcome = 'valid' AND (d.result IS NULL OR d.result NOT IN ('code_not_found','details_updated','account_stopped'))",
    );
  } else if (filter.verdict) {
    clauses.push('d.result = @verdict');
    params.verdict = filter.verdict;
  }
  return { clauses, params };
}

type PageRow = Omit<DossierDbRow, 'pending_decision'> & { rid: number; local_state: OutboxState | null };

/** The list (Hình 3) and Tra cứu (Hình 4): filtered, sorted, paged; scoped to the given agencies. */
export function listDossiers(
  h: StoreDb,
  filter: DossierFilter,
  sort: { field: SortField; order: 'asc' | 'desc' },
  offset: number,
  limit: number,
  agencyScope: readonly string[] | null,
): DossierList {
  const { clauses, params } = whereOf(h, filter, agencyScope);
  const whereSql = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const column = SORT_COLUMNS[sort.field];
  const dir = sort.order === 'asc' ? 'ASC' : 'DESC';
  // A name alone: the full-text index counts its matches without touching the table.
  const nameMatches =
    typeof params.name === 'string'
      ? (
          h.sql('SELECT count(*) AS n FROM dossier_names WHERE dossier_names MATCH ?').get(params.name) as {
            n: number;
          }
        ).n
      : null;
  const total =
    nameMatches !== null && clauses.length === 1
      ? nameMatches
      : (h.sql(`SELECT count(*) AS n FROM dossiers d ${whereSql}`).get(params) as { n: number }).n;
  // Sort and page narrow tuples first, then read the page's rows: sorting whole rows (with their
  // JSON) of thousands of matches is what makes a search slow. A broad name ("ngu", "thi") matches
  // thousands of rows: then walking the list-order index (rowids only) and keeping the matches
  // finds a page after a few thousand index entries, where fetching and sorting every match would
  // read the table thousands of times. A narrow one is faster the other way round.
  // A narrow one sorted by Ngày tiếp nhận takes its sort keys from dossiers_order (migration 9), not
  // from each match's row; during a bulk load that index is not there and the rows serve.
  const byDate = sort.field === 'receivedAt' && nameMatches !== null;
  const walkIndex = byDate && nameMatches >= BROAD_NAME_MATCHES;
  const keysByRow = byDate && !walkIndex && !h.bulk ? 'INDEXED BY dossiers_order' : '';
  const rids = (
    h
      .sql(
        walkIndex
          ? `SELECT d.rid FROM dossiers d INDEXED BY dossiers_list_at ${whereSql}
               ORDER BY d.list_at ${dir}, d.dossier_number ${dir} LIMIT @limit OFFSET @offset`
          : `SELECT d.rid FROM dossiers d ${keysByRow} ${whereSql}
               ORDER BY d.${column} ${dir} NULLS LAST, d.dossier_number ${dir} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset }) as Array<{ rid: number }>
  ).map((r) => r.rid);
  // The page's rows in one statement, read in rowid order (fewer page visits than one by one), then
  // put back in the list's order.
  const pageRows = h.sql(
    `SELECT d.rid, d.id, d.dossier_number, d.agency_code, d.kind, d.received_at, d.declared_at, d.bhxh_code,
            d.full_name, d.address, d.contact_person, d.mobile, d.reviewer, d.decided_at, d.status, d.outcome,
            d.result, d.version, d.claim_json,
            (SELECT o.state FROM outbox o WHERE o.dossier_id = d.id AND o.kind = 'decision' AND o.state NOT IN ('synced','dismissed')
               ORDER BY o.seq DESC LIMIT 1) AS local_state
       FROM dossiers d WHERE d.rid IN (SELECT value FROM json_each(?))`,
  );
  const byRid = new Map((pageRows.all(JSON.stringify(rids)) as PageRow[]).map((r) => [r.rid, r] as const));
  const rows = rids.map((rid) => byRid.get(rid)).filter((r): r is PageRow => r !== undefined);
  return {
    total,
    offset,
    rows: rows.map((r): DossierRow => ({ ...summaryOf(r), localState: r.local_state ?? null })),
  };
}
