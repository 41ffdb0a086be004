// Decisions (API.md "Decisions"): idempotent by decisionId (the first answer is stored and replayed
// byte for byte), guarded by the dossier's version, 410 for expired dossiers. Approval of a register
// dossier checks the registry (code exists and the name matches after NFC, case and whitespace
// folding) and, in the same transaction, creates the account with a one-time password (stored
// hashed, to change at first login) and queues the SMS; update dossiers apply only with
// confirmUpdate; stop dossiers deactivate the account; rejections queue an SMS with the reasons.

import { isoVn } from './time.js';
import {
  maskId,
  nameKey,
  type DecisionRequest,
  type DecisionResult,
  type Dossier,
} from '../contract/index.js';
import { auditInsert } from './audit.js';
import type { Ctx, Staff } from './context.js';
import type { Queryable } from './db/database.js';
import { DOSSIER_JSON, loadDossier, UUID } from './dossiers.js';
import { ApiError, invalid, notFound } from './errors.js';
import { smsText, type QueuedMessage, type Step } from './notify.js';
import { hashPassword, oneTimePassword, OTP_COST } from './passwords.js';
import { reasonsFor } from './reasons.js';
import { parseInstant } from './time.js';
import { cleanReason } from './validation.js';

/** What the route sends: the status and the exact body text (replayed byte for byte). */
export type StoredAnswer = { status: number; body: string };

const fmtDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export async function decide(
  ctx: Ctx,
  staff: Staff,
  dossierId: string,
  req: DecisionRequest,
): Promise<StoredAnswer> {
  const now = ctx.now();
  const decidedAt = parseInstant(req.decidedAt);
  if (!decidedAt || decidedAt.getTime() > now.getTime() + 5 * 60_000) {
    throw invalid({
      decidedAt: 'Thời điểm duyệt phải là ngày giờ ISO 8601 có múi giờ và không ở tương lai.',
    });
  }
  const reason = cleanReason(req.reason);
  const reasonCodes = [...new Set(req.reasonCodes ?? [])];
  if (req.outcome === 'invalid' && reasonCodes.length === 0 && !reason) {
    throw invalid(
      { reason: 'Hồ sơ không hợp lệ phải có lý do: chọn lý do chuẩn hoặc nhập nội dung.' },
      'Chưa nhập lý do cho hồ sơ không hợp lệ.',
    );
  }
  // Hashing is slow by design: do it before the transaction, so no lock waits for it.
  const otp = req.outcome === 'valid' ? oneTimePassword() : null;
  const otpHash = otp ? await hashPassword(otp, OTP_COST) : null;

  try {
    return await ctx.db.transaction(async (tx) => {
      // One round trip: the dossier locked, the first answer to this decisionId if there is one, and
      // the registry's name for the code (the approval's check).
      const locked = UUID.test(dossierId)
        ? await tx.query<{ dossier: Decidable; registry_name: string | null; stored: StoredAnswer | null }>(
            `SELECT ${DECIDABLE_JSON} AS dossier,
                    (SELECT r.full_name FROM registry_persons r WHERE r.bhxh_code = d.bhxh_code) AS registry_name,
                    (SELECT json_build_object('status', dc.status_code, 'body', dc.response) FROM decisions dc
                      WHERE dc.decision_id = $3) AS stored
               FROM dossiers d WHERE d.id = $1 AND d.agency_code = ANY($2::text[]) FOR UPDATE OF d`,
            [dossierId, staff.scope, req.decisionId],
            { prepare: true },
          )
        : null;
      const row = locked?.rows[0];
      if (!row || row.stored) {
        // A replay, or a dossier this caller cannot see or that is gone: the first answer wins, then 404/410.
        const first = await storedAnswer(tx, staff, req.decisionId, dossierId);
        if (first) return first;
        await loadDossier(tx, ctx, staff, dossierId);
        throw notFound('Không tìm thấy hồ sơ.');
      }
      const dossier = row.dossier;
      const answer = (status: number, body: unknown): StoredAnswer => ({
        status,
        body: JSON.stringify(body),
      });
      let out: StoredAnswer;
      let resultOf: DecisionResult | null = null;
      const expired =
        dossier.status === 'pending' &&
        !dossier.receivedAt &&
        dossier.expiresAt &&
        Date.parse(dossier.expiresAt) <= now.getTime();
      if (expired) {
        out = answer(410, {
          error: { code: 'expired', message: 'Hồ sơ đã quá hạn 10 ngày không nộp bản giấy.' },
        });
      } else if (req.baseVersion !== dossier.version || dossier.status !== 'pending') {
        // The conflict's answer shows the dossier as it now is, in full (a rare path: one more read).
        const current = await tx.query<{ dossier: Dossier }>(
          `SELECT ${DOSSIER_JSON} AS dossier FROM dossiers d WHERE d.id = $2`,
          [now.toISOString(), dossier.id],
          { prepare: true },
        );
        out = answer(409, {
          error: {
            code: 'version_conflict',
            message:
              dossier.status === 'decided'
                ? `Hồ sơ đã được ${dossier.reviewer ?? 'cán bộ khác'} xử lý trước. Vui lòng xem lại kết quả.`
                : 'Hồ sơ đã thay đổi kể từ khi bạn mở. Vui lòng xem lại và duyệt lại.',
          },
          dossier: current.rows[0]!.dossier,
        });
      } else {
        if (dossier.kind === 'update' && req.outcome === 'valid' && req.confirmUpdate !== true) {
          throw new ApiError(
            422,
            'confirmation_required',
            'Hồ sơ điều chỉnh thông tin cần được Xác nhận trước khi cập nhật.',
            {
              confirmUpdate: 'Chọn "Xác nhận" để đồng ý cập nhật thông tin đăng ký của cá nhân.',
            },
          );
        }
        const reasons = reasonCodes.length ? await reasonsFor(tx, ctx, dossier.agencyCode) : [];
        const unknown = reasonCodes.filter((c) => !reasons.some((r) => r.code === c));
        if (unknown.length)
          throw invalid({ reasonCodes: `Lý do không có trong danh mục: ${unknown.join(', ')}.` });
        const chosen = reasonCodes.map((c) => reasons.find((r) => r.code === c)!);
        const applied = await applyOutcome(tx, dossier, row.registry_name, req.outcome, {
          chosen,
          reason,
          otp,
          otpHash,
          now,
        });
        const { result } = applied;
        const fullReason = [...chosen.map((r) => r.text), ...(reason ? [reason] : [])].join('; ') || null;
        await writeOutcome(tx, dossier, applied, {
          now,
          outcome: req.outcome,
          fullReason,
          reasonCodes,
          staff,
          decidedAt,
        });
        resultOf = result;
        out = { status: 200, body: '' };
      }
      // The audit entry and the stored answer, in one statement.
      const audit = auditInsert(
        now,
        {
          actor: `${staff.agencyCode}/${staff.username}`,
          action: 'dossier.decision',
          dossierId: dossier.id,
          details: {
            decisionId: req.decisionId,
            outcome: req.outcome,
            status: out.status,
            deviceId: req.deviceId,
            baseVersion: req.baseVersion,
          },
        },
        7,
      );
      // A 200's answer is the dossier as it now is, built by PostgreSQL, stored and sent as that text.
      const saved = await tx.query<{ response: string }>(
        out.status === 200
          ? `WITH audit AS (${audit.sql})
             INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
             SELECT $6, d.id, $3, $4, json_build_object('dossier', ${DOSSIER_JSON}, 'result', $5::text)::text, $1
               FROM dossiers d WHERE d.id = $2
             ON CONFLICT (decision_id) DO NOTHING RETURNING response`
          : `WITH audit AS (${audit.sql})
             INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
             VALUES ($6, $2, $3, $4, $5, $1) ON CONFLICT (decision_id) DO NOTHING RETURNING response`,
        [
          now.toISOString(),
          dossier.id,
          staff.id,
          out.status,
          out.status === 200 ? resultOf : out.body,
          req.decisionId,
          ...audit.params,
        ],
        { prepare: true },
      );
      if (saved.rowCount === 0) throw new ReplayInstead();
      return { status: out.status, body: saved.rows[0]!.response };
    });
  } catch (err) {
    // The same decisionId committed by a concurrent request: answer what it answered.
    if (err instanceof ReplayInstead || (err as { code?: string }).code === '23505') {
      const again = await storedAnswer(ctx.db, staff, req.decisionId, dossierId);
      if (again) return again;
    }
    throw err;
  }
}

