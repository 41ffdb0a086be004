// Numbered migrations, one schema for both database targets. Each runs in its own transaction with its
// row in schema_migrations; an advisory lock keeps two service instances from migrating at once. A
// migration is frozen once shipped: its SQL is written out here, never built from today's code (a test
// keeps a fingerprint of each); a change is a new migration. A database that has migrations this
// service does not know (a newer service wrote it) is refused before anything is written.

import type { Database } from './database.js';

export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE agencies (
  code text PRIMARY KEY,
  name text NOT NULL,
  parent_code text REFERENCES agencies(code),
  address text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT ''
);

CREATE TABLE staff_users (
  id bigserial PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies(code),
  username text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
  password_hash text NOT NULL,
  failed_logins int NOT NULL DEFAULT 0,
  locked_until timestamptz,
  UNIQUE (agency_code, username)
);

CREATE TABLE staff_sessions (
  token_hash text PRIMARY KEY,
  staff_id bigint NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE captchas (
  id uuid PRIMARY KEY,
  answer_hash text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE dossiers (
  id uuid PRIMARY KEY,
  client_id uuid UNIQUE,
  dossier_number text NOT NULL UNIQUE,
  agency_code text NOT NULL REFERENCES agencies(code),
  kind text NOT NULL CHECK (kind IN ('register', 'update', 'stop')),
  full_name text NOT NULL,
  name_folded text NOT NULL,
  bhxh_code text NOT NULL,
  id_kind text,
  id_number text,
  date_of_birth date,
  gender text,
  address text NOT NULL,
  contact_person text NOT NULL,
  email text,
  mobile text NOT NULL,
  certificate jsonb,
  channel text NOT NULL,
  ivan_name text,
  effective_date date,
  update_details jsonb,
  stop_details jsonb,
  submission_method text NOT NULL,
  declared_at timestamptz NOT NULL,
  received_at timestamptz,
  listed_at timestamptz NOT NULL,
  expires_at timestamptz,
  status text NOT NULL CHECK (status IN ('pending', 'decided', 'expired')),
  outcome text CHECK (outcome IN ('valid', 'invalid')),
  reason text,
  reason_codes text[] NOT NULL DEFAULT '{}',
  reviewer text,
  reviewer_id bigint,
  decided_at timestamptz,
  account_result text,
  result text,
  legacy boolean NOT NULL DEFAULT false,
  version int NOT NULL DEFAULT 1
);
CREATE INDEX dossiers_list ON dossiers (agency_code, listed_at DESC, id DESC);
CREATE INDEX dossiers_bhxh ON dossiers (bhxh_code);
CREATE INDEX dossiers_name ON dossiers USING gin (name_folded gin_trgm_ops);
CREATE INDEX dossiers_expiry ON dossiers (expires_at) WHERE status = 'pending' AND received_at IS NULL;

CREATE TABLE dossier_counters (
  agency_code text NOT NULL,
  year int NOT NULL,
  last int NOT NULL,
  PRIMARY KEY (agency_code, year)
);

CREATE TABLE expired_dossiers (
  id uuid PRIMARY KEY,
  agency_code text NOT NULL,
  dossier_number text NOT NULL,
  expired_at timestamptz NOT NULL
);

CREATE TABLE dossier_steps (
  dossier_id uuid NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  step text NOT NULL,
  state text NOT NULL,
  detail text,
  at timestamptz NOT NULL,
  PRIMARY KEY (dossier_id, step)
);

CREATE TABLE attachments (
  id uuid PRIMARY KEY,
  dossier_id uuid NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  role text NOT NULL,
  media_type text NOT NULL,
  bytes int NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (dossier_id, role)
);

CREATE TABLE claims (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers(id) ON DELETE CASCADE,
  staff_id bigint NOT NULL,
  claimed_by text NOT NULL,
  claimed_until timestamptz NOT NULL
);

-- The change feed. Writers insert rows with seq NULL inside their own transaction; one publisher at a
-- time (advisory lock) numbers the committed rows, so a number is only ever given to a row that is
-- already visible, and every later number is greater: readers of seq > N never skip a change.
CREATE TABLE dossier_changes (
  id bigserial PRIMARY KEY,
  dossier_id uuid NOT NULL,
  agency_code text NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  seq bigint UNIQUE
);
CREATE INDEX dossier_changes_agency ON dossier_changes (agency_code, seq);
CREATE INDEX dossier_changes_unpublished ON dossier_changes (id) WHERE seq IS NULL;

CREATE TABLE decisions (
  decision_id uuid PRIMARY KEY,
  dossier_id uuid NOT NULL,
  staff_id bigint NOT NULL,
  status_code int NOT NULL,
  response text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE registry_persons (
  bhxh_code text PRIMARY KEY,
  full_name text NOT NULL,
  date_of_birth date,
  gender text,
  id_number text
);

CREATE TABLE accounts (
  bhxh_code text PRIMARY KEY,
  password_hash text,
  must_change boolean NOT NULL DEFAULT true,
  status text NOT NULL CHECK (status IN ('active', 'stopped')),
  mobile text,
  email text,
  certificate jsonb,
  password_changed_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Outbox of SMS and e-mail, written in the decision's transaction, delivered by the worker.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  dossier_id uuid REFERENCES dossiers(id) ON DELETE SET NULL,
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'delivered', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  provider_id text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'queued';

CREATE TABLE rejection_reasons (
  agency_code text NOT NULL,
  code text NOT NULL,
  text text NOT NULL,
  sms_text text NOT NULL,
  position int NOT NULL,
  PRIMARY KEY (agency_code, code)
);

-- Append-only audit log. Entries are inserted unchained; the chainer gives them seq, prev_hash and
-- hash once, in order. The trigger refuses every other change and every delete.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  dossier_id uuid,
  payload text NOT NULL,
  seq bigint UNIQUE,
  prev_hash text,
  hash text
);
CREATE INDEX audit_log_unchained ON audit_log (id) WHERE seq IS NULL;
CREATE INDEX audit_log_dossier ON audit_log (dossier_id);

CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action
     AND NEW.dossier_id IS NOT DISTINCT FROM OLD.dossier_id AND NEW.payload = OLD.payload THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
`,
  },
  {
    version: 2,
    name: 'HOT updates of decided dossiers',
    // A decision changes no indexed column, so PostgreSQL can update the row in place (a HOT update,
    // no index touched, the trigram index included) when its page has room: leave room on each page,
    // and keep the decision's columns out of index predicates.
    sql: `
ALTER TABLE dossiers SET (fillfactor = 80);
DROP INDEX dossiers_expiry;
CREATE INDEX dossiers_expiry ON dossiers (expires_at) WHERE received_at IS NULL;
`,
  },
  {
    version: 3,
    name: 'name search by words',
    // Trigrams of common Vietnamese names ("nguyen", "van", "thi") hit a large share of all rows, so a
    // trigram search for a full name reads long posting lists. A word index on the folded name finds
    // "every word of the query, the last one as a prefix" from a few short lists instead.
    sql: `
CREATE INDEX dossiers_name_words ON dossiers USING gin (to_tsvector('simple', name_folded));
DROP INDEX dossiers_name;
`,
  },
  {
    version: 4,
    name: 'feed documents rendered when published',
    // Building 500 dossiers' JSON on every feed read cost about 40 ms in PostgreSQL. The publisher now
    // renders each change's dossier once, when it numbers the change, and readers pass the stored text
    // through. Rows already published get their document here; a NULL document reads as a tombstone.
    // The dossier's document as the service rendered it then (steps had a table of their own until 11).
    sql: `
ALTER TABLE dossier_changes ADD COLUMN doc text;
UPDATE dossier_changes c SET doc = (SELECT (json_build_object(
  'id', d.id, 'dossierNumber', d.dossier_number, 'kind', d.kind, 'agencyCode', d.agency_code,
  'fullName', d.full_name, 'bhxhCode', d.bhxh_code, 'idKind', d.id_kind, 'idNumber', d.id_number,
  'dateOfBirth', d.date_of_birth, 'gender', d.gender, 'address', d.address, 'contactPerson', d.contact_person,
  'email', d.email, 'mobile', d.mobile, 'certificate', d.certificate, 'channel', d.channel, 'ivanName', d.ivan_name,
  'effectiveDate', d.effective_date, 'update', d.update_details, 'stop', d.stop_details,
  'submissionMethod', d.submission_method, 'declaredAt', d.declared_at, 'receivedAt', d.received_at,
  'expiresAt', d.expires_at, 'status', d.status, 'outcome', d.outcome, 'reason', d.reason,
  'reasonCodes', d.reason_codes, 'reviewer', d.reviewer, 'decidedAt', d.decided_at,
  'accountResult', d.account_result, 'result', d.result,
  'attachments', COALESCE((SELECT json_agg(json_build_object('id', a.id, 'role', a.role, 'mediaType', a.media_type,
      'bytes', a.bytes, 'sha256', a.sha256) ORDER BY a.role) FROM attachments a WHERE a.dossier_id = d.id), '[]'),
  'steps', COALESCE((SELECT json_agg(json_build_object('step', s.step, 'state', s.state, 'detail', s.detail, 'at', s.at)
      ORDER BY s.at, array_position(ARRAY['registry_check', 'account', 'sms', 'email'], s.step))
      FROM dossier_steps s WHERE s.dossier_id = d.id), '[]'),
  'claim', (SELECT json_build_object('claimedBy', c.claimed_by, 'claimedUntil', c.claimed_until) FROM claims c
      WHERE c.dossier_id = d.id AND c.claimed_until > now()),
  'version', d.version))::text
  FROM dossiers d WHERE d.id = c.dossier_id)
 WHERE c.seq IS NOT NULL AND NOT c.deleted;
`,
  },
  {
    version: 5,
    name: 'words of names, for the last word of a name search',
    // A search's last word is also a prefix ("nguyen van b"). A prefix in the word index is a partial
    // match, which PostgreSQL answers by collecting every row of every matching word into a bitmap
    // before intersecting: 1,000,000 dossiers, "nguyen & quoc & tuan:*" 27–32 ms, the same words
    // exact 3 ms. Keeping the distinct words (a few thousand syllables) lets the service expand the
    // prefix into exact words first. Names are only ever inserted, so an insert trigger keeps it.
    sql: `
CREATE TABLE name_words (word text COLLATE "C" PRIMARY KEY);
INSERT INTO name_words (word)
  SELECT DISTINCT w FROM dossiers, unnest(tsvector_to_array(to_tsvector('simple', name_folded))) AS w;
CREATE FUNCTION name_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO name_words (word)
    SELECT DISTINCT w FROM new_rows, unnest(tsvector_to_array(to_tsvector('simple', new_rows.name_folded))) AS w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER dossiers_name_words AFTER INSERT ON dossiers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION name_words_add();
`,
  },
  {
    version: 6,
    name: 'pairs of name words in the name index',
    // The words of names are few and common (Nguyễn, Văn, Thị…), so each has a long posting list, and
    // intersecting three of them cost 4–5 ms of a name search at 1,000,000 dossiers. A name's index
    // entry now also holds every pair of its words, "nguyen_thi", "hue_nguyen", "hue_thi" (each pair
    // sorted, so word order does not matter): a pair is far rarer than either word, and a search for
    // all the words of "nguyen thi hue" is a search for all their pairs (1.6 ms). Single words stay,
    // for one-word searches.
    sql: `
CREATE FUNCTION name_terms(name text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple', name) || array_to_tsvector(ARRAY(
    SELECT DISTINCT a.w || '_' || b.w
      FROM unnest(tsvector_to_array(to_tsvector('simple', name))) AS a(w),
           unnest(tsvector_to_array(to_tsvector('simple', name))) AS b(w)
     WHERE a.w < b.w))
$$;
CREATE INDEX dossiers_name_terms ON dossiers USING gin (name_terms(name_folded));
DROP INDEX dossiers_name_words;
`,
  },
  {
    version: 7,
    name: 'name_terms in PL/pgSQL',
    // A SQL function that cannot be inlined (name_terms has a sub-select) is planned again at every
    // call, and PostgreSQL calls it for every dossier row written outside a HOT update: 0.1 ms of
    // planning for 0.05 ms of work. PL/pgSQL keeps the plan for the session. Same words, same pairs,
    // so the index built by migration 6 stays valid.
    sql: `
CREATE OR REPLACE FUNCTION name_terms(name text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN to_tsvector('simple', name) || array_to_tsvector(ARRAY(
    SELECT DISTINCT a.w || '_' || b.w
      FROM unnest(tsvector_to_array(to_tsvector('simple', name))) AS a(w),
           unnest(tsvector_to_array(to_tsvector('simple', name))) AS b(w)
     WHERE a.w < b.w));
END
$$;
`,
  },
  {
    version: 8,
    name: 'more room for HOT updates of new dossiers',
    // Dossiers are decided in about the order they arrive, so the rows of one page are decided within
    // minutes of each other. With a fifth of each page free (migration 2), only the first three or
    // four updates of a page found room for the new row version; the rest moved the row and wrote an
    // entry in each of the seven indexes (the name index's pairs included). Pages filled from now
    // on keep two fifths free. Rows already stored keep their pages.
    sql: `ALTER TABLE dossiers SET (fillfactor = 60);`,
  },
  {
    version: 9,
    name: 'seq indexes of numbered rows only',
    // Change rows and audit entries are inserted without a number and numbered once, later (by the
    // publisher, the chainer). The seq indexes held an entry for every unnumbered row as well, never
    // read: two index entries per change and one per audit entry written in every decision. Readers
    // ask for seq > N or seq IS NOT NULL, which these partial indexes answer.
    sql: `
CREATE UNIQUE INDEX dossier_changes_seq ON dossier_changes (seq) WHERE seq IS NOT NULL;
ALTER TABLE dossier_changes DROP CONSTRAINT dossier_changes_seq_key;
CREATE INDEX dossier_changes_agency_seq ON dossier_changes (agency_code, seq) WHERE seq IS NOT NULL;
DROP INDEX dossier_changes_agency;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq) WHERE seq IS NOT NULL;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_seq_key;
`,
  },
  {
    version: 10,
    name: 'expiry without whole-table scans; keys that only cost',
    // Expiry read the whole feed for each dossier it deleted (to scrub its documents by dossier_id,
    // which no index held: about a second per dossier at 1M changes) and the whole outbox (the foreign
    // key's ON DELETE SET NULL looking for its messages). The feed gets an index by dossier.
    // Three keys go, each written or checked in every decision and never used otherwise:
    // - the outbox's and the steps' foreign keys: only decisions and deliveries write them, both for
    //   decided dossiers, and only undecided dossiers expire (expiry deletes steps itself); they cost a
    //   check in each of a decision's four to six inserts;
    // - the feed's primary key on id: the publisher finds unnumbered rows through their own index and
    //   numbers them by their row address; readers go by seq. It cost two index entries per change
    //   (one when inserted, one when numbered), as many as the new index by dossier.
    sql: `
CREATE INDEX dossier_changes_dossier ON dossier_changes (dossier_id);
ALTER TABLE notifications DROP CONSTRAINT notifications_dossier_id_fkey;
ALTER TABLE dossier_steps DROP CONSTRAINT dossier_steps_dossier_id_fkey;
ALTER TABLE dossier_changes DROP CONSTRAINT dossier_changes_pkey;
`,
  },
  {
    version: 11,
    name: 'downstream steps kept in the dossier row',
    // An approval wrote four step rows and four entries of their key, each a random leaf of a large
    // index, and every rendering of the dossier looked them up again. The steps are now a jsonb array
    // in the dossier's own row, in the order the API shows them (by time, then registry check,
    // account, SMS, e-mail), written by the same update that decides the dossier (a HOT update: the
    // column is in no index). Adding a column with a constant default rewrites nothing.
    sql: `
ALTER TABLE dossiers ADD COLUMN steps jsonb NOT NULL DEFAULT '[]';
UPDATE dossiers d SET steps = s.v
  FROM (SELECT dossier_id, jsonb_agg(jsonb_build_object('step', step, 'state', state, 'detail', detail, 'at', at)
               ORDER BY at, array_position(ARRAY['registry_check', 'account', 'sms', 'email'], step)) AS v
          FROM dossier_steps GROUP BY dossier_id) s
 WHERE d.id = s.dossier_id;
DROP TABLE dossier_steps;
`,
  },
  {
    version: 12,
    name: 'registry search; mobile-desk declarations',
    // Tra cứu mã số BHXH finds people by ID number, or by whole name and date of birth, exactly: one
    // index each, so a lookup reads a few index entries at millions of registry rows. The name's key
    // is the name folded as the service folds names for search (NFD, combining marks dropped, đ = d,
    // lower case, spaces collapsed), computed by PostgreSQL on both sides of the comparison, so the
    // stored rows and the query can never be folded two different ways. An expression index, not a
    // stored column: building it reads the registry once and rewrites nothing. The function is
    // inlined by the planner (one expression), so the index matches the query's expression.
    // A mobile desk may declare without a BHXH code (the service looks it up by ID number and keeps it
    // empty when no single person matches), names its desk, and the answer says how the code was found.
    sql: `
CREATE FUNCTION registry_name_key(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(translate(regexp_replace(normalize(btrim(regexp_replace(name, '\\s+', ' ', 'g')), NFD),
                                        '[\\u0300-\\u036f]', '', 'g'), 'đĐ', 'dd'))
$$;
CREATE INDEX registry_persons_id_number ON registry_persons (id_number);
CREATE INDEX registry_persons_name_key ON registry_persons (registry_name_key(full_name), date_of_birth);
ALTER TABLE dossiers ALTER COLUMN bhxh_code DROP NOT NULL;
ALTER TABLE dossiers ADD COLUMN desk_name text;
ALTER TABLE dossiers ADD COLUMN code_resolution text;
`,
  },
  {
    version: 13,
    name: 'new words of names announced to every instance',
    // Each service instance keeps the words of names to expand a search's last word (migration 5).
    // With several instances, a word first stored through one must reach the others' lists, or a
    // search there for its prefix misses the new dossier until the list is read again. The trigger
    // sends the words it added on the instances' bus channel (server/bus.ts); delivered at commit. A
    // bulk load that adds more than fits in a notification (8,000 bytes) sends "read it again".
    sql: `
CREATE OR REPLACE FUNCTION name_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added text[];
BEGIN
  WITH ins AS (
    INSERT INTO name_words (word)
      SELECT DISTINCT w FROM new_rows, unnest(tsvector_to_array(to_tsvector('simple', new_rows.name_folded))) AS w
    ON CONFLICT DO NOTHING RETURNING word)
  SELECT array_agg(word) INTO added FROM ins;
  IF added IS NOT NULL THEN
    IF octet_length(array_to_string(added, ',')) > 6000 THEN
      PERFORM pg_notify('bhxh_bus', '{"kind":"words","reload":true}');
    ELSE
      PERFORM pg_notify('bhxh_bus', json_build_object('kind', 'words', 'words', added)::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;
`,
  },
  {
    version: 14,
    name: 'shared rate limits, service secrets, applied decision, notification times',
    // Sign-in limits are counted in the database, in fixed windows, so that several service
    // instances behind one load balancer share them (a counter in one process's memory let each
    // instance grant the full limit). Secrets the instances must share (the list cursors' signing
    // key) are made once, by whichever instance starts first. A decided dossier names the decision
    // it applied; an outbox message keeps when its state last changed (a failure has a time too),
    // kept by a trigger so the delivery worker's statements stay as they are.
    sql: `
CREATE TABLE rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  hits int NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

CREATE TABLE service_secrets (
  name text PRIMARY KEY,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE dossiers ADD COLUMN decision_id uuid;
UPDATE dossiers d SET decision_id = dc.decision_id
  FROM decisions dc WHERE dc.dossier_id = d.id AND dc.status_code = 200 AND d.status = 'decided';

ALTER TABLE notifications ADD COLUMN status_at timestamptz;
UPDATE notifications SET status_at = COALESCE(delivered_at, created_at);
CREATE FUNCTION notifications_status_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.status_at := COALESCE(NEW.status_at, NEW.created_at);
  ELSIF NEW.status IS DISTINCT FROM OLD.status OR NEW.attempts IS DISTINCT FROM OLD.attempts THEN
    NEW.status_at := CASE WHEN NEW.status = 'delivered' THEN COALESCE(NEW.delivered_at, statement_timestamp())
                          ELSE statement_timestamp() END;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER notifications_status_at BEFORE INSERT OR UPDATE ON notifications
  FOR EACH ROW EXECUTE FUNCTION notifications_status_at();
`,
  },
  {
    version: 15,
    name: 'feed documents in a table of their own; room for a decided dossier',
    // A feed row held its dossier's rendered document (about 1–2 KB). The publisher numbers each row
    // once, after its writer committed, and numbering wrote a new version of the whole row, the
    // document included (not a HOT update: seq is indexed): every decision wrote its document to the
    // WAL twice in the feed. The documents now live in dossier_change_docs, written once by whoever
    // renders them (a decision, or the publisher for other changes), read by the feed by change id;
    // numbering rewrites a row of a few dozen bytes. `rendered` says the writer stored the document
    // already. Dropping the column rewrites nothing (old rows keep their bytes until rewritten).
    // A decided dossier's row is about twice a pending one's (its steps, reason and result): at
    // fillfactor 60, once most dossiers of a page were decided the page overflowed and a quarter of
    // the updates moved their row to another page (not HOT), each adding entries to every index of
    // dossiers, three of them GIN. At 40 nearly all stay HOT (98 % against 73 % in the third round of
    // a small-database run). Existing pages keep their fill; new ones follow.
    sql: `
CREATE TABLE dossier_change_docs (
  change_id bigint PRIMARY KEY,
  doc text NOT NULL
);
INSERT INTO dossier_change_docs (change_id, doc) SELECT id, doc FROM dossier_changes WHERE doc IS NOT NULL;
ALTER TABLE dossier_changes ADD COLUMN rendered boolean NOT NULL DEFAULT false;
UPDATE dossier_changes SET rendered = true WHERE seq IS NULL AND doc IS NOT NULL;
ALTER TABLE dossier_changes DROP COLUMN doc;
ALTER TABLE dossiers SET (fillfactor = 40);
`,
  },
  {
    version: 16,
    name: "a decision's stored answer by reference to its feed document",
    // An applied decision's answer is {"dossier": <the document>, "result": ...}, and the document is
    // the one its change-feed row holds, rendered in the same statement: every decision wrote the
    // same 1–2 KB twice (and to the WAL twice). An answer stored from now on names its feed row
    // (change_id) and result, and decision_answer() (a routine, decisions.ts) puts the same bytes
    // together again when it is replayed or read. Documents of decided dossiers are never deleted (only undecided dossiers
    // expire), and a feed document is never changed, so the answer stays byte for byte the one sent.
    // Refusals (409, 410, 422…) keep their text. Stored answers already written stay as they are.
    sql: `
ALTER TABLE decisions ALTER COLUMN response DROP NOT NULL;
ALTER TABLE decisions ADD COLUMN change_id bigint, ADD COLUMN result text;
ALTER TABLE decisions ADD CONSTRAINT decisions_answer_kept
  CHECK (response IS NOT NULL OR (change_id IS NOT NULL AND result IS NOT NULL));
`,
  },
];

/** Raised when the database holds migrations newer than this service: running on it could damage it. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `Cơ sở dữ liệu do phiên bản dịch vụ mới hơn tạo (lược đồ ${found}, phiên bản này chỉ biết đến ${known}): ` +
        'hãy chạy phiên bản dịch vụ mới nhất. Cơ sở dữ liệu không bị thay đổi.',
    );
    this.name = 'NewerSchemaError';
  }
}

/** Applies every migration not yet applied, up to `upTo` (tests stop earlier); returns how many. */
export async function migrate(db: Database, upTo = Number.POSITIVE_INFINITY): Promise<number> {
  const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const table = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (table.rows[0]?.t) {
    const found = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const newest = found.rows[0]?.v ?? 0;
    if (newest > known) throw new NewerSchemaError(newest, known);
  }
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7201)');
      const has = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (has.rowCount > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied += 1;
  }
  return applied;
}
