// The central dossier service's HTTP application (Fastify): every route of ../shared/API.md, the error
// shape, role and agency checks, and request logging that never carries personal data (routes are
// logged by their pattern, never with their query string or body).

import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import type pino from 'pino';
import { z } from 'zod';
import {
  ChangesQuery,
  DATE_BOUNDS,
  dateField,
  DecisionRequest,
  DeclarationRequest,
  DossierQuery,
  LoginRequest,
  ReasonsUpdate,
  ReceiveRequest,
  isUuid,
  RegistrySearchQuery,
  type AttachmentMediaType,
  type DailyReport,
  type Health,
  type Role,
} from '../contract/index.js';
import { ATTACHMENT_ROLE_PATTERN } from '../contract/domain.js';
import { writeAudit } from './audit.js';
import { checkAttachment } from './attachmentCheck.js';
import { authenticate, bearerToken, createCaptcha, login, logout, type AuthOptions } from './auth.js';
import type { Ctx, Staff } from './context.js';
import { decide, decisionRecord } from './decisions.js';
import { parseRegistrySearch, searchRegistry } from './desk.js';
import {
  claimDossier,
  intakeDossier,
  listDossiers,
  loadDossier,
  readChanges,
  readDossier,
  receiveDossier,
  recordChange,
  releaseClaim,
} from './dossiers.js';
import { ApiError, forbidden, notFound } from './errors.js';
import {
  clientError,
  frameworkError,
  installErrorHandler,
  installJsonParser,
  installTextGate,
  strictQuery,
} from './gate.js';
import { deliveryLag, type LocalSmsSink } from './notify.js';
import { reasonsFor, replaceReasons } from './reasons.js';
import { dailyReport } from './reports.js';
import { countAttempt, countRegistrySearch } from './rateLimit.js';
import { parseInput, validateDeclaration } from './validation.js';

export type AppDeps = {
  ctx: Ctx;
  log: pino.Logger;
  auth?: AuthOptions;
  /** the local SMS sink, when it is the configured gateway (the demo shows its messages) */
  smsSink?: LocalSmsSink;
};

const ALL_STAFF: readonly Role[] = ['officer', 'supervisor', 'admin'];
const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
const MEDIA_TYPES: readonly AttachmentMediaType[] = ['image/jpeg', 'image/png', 'application/pdf'];

