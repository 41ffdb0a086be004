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
import { DOSSIER_JSON, loadDossier } from './dossiers.js';
import { ApiError, invalid, notFound } from './errors.js';
import { queueMessages, setSteps, type QueuedMessage, type Step } from './notify.js';
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
  const first = await storedAnswer(ctx.db, staff, req.decisionId, dossierId);
  if (first) return first;

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
      const dossier = await loadDossier(tx, ctx, staff, dossierId, { forUpdate: true });
      const answer = (status: number, body: unknown): StoredAnswer => ({
        status,
        body: JSON.stringify(body),
      });
      let out: StoredAnswer;
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
        out = answer(409, {
          error: {
            code: 'version_conflict',
            message:
              dossier.status === 'decided'
                ? `Hồ sơ đã được ${dossier.reviewer ?? 'cán bộ khác'} xử lý trước. Vui lòng xem lại kết quả.`
                : 'Hồ sơ đã thay đổi kể từ khi bạn mở. Vui lòng xem lại và duyệt lại.',
          },
          dossier,
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
        const applied = await applyOutcome(tx, ctx, dossier, req.outcome, {
          chosen,
          reason,
          otp,
          otpHash,
          now,
        });
        const { result } = applied;
        await setSteps(tx, dossier.id, now, applied.steps);
        await queueMessages(tx, dossier.id, now, applied.messages);
        const fullReason = [...chosen.map((r) => r.text), ...(reason ? [reason] : [])].join('; ') || null;
        // The update, its change-feed row and the dossier as it now is, in one statement.
        const updated = await tx.query<{ dossier: Dossier }>(
          `WITH d AS (
             UPDATE dossiers SET status = 'decided', outcome = $3, reason = $4, reason_codes = $5, reviewer = $6,
               reviewer_id = $7, decided_at = $8, result = $9, account_result = $10, version = version + 1
              WHERE id = $2 RETURNING *),
           ch AS (INSERT INTO dossier_changes (dossier_id, agency_code) SELECT id, agency_code FROM d)
           SELECT ${DOSSIER_JSON} AS dossier FROM d`,
          [
            now.toISOString(),
            dossier.id,
            req.outcome,
            fullReason,
            reasonCodes,
            staff.displayName,
            staff.id,
            decidedAt.toISOString(),
            result,
            result === 'account_issued' ? 'issued' : result === 'code_not_found' ? 'code_not_found' : null,
          ],
        );
        out = answer(200, { dossier: updated.rows[0]!.dossier, result });
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
      const saved = await tx.query(
        `WITH audit AS (${audit.sql})
         INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (decision_id) DO NOTHING`,
        [req.decisionId, dossier.id, staff.id, out.status, out.body, now.toISOString(), ...audit.params],
      );
      if (saved.rowCount === 0) throw new ReplayInstead();
      return out;
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

class ReplayInstead extends Error {}

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

type Applied = { result: DecisionResult; steps: Step[]; messages: QueuedMessage[] };

/** What the outcome does to the account, and the steps and messages it leaves (written by the caller). */
async function applyOutcome(
  tx: Queryable,
  ctx: Ctx,
  d: Dossier,
  outcome: 'valid' | 'invalid',
  input: ApplyInput,
): Promise<Applied> {
  const { now } = input;
  const steps: Step[] = [];
  const messages: QueuedMessage[] = [];
  const done = (result: DecisionResult): Applied => ({ result, steps, messages });
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
    const reg = await tx.query<{ full_name: string }>(
      'SELECT full_name FROM registry_persons WHERE bhxh_code = $1',
      [d.bhxhCode],
    );
    const person = reg.rows[0];
    if (!person) {
      steps.push({
        step: 'registry_check',
        state: 'failed',
        detail: 'Mã số BHXH không có trên hệ thống HGD: hướng dẫn kê khai tờ khai TK1-TS',
      });
      return done('code_not_found');
    }
    if (nameKey(person.full_name) !== nameKey(d.fullName)) {
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
    await tx.query(
      `INSERT INTO accounts (bhxh_code, password_hash, must_change, status, mobile, email, certificate, password_changed_at, created_at, updated_at)
       VALUES ($1, $2, true, 'active', $3, $4, $5, NULL, $6, $6)
       ON CONFLICT (bhxh_code) DO UPDATE SET password_hash = EXCLUDED.password_hash, must_change = true, status = 'active',
         mobile = EXCLUDED.mobile, email = EXCLUDED.email, certificate = EXCLUDED.certificate, updated_at = EXCLUDED.updated_at`,
      [
        d.bhxhCode,
        input.otpHash,
        d.mobile,
        d.email,
        d.certificate ? JSON.stringify(d.certificate) : null,
        now.toISOString(),
      ],
    );
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
