// The mobile desk against the real central service on real PostgreSQL: a desk dossier recorded
// offline, then its chain (intake → images → receipt → decision) applied exactly once when the
// network returns, in the order people were registered; a second workstation sees it; an empty BHXH
// code resolved by the ID number; a refused intake stops that person's chain alone and is corrected
// without retyping; chains under proxy cuts and a service restart mid-chain; the retention sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, syntheticPerson, type SyntheticPerson } from '../../../contract/index.js';
import type { DeskDeclaration, DeskRow } from '../../../contract/workstationDesk.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';
import type { Workstation } from '../../../electron/workstation/workstation.js';
import { postgresAvailable } from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { deskImages, expectOnce, onService, registerAtDesk, valuesOf } from './deskSupport.js';
import { newWorkstation, ok, PASSWORD, startCentral, waitFor, type Central } from './harness.js';

const pg = postgresAvailable();
const title = (t: string): string => titleWithSkipReason(t, pg, 'PostgreSQL 15 binaries absent');
const ROLES = ['photo', 'idFront', 'idBack', 'formPage1'];

const people = (n: number, seed: number): SyntheticPerson[] => {
  const rnd = createRandom(seed);
  return Array.from({ length: n }, (_, i) => syntheticPerson(rnd, seed * 1000 + i));
};

async function signIn(ws: Workstation): Promise<void> {
  await ok(
    ws.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
  );
  await ws.engine.syncNow();
  await ok(ws.dispatch('desk.setName', { deskName: 'KCN Quang Minh' }) as never);
}

const list = (ws: Workstation, query = ''): Promise<DeskRow[]> =>
  ok<DeskRow[]>(ws.dispatch('desk.list', { query }) as never);

const get = (ws: Workstation, id: string): Promise<DeskDeclaration> =>
  ok<DeskDeclaration>(ws.dispatch('desk.get', { id }) as never);