export async function createApp(deps: AppDeps) {
  const { ctx } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // Fastify's own request lines carry the URL (query strings hold codes and names): off; ours below.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.config.trustProxy
      ? ctx.config.trustProxy
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : false,
    // Refusals made before routing or by Node's parser, and answers while closing: in our envelope.
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError(deps.log),
    return503OnClosing: false,
    routerOptions: { querystringParser: strictQuery },
  });
  installJsonParser(app);
  installTextGate(app);
  installErrorHandler(app);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new ApiError(503, 'unavailable', 'Dịch vụ đang khởi động lại. Vui lòng thử lại sau ít giây.');
    }
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('cache-control', 'no-store');
  });
  // Logged by route pattern, status and time only: no query strings, bodies or headers.
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  // JSON in, JSON out: plain text is not a way to send a declaration.
  app.removeContentTypeParser('text/plain');
  for (const type of MEDIA_TYPES) {
    app.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: ctx.config.attachmentMaxBytes },
      (_req, body, done) => done(null, body),
    );
  }

  app.setNotFoundHandler(async (_req, reply) => {
    await reply.code(404).send(notFound('Không có địa chỉ này trong dịch vụ.').body());
  });

  const staffOf = async (req: FastifyRequest, roles: readonly Role[] = ALL_STAFF): Promise<Staff> => {
    const staff = await authenticate(ctx, req.headers.authorization);
    if (!roles.includes(staff.role)) throw forbidden('Vai trò của bạn không được thực hiện thao tác này.');
    return staff;
  };
  /** A path's id: a uuid, or the thing does not exist (404). */
  const idParam = (req: FastifyRequest, what = 'Không tìm thấy hồ sơ.'): string => {
    const id = (req.params as { id: string }).id;
    if (!isUuid(id)) throw notFound(what);
    return id;
  };

  // ------------------------------------------------------------ public
  // The load balancer's check too: it answers only when the database does.
  app.get('/api/v1/health', async (): Promise<Health> => {
    const delivery = await deliveryLag(ctx.db, ctx.now());
    return { ok: true, instance: ctx.bus.instanceId, delivery };
  });
  app.get('/api/v1/agencies', async () => ctx.agencies.all());

  // ------------------------------------------------------------ staff sessions
  app.post('/api/v1/auth/login', async (req) => {
    const body = parseInput(LoginRequest, req.body);
    await countAttempt(ctx, ctx.config.loginLimit, req.ip, body);
    return await login(ctx, deps.auth ?? {}, body);
  });
  app.get('/api/v1/auth/captcha', async (req) => {
    await countAttempt(ctx, ctx.config.loginLimit, req.ip);
    return await createCaptcha(ctx, deps.auth ?? {});
  });
  app.post('/api/v1/auth/logout', async (req, reply) => {
    await staffOf(req);
    await logout(ctx, bearerToken(req.headers.authorization) ?? '');
    return await reply.code(204).send();
  });

  // ------------------------------------------------------------ dossiers
  // The officers' reads: decisions' write batches step back while they run (qos.ts).
  const read = async <T>(work: () => Promise<T>): Promise<T> => {
    const done = ctx.readsFirst.begin();
    try {
      return await work();
    } finally {
      done();
    }
  };
  app.get('/api/v1/dossiers', async (req) =>
    read(async () => listDossiers(ctx, await staffOf(req), parseInput(DossierQuery, req.query ?? {}))),
  );
  app.get('/api/v1/dossiers/changes', async (req, reply) => {
    const staff = await staffOf(req);
    const q = parseInput(ChangesQuery, req.query ?? {});
    const json = await readChanges(ctx, staff, q.after, q.limit);
    return await reply.header('content-type', 'application/json; charset=utf-8').send(json);
  });
  app.get('/api/v1/dossiers/:id', async (req) =>
    read(async () => readDossier(ctx, await staffOf(req), idParam(req))),
  );
  app.get('/api/v1/decisions/:decisionId', async (req, reply) => {
    const staff = await staffOf(req);
    const { decisionId } = req.params as { decisionId: string };
    if (!isUuid(decisionId)) throw notFound('Không tìm thấy quyết định.');
    const json = await decisionRecord(ctx, staff, decisionId);
    return await reply.header('content-type', 'application/json; charset=utf-8').send(json);
  });
  app.post('/api/v1/dossiers', async (req, reply) => {
    const staff = await staffOf(req);
    const body = parseInput(DeclarationRequest, req.body);
    const clean = validateDeclaration(body, ctx.now(), ctx.config.deskDeclaredMaxAgeDays);
    const out = await intakeDossier(ctx, staff, body.clientId, clean);
    return await reply.code(out.status).send(out.dossier);
  });
  app.post('/api/v1/dossiers/:id/receive', async (req) => {
    const staff = await staffOf(req);
    const id = idParam(req);
    parseInput(ReceiveRequest, req.body);
    return await receiveDossier(ctx, staff, id);
  });
  app.post('/api/v1/dossiers/:id/claim', async (req) => claimDossier(ctx, await staffOf(req), idParam(req)));
  app.delete('/api/v1/dossiers/:id/claim', async (req, reply) => {
    await releaseClaim(ctx, await staffOf(req), idParam(req));
    return await reply.code(204).send();
  });
  app.post('/api/v1/dossiers/:id/decision', async (req, reply) => {
    const staff = await staffOf(req);
    const id = idParam(req);
    const body = parseInput(DecisionRequest, req.body);
    const answer = await decide(ctx, staff, id, body);
    return await reply
      .code(answer.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(answer.body);
  });

  // ------------------------------------------------------------ attachments
  app.put(
    '/api/v1/dossiers/:id/attachments/:role',
    { bodyLimit: ctx.config.attachmentMaxBytes },
    async (req) => {
      const staff = await staffOf(req);
      const id = idParam(req);
      const { role } = req.params as { role: string };
      if (!ATTACHMENT_ROLE_PATTERN.test(role))
        throw new ApiError(422, 'validation_failed', 'Loại tệp đính kèm không hợp lệ.', {
          role: 'Chỉ nhận photo, idFront, idBack hoặc formPage1…50.',
        });
      const declared = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase() as AttachmentMediaType;
      const bytes = req.body;
      if (!Buffer.isBuffer(bytes) || !MEDIA_TYPES.includes(declared)) {
        throw new ApiError(415, 'unsupported_media_type', 'Chỉ nhận ảnh JPEG, PNG hoặc tệp PDF.');
      }
      if (bytes.length === 0)
        throw new ApiError(422, 'validation_failed', 'Tệp đính kèm rỗng.', {
          body: 'Tệp không có nội dung.',
        });
      // The dossier first (404 and 403 cost no decoding), then the bytes decoded: 415 / 422.
      await loadDossier(ctx.db, ctx, staff, id);
      await checkAttachment(bytes, declared, {
        maxPixels: ctx.config.attachmentMaxPixels,
        maxPdfPages: ctx.config.attachmentMaxPdfPages,
      });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const now = ctx.now();
      return await ctx.db.transaction(async (tx) => {
        const d = await loadDossier(tx, ctx, staff, id, { forUpdate: true });
        if (
          d.status === 'pending' &&
          !d.receivedAt &&
          d.expiresAt &&
          Date.parse(d.expiresAt) <= now.getTime()
        ) {
          throw new ApiError(410, 'expired', 'Hồ sơ đã quá hạn 10 ngày không nộp bản giấy.');
        }
        // The same bytes again (a retry whose first answer was lost): the attachment already there is
        // the answer, and nothing changes a second time (no new version, no feed change).
        const same = await tx.query<{ id: string }>(
          'SELECT id FROM attachments WHERE dossier_id = $1 AND role = $2 AND sha256 = $3 AND media_type = $4',
          [d.id, role, sha256, declared],
        );
        if (same.rows[0]) return { id: same.rows[0].id, sha256 };
        const attachmentId = randomUUID();
        await tx.query(
          `INSERT INTO attachments (id, dossier_id, role, media_type, bytes, sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dossier_id, role) DO UPDATE SET id = EXCLUDED.id, media_type = EXCLUDED.media_type, bytes = EXCLUDED.bytes,
           sha256 = EXCLUDED.sha256, content = EXCLUDED.content, created_at = EXCLUDED.created_at`,
          [attachmentId, d.id, role, declared, bytes.length, sha256, bytes, now.toISOString()],
        );
        await tx.query('UPDATE dossiers SET version = version + 1 WHERE id = $1', [d.id]);
        await recordChange(tx, d.id, d.agencyCode);
        await writeAudit(tx, now, {
          actor: `${staff.agencyCode}/${staff.username}`,
          action: 'attachment.put',
          dossierId: d.id,
          details: { role, bytes: bytes.length, sha256 },
        });
        return { id: attachmentId, sha256 };
      });
    },
  );
  app.get('/api/v1/attachments/:id', async (req, reply) => {
    const staff = await staffOf(req);
    const id = idParam(req, 'Không tìm thấy tệp đính kèm.');
    const res = await ctx.db.query<{
      content: Uint8Array;
      media_type: string;
      dossier_id: string;
      role: string;
      sha256: string;
    }>(
      `SELECT a.content, a.media_type, a.dossier_id, a.role, a.sha256 FROM attachments a JOIN dossiers d ON d.id = a.dossier_id
        WHERE a.id = $1 AND d.agency_code = ANY($2::text[])`,
      [id, staff.scope],
    );
    const row = res.rows[0];
    if (!row) throw notFound('Không tìm thấy tệp đính kèm.');
    await writeAudit(ctx.db, ctx.now(), {
      actor: `${staff.agencyCode}/${staff.username}`,
      action: 'attachment.read',
      dossierId: row.dossier_id,
      details: { role: row.role },
    });
    // Served as data, never as a page: no type sniffing, and a sandbox if a browser opens it anyway.
    return await reply
      .header('content-type', row.media_type)
      .header('etag', `"${row.sha256}"`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(Buffer.from(row.content));
  });

  // ------------------------------------------------------------ reasons, registry, reports
  app.get('/api/v1/reasons', async (req) => {
    const staff = await staffOf(req);
    return await reasonsFor(ctx.db, ctx, staff.agencyCode);
  });
  app.put('/api/v1/reasons', async (req) => {
    const staff = await staffOf(req, SUPERVISORS);
    const reasons = parseInput(ReasonsUpdate, req.body);
    const codes = new Set(reasons.map((r) => r.code));
    if (codes.size !== reasons.length)
      throw new ApiError(422, 'validation_failed', 'Mã lý do bị trùng.', {
        codes: 'Mỗi mã lý do chỉ xuất hiện một lần.',
      });
    await replaceReasons(
      ctx,
      staff.agencyCode,
      reasons.map((r) => ({ code: r.code, text: r.text, smsText: r.smsText })),
    );
    await writeAudit(ctx.db, ctx.now(), {
      actor: `${staff.agencyCode}/${staff.username}`,
      action: 'reasons.replace',
      details: { count: reasons.length },
    });
    return await reasonsFor(ctx.db, ctx, staff.agencyCode);
  });
  app.get('/api/v1/registry/persons', async (req) => {
    const staff = await staffOf(req);
    const search = parseRegistrySearch(ctx, parseInput(RegistrySearchQuery, req.query ?? {}));
    // Counted in the database on the service's clock (tests control it), per officer, not per address.
    await countRegistrySearch(ctx, staff.id, ctx.config.registrySearchPerMinute);
    return await searchRegistry(ctx, staff, search);
  });
  app.get('/api/v1/registry/persons/:bhxhCode', async (req) => {
    const staff = await staffOf(req);
    const code = (req.params as { bhxhCode: string }).bhxhCode;
    if (!/^\d{10}$/u.test(code))
      throw new ApiError(422, 'validation_failed', 'Mã số BHXH phải gồm đúng 10 chữ số.', {
        bhxhCode: 'Mã số BHXH phải gồm đúng 10 chữ số.',
      });
    const res = await ctx.db.query<{
      bhxh_code: string;
      full_name: string;
      date_of_birth: string | null;
      gender: 'Nam' | 'Nữ';
    }>('SELECT bhxh_code, full_name, date_of_birth, gender FROM registry_persons WHERE bhxh_code = $1', [
      code,
    ]);
    await writeAudit(ctx.db, ctx.now(), {
      actor: `${staff.agencyCode}/${staff.username}`,
      action: 'registry.read',
      details: { found: res.rowCount > 0, bhxhCode: `*******${code.slice(-3)}` },
    });
    const p = res.rows[0];
    if (!p) throw notFound('Mã số BHXH không có trên hệ thống cấp mã số BHXH (HGD).');
    return { bhxhCode: p.bhxh_code, fullName: p.full_name, dateOfBirth: p.date_of_birth, gender: p.gender };
  });
  app.get('/api/v1/reports/daily', async (req): Promise<DailyReport> => {
    const staff = await staffOf(req, SUPERVISORS);
    const { date } = parseInput(
      z.object({ date: dateField(DATE_BOUNDS.filter, 'Ngày báo cáo') }),
      req.query ?? {},
    );
    return await dailyReport(ctx, staff, date);
  });

  // ------------------------------------------------------------ the demo's SMS sink
  app.get('/api/v1/dev/sms', async (req, reply: FastifyReply) => {
    await staffOf(req, SUPERVISORS);
    if (!deps.smsSink) throw notFound('Dịch vụ đang gửi tin nhắn qua cổng SMS thật.');
    return await reply.send(deps.smsSink.messages().slice(-100).reverse());
  });

  return app;
}