type OutcomeWrite = {
  now: Date;
  outcome: 'valid' | 'invalid';
  fullReason: string | null;
  reasonCodes: string[];
  staff: Staff;
  decidedAt: Date;
};

/**
 * Every write of a decision in one statement: the account it issues, its steps, its queued
 * messages, the dossier's new state and its change-feed row.
 */
async function writeOutcome(tx: Queryable, d: Decidable, applied: Applied, w: OutcomeWrite): Promise<void> {
  const { result, steps, messages, account } = applied;
  const at = w.now.toISOString();
  await tx.query(
    `WITH acc AS (
       INSERT INTO accounts (bhxh_code, password_hash, must_change, status, mobile, email, certificate,
                             password_changed_at, created_at, updated_at)
       SELECT $3, $11, true, 'active', $12, $13, $14::jsonb, NULL, $1, $1 WHERE $11::text IS NOT NULL
       ON CONFLICT (bhxh_code) DO UPDATE SET password_hash = EXCLUDED.password_hash, must_change = true,
         status = 'active', mobile = EXCLUDED.mobile, email = EXCLUDED.email, certificate = EXCLUDED.certificate,
         updated_at = EXCLUDED.updated_at),
     st AS (
       INSERT INTO dossier_steps (dossier_id, step, state, detail, at)
       SELECT $2, s.step, s.state, s.detail, $1 FROM unnest($15::text[], $16::text[], $17::text[]) AS s(step, state, detail)
       ON CONFLICT (dossier_id, step) DO UPDATE SET state = EXCLUDED.state, detail = EXCLUDED.detail, at = EXCLUDED.at),
     ms AS (
       INSERT INTO notifications (id, channel, dossier_id, recipient, subject, body, status, next_attempt_at, created_at)
       SELECT gen_random_uuid(), m.channel, $2, m.recipient, m.subject, m.body, 'queued', $1, $1
         FROM unnest($18::text[], $19::text[], $20::text[], $21::text[]) AS m(channel, recipient, subject, body)),
     d AS (
       UPDATE dossiers SET status = 'decided', outcome = $4, reason = $5, reason_codes = $6, reviewer = $7,
         reviewer_id = $8, decided_at = $9, result = $10, account_result = $22, version = version + 1
        WHERE id = $2 RETURNING id, agency_code)
     INSERT INTO dossier_changes (dossier_id, agency_code) SELECT id, agency_code FROM d`,
    [
      at,
      d.id,
      d.bhxhCode,
      w.outcome,
      w.fullReason,
      w.reasonCodes,
      w.staff.displayName,
      w.staff.id,
      w.decidedAt.toISOString(),
      result,
      account?.otpHash ?? null,
      d.mobile,
      d.email,
      d.certificate ? JSON.stringify(d.certificate) : null,
      steps.map((x) => x.step),
      steps.map((x) => x.state),
      steps.map((x) => x.detail),
      messages.map((m) => m.channel),
      messages.map((m) => m.recipient),
      messages.map((m) => m.subject ?? null),
      messages.map((m) => (m.channel === 'sms' ? smsText(m.body) : m.body)),
      result === 'account_issued' ? 'issued' : result === 'code_not_found' ? 'code_not_found' : null,
    ],
    { prepare: true },
  );
}

class ReplayInstead extends Error {}

/** What deciding reads of the locked dossier: its columns, without the attachments, steps and claim. */
type Decidable = Pick<
  Dossier,
  | 'id'
  | 'dossierNumber'
  | 'kind'
  | 'agencyCode'
  | 'fullName'
  | 'bhxhCode'
  | 'email'
  | 'mobile'
  | 'certificate'
  | 'update'
  | 'stop'
  | 'receivedAt'
  | 'expiresAt'
  | 'status'
  | 'reviewer'
  | 'version'
