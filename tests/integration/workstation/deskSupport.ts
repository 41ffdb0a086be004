// What the mobile desk's tests share: a person's form values, the four images a desk takes (generated:
// the card's front with its QR, its back, a portrait box, a signed page), recording a whole desk
// dossier through the workstation API, and what the service holds of it (one dossier per clientId,
// attachments with their PUT count, receipts, decisions).
import sharp from 'sharp';
import { EMPTY_DESK_VALUES, type DeskValues } from '../../../contract/deskForm.js';
import type { SyntheticPerson } from '../../../contract/synthetic.js';
import type { DeskDeclaration } from '../../../contract/workstationDesk.js';
import type { Workstation } from '../../../electron/workstation/workstation.js';
import type { RunningService } from '../../../server/service.js';
import { cccdFront, slashDate } from '../../unit/scanner/support/images.js';
import { ok } from './harness.js';

export function valuesOf(p: SyntheticPerson, extra: Partial<DeskValues> = {}): DeskValues {
  return {
    ...EMPTY_DESK_VALUES,
    fullName: p.fullName,
    bhxhCode: p.bhxhCode,
    idKind: 'cccd',
    idNumber: p.idNumber,
    dateOfBirth: slashDate(p.dateOfBirth),
    gender: p.gender,
    address: p.address,
    contactPerson: p.fullName,
    email: p.email ?? '',
    mobile: p.mobile,
    ...extra,
  };
}

const plain = (w: number, h: number, grey: number): Promise<Buffer> =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: grey, g: grey, b: grey } } })
    .jpeg({ quality: 80 })
    .toBuffer();

/** The desk's images of a person: [role, bytes] (small, so a test of hundreds stays fast). */
export async function deskImages(p: SyntheticPerson, withQrFront = false): Promise<Array<[string, Buffer]>> {
  return [
    ['photo', await plain(300, 400, 200)],
    ['idFront', withQrFront ? await cccdFront(p) : await plain(1011, 638, 230)],
    ['idBack', await plain(1011, 638, 220)],
    ['formPage1', await plain(1240, 1754, 250)],
  ];
}

/** Draft → images → Ghi nhận (with Xác nhận nhân thân and, optionally, a decision). */
export async function registerAtDesk(
  ws: Workstation,
  p: SyntheticPerson,
  options: {
    images?: Array<[string, Buffer]>;
    decision?: 'valid' | 'invalid' | null;
    values?: Partial<DeskValues>;
  } = {},
): Promise<DeskDeclaration> {
  const draft = await ok<DeskDeclaration>(ws.dispatch('desk.draft', { fresh: true }) as never);
  for (const [role, bytes] of options.images ?? (await deskImages(p))) {
    await ok(
      ws.dispatch('desk.attach', {
        id: draft.id,
        role,
        data: bytes.toString('base64'),
        source: 'camera',
      }) as never,
    );
  }
  const decision = options.decision === undefined ? 'valid' : options.decision;
  const r = await ok<{ declaration: DeskDeclaration }>(
    ws.dispatch('desk.record', {
      id: draft.id,
      values: valuesOf(p, options.values),
      identityConfirmed: true,
      decision:
        decision === null
          ? null
          : decision === 'valid'
            ? { outcome: 'valid' }
            : { outcome: 'invalid', reasonCodes: ['R01'], reason: '' },
    }) as never,
  );
  return r.declaration;
}

export type OnService = {
  dossiers: number;
  dossierId: string | null;
  attachments: Record<string, number>;
  puts: number;
  receipts: number;
  decisions: number;
  received: boolean;
  status: string | null;
};

/** What the service holds of one desk declaration (its clientId). */
export async function onService(service: RunningService, clientId: string): Promise<OnService> {
  const d = await service.db.query<{ id: string; received_at: string | null; status: string }>(
    'SELECT id::text, received_at::text, status FROM dossiers WHERE client_id = $1',
    [clientId],
  );
  const id = d.rows[0]?.id ?? null;
  if (!id)
    return {
      dossiers: 0,
      dossierId: null,
      attachments: {},
      puts: 0,
      receipts: 0,
      decisions: 0,
      received: false,
      status: null,
    };
  const att = await service.db.query<{ role: string; n: string }>(
    'SELECT role, count(*)::text AS n FROM attachments WHERE dossier_id = $1 GROUP BY role',
    [id],
  );
  const audit = await service.db.query<{ action: string; n: string }>(
    `SELECT action, count(*)::text AS n FROM audit_log WHERE dossier_id = $1 GROUP BY action`,
    [id],
  );
  const dec = await service.db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM decisions WHERE dossier_id = $1 AND status_code = 200',
    [id],
  );
  const count = (a: string): number => Number(audit.rows.find((r) => r.action === a)?.n ?? 0);
  return {
    dossiers: d.rows.length,
    dossierId: id,
    attachments: Object.fromEntries(att.rows.map((r) => [r.role, Number(r.n)])),
    puts: count('attachment.put'),
    receipts: count('dossier.receive'),
    decisions: Number(dec.rows[0]?.n ?? 0),
    received: d.rows[0]?.received_at !== null,
    status: d.rows[0]?.status ?? null,
  };
}

/** Exactly once: one dossier, one row and one PUT per image role, one receipt, `decisions` decisions. */
export function expectOnce(s: OnService, roles: readonly string[], decisions = 1): string[] {
  const wrong: string[] = [];
  if (s.dossiers !== 1) wrong.push(`dossiers ${s.dossiers}`);
  for (const r of roles) if (s.attachments[r] !== 1) wrong.push(`${r} ${s.attachments[r] ?? 0}`);
  if (s.puts !== roles.length) wrong.push(`puts ${s.puts}`);
  if (s.receipts !== 1) wrong.push(`receipts ${s.receipts}`);
  if (s.decisions !== decisions) wrong.push(`decisions ${s.decisions}`);
  return wrong;
}
