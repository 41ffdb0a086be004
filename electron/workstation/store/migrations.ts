// The local store's schema as numbered migrations (STYLE.md §3). Each runs in one transaction that
// also bumps `user_version`, so a crash mid-migration leaves the previous schema intact. Tables are
// STRICT. Never edit a migration that has shipped: add the next number.

import type Sqlite from 'better-sqlite3-multiple-ciphers';
import { vietnameseNameSortKey } from '../../../contract/text.js';

export type Migration = { version: number; name: string; up: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'dossiers, outbox, sync state, audit',
    up: `
      CREATE TABLE dossiers (
        -- an explicit rowid: the full-text index refers to it, and VACUUM must not renumber it
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        dossier_number TEXT NOT NULL,
        agency_code TEXT NOT NULL,
        kind TEXT NOT NULL,
        -- receivedAt, or declaredAt while not yet received: the list's Ngày tiếp nhận and date filter
        list_at TEXT NOT NULL,
        received_at TEXT,
        declared_at TEXT NOT NULL,
        bhxh_code TEXT NOT NULL,
        full_name TEXT NOT NULL,
        name_folded TEXT NOT NULL,
        address TEXT NOT NULL,
        contact_person TEXT NOT NULL,
        mobile TEXT NOT NULL,
        reviewer TEXT,
        decided_at TEXT,
        status TEXT NOT NULL,
        outcome TEXT,
        version INTEGER NOT NULL,
        -- the whole Dossier as the service sent it (JSON)
        data TEXT NOT NULL,
        -- the uuid of this workstation's decision the service has not yet accepted
        pending_decision TEXT,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX dossiers_list_at ON dossiers (list_at DESC, dossier_number DESC);
      CREATE INDEX dossiers_bhxh ON dossiers (bhxh_code);
      CREATE INDEX dossiers_number ON dossiers (dossier_number);
      CREATE INDEX dossiers_status ON dossiers (status, list_at DESC);
      CREATE INDEX dossiers_agency ON dossiers (agency_code);

      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,            -- uuid: the service's idempotency key (decisionId)
        seq INTEGER NOT NULL UNIQUE,    -- order of recording
        dossier_id TEXT NOT NULL,
        username TEXT NOT NULL,
        agency_code TEXT NOT NULL,
        payload TEXT NOT NULL,          -- the DecisionRequest body, fixed at recording time
        state TEXT NOT NULL CHECK (state IN ('queued','synced','conflict','expired','failed','dismissed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_state ON outbox (state, seq);
      CREATE INDEX outbox_dossier ON outbox (dossier_id, seq);

      CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        username TEXT,
        action TEXT NOT NULL,
        dossier_id TEXT,
        detail TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'offline sign-in credentials, agencies and rejection reasons cache',
    up: `
      CREATE TABLE credentials (
        agency_code TEXT NOT NULL,
        username TEXT NOT NULL,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        user TEXT NOT NULL,
        last_online_at TEXT NOT NULL,
        PRIMARY KEY (agency_code, username)
      ) STRICT;
      CREATE TABLE agencies (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        parent_code TEXT,
        address TEXT NOT NULL,
        phone TEXT NOT NULL
      ) STRICT;
      CREATE TABLE reasons (
        agency_code TEXT NOT NULL,
        code TEXT NOT NULL,
        text TEXT NOT NULL,
        sms_text TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (agency_code, code)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'attachments cache and full-text name index',
    up: `
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        dossier_id TEXT NOT NULL,
        role TEXT NOT NULL,
        media_type TEXT NOT NULL,
        content BLOB NOT NULL,
        fetched_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX attachments_dossier ON attachments (dossier_id);
      -- Folded names (đ = d, no diacritics) tokenised by word; rowid = dossiers.rowid.
      CREATE VIRTUAL TABLE dossier_names USING fts5(name, content='', contentless_delete=1,
        tokenize = 'unicode61 remove_diacritics 0');
    `,
  },
  {
    version: 4,
    name: 'index of dossiers with a decision waiting to sync',
    // Every answer of the service clears `pending_decision`: without an index each one scanned the
    // whole table (27 decisions/s with 100,000 dossiers).
    up: `CREATE INDEX dossiers_pending ON dossiers (pending_decision) WHERE pending_decision IS NOT NULL;`,
  },
  {
    version: 5,
    name: 'scanned and attached images in the outbox; dossiers by ID number for reader scans',
    // The outbox carries two kinds of entries: decisions (payload = DecisionRequest) and attachments
    // (payload = {role, mediaType, sha256, bytes}; the image itself in intake_images, same id). The
    // image row stays after the upload so the detail shows it offline and the comparison can use
    // what was recognised in it.
    up: `
      ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision' CHECK (kind IN ('decision','attachment'));
      CREATE TABLE intake_images (
        id TEXT PRIMARY KEY,            -- uuid; the outbox entry's id
        dossier_id TEXT NOT NULL,
        role TEXT NOT NULL,
        media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg','image/png','application/pdf')),
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        content BLOB NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('scan','file')),
        file_name TEXT,
        recognition TEXT,               -- JSON Recognition (personal data: only in this encrypted file)
        recognition_error TEXT,
        quality TEXT,                   -- JSON QualityReport
        -- 1 once a PUT may have reached the service: a retry first asks the service whether it has it
        sent INTEGER NOT NULL DEFAULT 0,
        attachment_id TEXT,             -- the service's id once synced
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX intake_images_dossier ON intake_images (dossier_id, role, created_at);
      CREATE INDEX outbox_kind ON outbox (kind, state, seq);
      CREATE INDEX dossiers_id_number ON dossiers (json_extract(data, '$.idNumber'));
    `,
  },
  {
    version: 6,
    name: 'ID number as a column',
    // The expression index of 5 parsed every stored dossier's JSON again on each insert and update: a
    // quarter of the first sync's time (10,000 dossiers: 3.7 s with it, 2.7 s without). A plain column
    // filled by the upsert costs nothing extra.
    up: `
      ALTER TABLE dossiers ADD COLUMN id_number TEXT;
      UPDATE dossiers SET id_number = json_extract(data, '$.idNumber');
      DROP INDEX dossiers_id_number;
      CREATE INDEX dossiers_id_number ON dossiers (id_number) WHERE id_number IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'Họ và tên sorted the Vietnamese way',
    // Sorting the list by name used the folded name: đ mixed with d, ă and â with a, family names first.
    // name_sort is vietnameseNameSortKey(full_name) (given name first, the Vietnamese alphabet), whose
    // plain order is the right one; vn_name_sort() is that function, registered by migrate().
    up: `
      ALTER TABLE dossiers ADD COLUMN name_sort TEXT NOT NULL DEFAULT '';
      UPDATE dossiers SET name_sort = vn_name_sort(full_name);
      CREATE INDEX dossiers_name_sort ON dossiers (name_sort, dossier_number);
    `,
  },
  {
    version: 8,
    name: 'the whole dossier beside the list row',
    // The whole-dossier JSON (about 1.5 KB) made a list row span most of a page: a page of 200 rows read
    // about 200 pages of the encrypted file. It moves to dossier_data (same rid); the list row keeps
    // only its columns and the claim (claim_json), about 300 bytes.
    up: `
      CREATE TABLE dossier_data (rid INTEGER PRIMARY KEY, data TEXT NOT NULL) STRICT;
      INSERT INTO dossier_data (rid, data) SELECT rid, data FROM dossiers;
      ALTER TABLE dossiers ADD COLUMN claim_json TEXT;
      UPDATE dossiers SET claim_json = json_extract(data, '$.claim');
      ALTER TABLE dossiers DROP COLUMN data;
    `,
  },
  {
    version: 9,
    name: 'sort keys of the list by row',
    // A name search that matches fewer than a thousand dossiers sorts its matches by Ngày tiếp nhận:
    // it read every match's row of the encrypted table (60 MB at 200,000 dossiers, 13 rows a page)
    // only for list_at and dossier_number, up to a thousand pages to decrypt. This index holds just
    // those keys by row (7 MB), so the sort reads a few cached pages (dossierList.ts uses it by name).
    up: `CREATE INDEX dossiers_order ON dossiers (rid, list_at, dossier_number);`,
  },
  {
    version: 10,
    name: 'the mobile desk: declarations, their chains of steps, their images',
    // A desk declaration lives here from its first keystroke (a draft, so a crash loses nothing typed)
    // to the end of its chain: the intake (idempotency key: the declaration's id, the clientId), each
    // image's upload, the receipt and the decision, one row each in desk_steps, sent in `position`
    // order. The images keep their bytes until the retention period after the chain's end.
    up: `
      CREATE TABLE desk_declarations (
        id TEXT PRIMARY KEY,                -- the clientId (uuid); the Mã tạm is made from it
        seq INTEGER UNIQUE,                 -- order of registration (Ghi nhận); NULL while a draft
        ref TEXT NOT NULL,                  -- Mã tạm, MT-XXXX-XXXX
        ref_key TEXT NOT NULL,              -- the clientId's first 10 hex digits (what a Mã tạm names)
        username TEXT NOT NULL,
        officer_name TEXT NOT NULL,
        agency_code TEXT NOT NULL,
        desk_name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('draft','recorded')),
        declared_at TEXT,                   -- the desk's time of declaring (Ghi nhận)
        day TEXT,                           -- its day on the Vietnamese clock, YYYY-MM-DD
        form TEXT NOT NULL,                 -- the form as typed (JSON DeskValues)
        sources TEXT,                       -- JSON: fields from the card's QR, OCR, BHYT card, registry
        request TEXT,                       -- the intake body fixed at Ghi nhận (replaced on Sửa)
        full_name TEXT NOT NULL DEFAULT '',
        name_folded TEXT NOT NULL DEFAULT '',
        id_number TEXT NOT NULL DEFAULT '',
        identity_by TEXT,                   -- Xác nhận nhân thân: the officer's name
        identity_at TEXT,
        dossier_id TEXT,                    -- the service's, once the intake is accepted
        dossier_number TEXT,
        code_resolution TEXT,
        duplicates TEXT,                    -- JSON, as the intake answered
        dossier_version INTEGER,
        done_at TEXT,                       -- every step accepted: the retention period counts from here
        images_purged_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX desk_declarations_ref ON desk_declarations (ref_key);
      CREATE INDEX desk_declarations_id_number ON desk_declarations (id_number, day);
      CREATE INDEX desk_declarations_day ON desk_declarations (day, seq);
      CREATE INDEX desk_declarations_dossier ON desk_declarations (dossier_id) WHERE dossier_id IS NOT NULL;
      CREATE INDEX desk_declarations_draft ON desk_declarations (username, state) WHERE state = 'draft';

      CREATE TABLE desk_steps (
        id TEXT PRIMARY KEY,                -- the step's idempotency key (intake: the clientId)
        declaration_id TEXT NOT NULL REFERENCES desk_declarations (id),
        position INTEGER NOT NULL,          -- order in the chain: intake 10, images 21-27, receipt 80, decision 90
        kind TEXT NOT NULL CHECK (kind IN ('intake','attachment','receive','decision')),
        payload TEXT NOT NULL,              -- JSON: the decision's body; an image's role, type, sha256
        state TEXT NOT NULL CHECK (state IN ('queued','synced','failed','dismissed')),
        sent INTEGER NOT NULL DEFAULT 0,    -- images: a PUT may have reached the service
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        error_fields TEXT,                  -- JSON: a 422's fields
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX desk_steps_chain ON desk_steps (declaration_id, position);
      CREATE INDEX desk_steps_queued ON desk_steps (kind, next_attempt_at) WHERE state = 'queued';

      CREATE TABLE desk_images (
        id TEXT PRIMARY KEY,                -- uuid; the attachment step's id once recorded
        declaration_id TEXT NOT NULL REFERENCES desk_declarations (id),
        role TEXT NOT NULL,
        media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg','image/png','application/pdf')),
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        content BLOB,                       -- NULL once deleted after the retention period
        source TEXT NOT NULL CHECK (source IN ('scan','file','camera')),
        recognition TEXT,
        recognition_error TEXT,
        quality TEXT,
        created_at TEXT NOT NULL,
        purged_at TEXT
      ) STRICT;
      CREATE INDEX desk_images_declaration ON desk_images (declaration_id, role, created_at);
    `,
  },
  {
    version: 11,
    name: "the decision's result in the list row",
    // Trạng thái tells an approval whose code is not in HGD (no account issued) from one that issued an
    // account, so the list row carries the service's result; Mở rộng filters on it (partial index: only
    // decided dossiers have one). A decision still waiting here has none until the service answers.
    up: `
      ALTER TABLE dossiers ADD COLUMN result TEXT;
      UPDATE dossiers SET result = (SELECT json_extract(x.data, '$.result') FROM dossier_data x WHERE x.rid = dossiers.rid)
        WHERE status = 'decided' AND pending_decision IS NULL;
      CREATE INDEX dossiers_result ON dossiers (result, list_at DESC) WHERE result IS NOT NULL;
    `,
  },
];

/** Apply every migration above the database's `user_version`, each in its own transaction. */
export function migrate(db: Sqlite.Database, upTo = MIGRATIONS.length): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  db.function('vn_name_sort', { deterministic: true }, (name: unknown) =>
    vietnameseNameSortKey(String(name ?? '')),
  );
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