>;
const DECIDABLE_JSON = `json_build_object(
  'id', d.id, 'dossierNumber', d.dossier_number, 'kind', d.kind, 'agencyCode', d.agency_code,
  'fullName', d.full_name, 'bhxhCode', d.bhxh_code, 'email', d.email, 'mobile', d.mobile,
  'certificate', d.certificate, 'update', d.update_details, 'stop', d.stop_details,
  'receivedAt', d.received_at, 'expiresAt', d.expires_at, 'status', d.status, 'reviewer', d.reviewer,
  'version', d.version)`;

async function storedAnswer(
  q: Queryable,
  staff: Staff,
  decisionId: string,
  dossierId: string,
): Promise<StoredAnswer | null> {
  const res = await q.query<{
    status_code: number;
    response: string;
    dossier_id: string;
    agency_code: string | null;
  }>(
    `SELECT dc.status_code, dc.response, dc.dossier_id, COALESCE(d.agency_code, x.agency_code) AS agency_code
       FROM decisions dc LEFT JOIN dossiers d ON d.id = dc.dossier_id LEFT JOIN expired_dossiers x ON x.id = dc.dossier_id
      WHERE dc.decision_id = $1`,
    [decisionId],
  );
  const row = res.rows[0];
  if (!row) return null;
  // A replay is answered only to someone who may see the dossier, and only for the same dossier.
  if (row.agency_code && !staff.scope.includes(row.agency_code)) throw notFound('Không tìm thấy hồ sơ.');
  if (row.dossier_id !== dossierId) {
    throw new ApiError(409, 'duplicate', 'Mã quyết định (decisionId) này đã được dùng cho một hồ sơ khác.');
  }
  return { status: row.status_code, body: row.response };
}

type ApplyInput = {
  chosen: Array<{ code: string; text: string; smsText: string }>;
  reason: string | null;
  otp: string | null;
  otpHash: string | null;
  now: Date;
};

/** A new account (approval of a register dossier), written by `writeOutcome`. */
type NewAccount = { otpHash: string };

type Applied = {
  result: DecisionResult;
  steps: Step[];
  messages: QueuedMessage[];
  account: NewAccount | null;
};

/**
 * What the outcome does: the steps and messages it leaves and the account it issues (written by
 * `writeOutcome`). Update and stop dossiers change an existing account here (rare, two statements).
 */