describe.skipIf(!pg)('mobile desk ⇄ central service (real PostgreSQL)', () => {
  let c: Central;
  const open: Workstation[] = [];
  const ws = (dir?: string): Workstation => {
    const w = newWorkstation(c.proxy.url, dir);
    open.push(w);
    return w;
  };

  beforeAll(async () => {
    c = await startCentral();
  });
  afterAll(async () => {
    for (const w of open) await w.close().catch(() => undefined);
    await c?.stop();
  });

  it(
    title(
      'offline: three people recorded, then every chain applied once in registration order; a second workstation sees them',
    ),
    async () => {
      const a = ws();
      await signIn(a);
      c.proxy.cut();
      const ps = people(3, 11);
      const decls: DeskDeclaration[] = [];
      for (const p of ps) decls.push(await registerAtDesk(a, p));
      expect(decls.map((d) => d.state)).toEqual(['queued', 'queued', 'queued']);
      expect(decls[0]!.ref).toMatch(/^MT-[0-9A-Z]{4}-[0-9A-Z]{4}$/u);
      expect(a.engine.status().deskQueued).toBe(3);
      c.proxy.restore();
      a.engine.kick();
      await waitFor(async () => (await list(a)).every((r) => r.state === 'decided'), 60_000, 'chains done');
      const numbers: string[] = [];
      for (const d of decls) {
        const s = await onService(c.service, d.id);
        expect(expectOnce(s, ROLES), d.ref).toEqual([]);
        expect(s.received).toBe(true);
        const row = (await list(a, d.ref))[0]!;
        numbers.push(row.dossierNumber!);
        // Synthetic people are not in the registry: the decision's result says so.
        expect(row.result).toBe('code_not_found');
      }
      // Registered first, numbered first.
      expect([...numbers].sort()).toEqual(numbers);
      expect(a.engine.status().deskQueued).toBe(0);
      // A second workstation sees the dossiers with their images, received and decided.
      const b = ws();
      await signIn(b);
      const seen = b.store.getDossier((await onService(c.service, decls[0]!.id)).dossierId!)!;
      expect(seen.submissionMethod).toBe('mobile_desk');
      expect(seen.deskName).toBe('KCN Quang Minh');
      expect(seen.status).toBe('decided');
      expect(seen.receivedAt).not.toBeNull();
      expect(seen.attachments.map((x) => x.role).sort()).toEqual([...ROLES].sort());
    },
  );

  it(
    title(
      'an empty BHXH code is resolved by the ID number; the Mã tạm finds the declaration before and after',
    ),
    async () => {
      const a = ws();
      await signIn(a);
      c.proxy.cut();
      const nam: SyntheticPerson = {
        fullName: 'Hoàng Văn Nam',
        bhxhCode: '',
        idKind: 'cccd',
        idNumber: '027098001234',
        dateOfBirth: '1998-04-17',
        gender: 'Nam',
        address: 'Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh',
        mobile: '0912000111',
        email: null,
      };
      const d = await registerAtDesk(a, nam, { decision: null });
      const before = await ok<{ id: string; dossierId: string | null }>(
        a.dispatch('desk.find', { text: d.ref.toLowerCase().replace(/-/gu, ' ') }) as never,
      );
      expect(before).toMatchObject({ id: d.id, dossierId: null });
      c.proxy.restore();
      a.engine.kick();
      await waitFor(async () => (await get(a, d.id)).state === 'received', 30_000, 'received');
      const after = await get(a, d.id);
      expect(after.codeResolution).toBe('by_id_number');
      expect(after.dossier?.bhxhCode).toBe('2798001234');
      const found = await ok<{ dossierId: string | null }>(a.dispatch('desk.find', { text: d.ref }) as never);
      expect(found.dossierId).toBe(after.dossierId);
    },
  );

  it(title('a refused intake stops that chain alone; corrected without retyping, it goes once'), async () => {
    const a = ws();
    await signIn(a);
    c.proxy.cut();
    const [p1, p2] = people(2, 12) as [SyntheticPerson, SyntheticPerson];
    const bad = await registerAtDesk(a, p1);
    const good = await registerAtDesk(a, p2);
    // A desk on an older version let a landline through: the service refuses it by field.
    const db = storeDatabase(a.store);
    const req = JSON.parse(
      (db.prepare('SELECT request FROM desk_declarations WHERE id = ?').get(bad.id) as { request: string })
        .request,
    );
    db.prepare('UPDATE desk_declarations SET request = ? WHERE id = ?').run(
      JSON.stringify({ ...req, mobile: '02438223344' }),
      bad.id,
    );
    c.proxy.restore();
    a.engine.kick();
    await waitFor(async () => (await get(a, good.id)).state === 'decided', 30_000, 'the other chain');
    const refused = await get(a, bad.id);
    expect(refused.state).toBe('needs_fix');
    expect(refused.refused?.kind).toBe('intake');
    expect(refused.refused?.fields?.mobile).toMatch(/di động/u);
    expect(a.engine.status().deskNeedsFix).toBe(1);
    expect((await onService(c.service, bad.id)).dossiers).toBe(0);
    // Sửa: only the mobile changes; everything else, the images and the Mã tạm stay.
    const corrected = await ok<DeskDeclaration>(
      a.dispatch('desk.correct', { id: bad.id, values: { ...refused.values, mobile: p1.mobile } }) as never,
    );
    expect(corrected.ref).toBe(bad.ref);
    await waitFor(async () => (await get(a, bad.id)).state === 'decided', 30_000, 'corrected chain');
    expect(expectOnce(await onService(c.service, bad.id), ROLES)).toEqual([]);
  });

  it(
    title('network cuts and a service restart in the middle of chains: nothing lost, nothing doubled'),
    async () => {
      const a = ws();
      await signIn(a);
      c.proxy.cut();
      const ps = people(6, 13);
      const decls: DeskDeclaration[] = [];
      for (const p of ps) decls.push(await registerAtDesk(a, p, { images: await deskImages(p) }));
      c.proxy.restore();
      a.engine.kick();
      // Cut as soon as the first intake is in, again after the first image, then restart the service.
      await waitFor(
        async () => (await onService(c.service, decls[0]!.id)).dossiers === 1,
        30_000,
        'first intake',
      );
      c.proxy.cut();
      await waitFor(() => !a.engine.isOnline(), 30_000, 'offline');
      c.proxy.restore();
      a.engine.kick();
      await waitFor(async () => (await onService(c.service, decls[1]!.id)).puts >= 1, 30_000, 'an image');
      await c.restart();
      a.engine.kick();
      await waitFor(
        async () =>
          (await list(a)).filter((r) => decls.some((d) => d.id === r.id)).every((r) => r.state === 'decided'),
        90_000,
        'all chains',
      );
      for (const d of decls) expect(expectOnce(await onService(c.service, d.id), ROLES), d.ref).toEqual([]);
    },
  );

  it(
    title('retention: once every step is accepted, the local copies of ID images go after the set period'),
    async () => {
      let now = Date.now();
      const a = newWorkstation(c.proxy.url, undefined, { now: () => new Date(now) });
      open.push(a);
      await signIn(a);
      const d = await registerAtDesk(a, people(1, 14)[0]!);
      await waitFor(async () => (await get(a, d.id)).state === 'decided', 30_000, 'chain');
      expect(a.deskSweep()).toBe(0);
      const img = (await get(a, d.id)).images.find((i) => i.role === 'idFront')!;
      expect((await a.dispatch('desk.imageContent', { imageId: img.id })).ok).toBe(true);
      now += 7 * 86400_000 + 60_000;
      expect(a.deskSweep()).toBe(1);
      const after = await get(a, d.id);
      expect(after.imagesPurgedAt).not.toBeNull();
      expect(after.images.every((i) => i.purgedAt !== null)).toBe(true);
      const gone = await a.dispatch('desk.imageContent', { imageId: img.id });
      expect(gone.ok).toBe(false);
      const bytes = storeDatabase(a.store)
        .prepare('SELECT count(*) AS n FROM desk_images WHERE declaration_id = ? AND content IS NOT NULL')
        .get(d.id) as { n: number };
      expect(bytes.n).toBe(0);
      expect(valuesOf).toBeTypeOf('function');
    },
  );
});