async function applyOutcome(
  tx: Queryable,
  d: Decidable,
  registryName: string | null,
  outcome: 'valid' | 'invalid',
  input: ApplyInput,
): Promise<Applied> {
  const { now } = input;
  const steps: Step[] = [];
  const messages: QueuedMessage[] = [];
  let issue: NewAccount | null = null;
  const done = (result: DecisionResult): Applied => ({ result, steps, messages, account: issue });
  const notify = (sms: string, subject: string, mail: string, mobile = d.mobile, email = d.email): void => {
    messages.push({ channel: 'sms', recipient: mobile, body: sms });
    steps.push({ step: 'sms', state: 'queued', detail: `Tin nhắn chờ gửi tới ${maskId(mobile)}` });
    if (email) {
      messages.push({ channel: 'email', recipient: email, subject, body: mail });
      steps.push({ step: 'email', state: 'queued', detail: `Thư chờ gửi tới ${maskId(email)}` });
    }
  };

  if (outcome === 'invalid') {
    const why = [...input.chosen.map((r) => r.smsText), ...(input.reason ? [input.reason] : [])].join('; ');
    const whyFull = [...input.chosen.map((r) => r.text), ...(input.reason ? [input.reason] : [])].join('; ');
    notify(
      `BHXH VN: Ho so dang ky GDDT so ${d.dossierNumber} khong hop le. Ly do: ${why}`,
      `Hồ sơ đăng ký giao dịch điện tử số ${d.dossierNumber} không hợp lệ`,
      `Kính gửi ${d.fullName},\n\nHồ sơ đăng ký giao dịch điện tử số ${d.dossierNumber} không hợp lệ.\nLý do: ${whyFull}\n\nBảo hiểm xã hội Việt Nam`,
    );
    return done('rejected');
  }

  if (d.kind === 'register') {
    if (registryName === null) {
      steps.push({
        step: 'registry_check',
        state: 'failed',
        detail: 'Mã số BHXH không có trên hệ thống HGD: hướng dẫn kê khai tờ khai TK1-TS',
      });
      return done('code_not_found');
    }
    if (nameKey(registryName) !== nameKey(d.fullName)) {
      steps.push({
        step: 'registry_check',
        state: 'failed',
        detail: 'Họ tên không khớp với hệ thống HGD: hướng dẫn kê khai tờ khai TK1-TS',
      });
      return done('code_not_found');
    }
    steps.push({
      step: 'registry_check',
      state: 'done',
      detail: 'Mã số BHXH và họ tên khớp với hệ thống HGD',
    });
    issue = { otpHash: input.otpHash! };
    steps.push({
      step: 'account',
      state: 'done',
      detail: `Đã cấp tài khoản ${d.bhxhCode}; phải đổi mật khẩu khi đăng nhập lần đầu`,
    });
    notify(
      `BHXH VN: Tai khoan GDDT cua ban da duoc cap. Ten dang nhap: ${d.bhxhCode}. Mat khau: ${input.otp}. Vui long doi mat khau khi dang nhap lan dau.`,
      'Tài khoản giao dịch điện tử đã được cấp',
      `Kính gửi ${d.fullName},\n\nHồ sơ số ${d.dossierNumber} đã được duyệt. Tài khoản giao dịch điện tử của bạn là ${d.bhxhCode}; mật khẩu được gửi bằng tin nhắn tới số điện thoại đã đăng ký.\n\nBảo hiểm xã hội Việt Nam`,
    );
    return done('account_issued');
  }

  const acc = await tx.query<{ status: string; mobile: string | null; email: string | null }>(
    'SELECT status, mobile, email FROM accounts WHERE bhxh_code = $1 FOR UPDATE',
    [d.bhxhCode],
  );
  const account = acc.rows[0];
  if (!account || account.status !== 'active') {
    steps.push({
      step: 'account',
      state: 'failed',
      detail: 'Mã số BHXH chưa có tài khoản giao dịch điện tử đang hoạt động',
    });
    return done('code_not_found');
  }
  if (d.kind === 'update') {
    const u = d.update ?? {};
    await tx.query(
      `UPDATE accounts SET mobile = COALESCE($2, mobile), email = COALESCE($3, email),
         certificate = COALESCE($4::jsonb, certificate), updated_at = $5 WHERE bhxh_code = $1`,
      [
        d.bhxhCode,
        u.mobile ?? null,
        u.email ?? null,
        u.certificate ? JSON.stringify(u.certificate) : null,
        now.toISOString(),
      ],
    );
    steps.push({ step: 'account', state: 'done', detail: 'Đã cập nhật thông tin đăng ký' });
    notify(
      `BHXH VN: Thong tin dang ky GDDT cua ma so ${d.bhxhCode} da duoc cap nhat theo ho so ${d.dossierNumber}.`,
      'Thông tin đăng ký giao dịch điện tử đã được cập nhật',
      `Kính gửi ${d.fullName},\n\nThông tin đăng ký giao dịch điện tử theo hồ sơ số ${d.dossierNumber} đã được cập nhật.\n\nBảo hiểm xã hội Việt Nam`,
      u.mobile ?? account.mobile ?? d.mobile,
      u.email ?? account.email ?? d.email,
    );
    return done('details_updated');
  }
  // stop
  await tx.query(`UPDATE accounts SET status = 'stopped', updated_at = $2 WHERE bhxh_code = $1`, [
    d.bhxhCode,
    now.toISOString(),
  ]);
  steps.push({ step: 'account', state: 'done', detail: 'Đã ngừng tài khoản giao dịch điện tử' });
  const from = d.stop?.stopDate ? fmtDate(d.stop.stopDate) : fmtDate(isoVn(now));
  notify(
    `BHXH VN: Tai khoan GDDT ${d.bhxhCode} da ngung su dung tu ngay ${from} theo ho so ${d.dossierNumber}.`,
    'Tài khoản giao dịch điện tử đã ngừng sử dụng',
    `Kính gửi ${d.fullName},\n\nTài khoản giao dịch điện tử ${d.bhxhCode} đã ngừng sử dụng từ ngày ${from}.\n\nBảo hiểm xã hội Việt Nam`,
    account.mobile ?? d.mobile,
    account.email ?? d.email,
  );
  return done('account_stopped');
}
