// The mobile desk's bad inputs on a real workstation against the real service on real PostgreSQL:
// each gets a clear Vietnamese message and changes nothing — a QR that is not a CCCD QR, a CCCD whose
// century/gender digit disagrees with the birth date, a card QR in a legacy encoding, a BHYT card
// number of the wrong shape, a landline or a foreign number as the mobile, a second declaration of
// the same ID number at this desk today (warned; the officer may go on), Ghi nhận without the identity
// tick or the signed page, a full disk (a real one: the store on a small tmpfs, where the system
// allows mounting one), and Tra cứu mã số BHXH offline.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, syntheticPerson, type SyntheticPerson } from '../../../contract/index.js';
import type { WsResult } from '../../../contract/workstation.js';
import type { DeskDeclaration } from '../../../contract/workstationDesk.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { postgresAvailable } from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { deskImages, valuesOf } from './deskSupport.js';
import { newWorkstation, ok, PASSWORD, startCentral, type Central } from './harness.js';

const pg = postgresAvailable();
const title = (t: string): string => titleWithSkipReason(t, pg, 'PostgreSQL 15 binaries absent');

/** Whether this process may mount a small tmpfs (root on most CI machines, not in every container). */
function canMount(): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const mountable = canMount();

const person = (i: number): SyntheticPerson => syntheticPerson(createRandom(7100 + i), 7100 + i);

async function fails(
  p: Promise<WsResult<unknown>>,
): Promise<{ code: string; message: string; fields?: Record<string, string> }> {
  const r = await p;
  expect(r.ok, JSON.stringify(r)).toBe(false);
  return (r as { ok: false; error: { code: string; message: string; fields?: Record<string, string> } })
    .error;
}

describe.skipIf(!pg)(
  'mobile desk: bad input is refused in Vietnamese and changes nothing (real PostgreSQL)',
  () => {
    let c: Central;
    let ws: Workstation;

    const draft = (): Promise<DeskDeclaration> =>
      ok<DeskDeclaration>(ws.dispatch('desk.draft', { fresh: true }) as never);
    const steps = (): number =>
      (storeDatabase(ws.store).prepare('SELECT count(*) AS n FROM desk_steps').get() as { n: number }).n;
    const withImages = async (p: SyntheticPerson, skip: string[] = []): Promise<DeskDeclaration> => {
      const d = await draft();
      for (const [role, bytes] of await deskImages(p)) {
        if (skip.includes(role)) continue;
        await ok(ws.dispatch('desk.attach', { id: d.id, role, data: bytes.toString('base64') }) as never);
      }
      return d;
    };

    beforeAll(async () => {
      c = await startCentral();
      ws = newWorkstation(c.proxy.url);
      await ok(
        ws.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
      );
      await ok(ws.dispatch('desk.setName', { deskName: 'KCN Quang Minh' }) as never);
    });
    afterAll(async () => {
      await ws?.close();
      await c?.stop();
    });

    it(
      title('card QRs: not a CCCD, a CCCD that disagrees with its birth year, a legacy encoding'),
      async () => {
        const notCard = await fails(ws.dispatch('desk.readCard', { text: 'https://example.vn/the-khac' }));
        expect(notCard).toMatchObject({ code: 'qr_invalid' });
        expect(notCard.message).toMatch(/không phải mã QR của thẻ CCCD.*biểu mẫu không thay đổi/u);
        const century = await fails(
          ws.dispatch('desk.readCard', {
            text: '027098001234||Hoàng Văn Nam|17042005|Nam|Thôn Đông Du|05032021',
          }),
        );
        expect(century.message).toMatch(/không nhất quán: Số CCCD ghi năm sinh 1998, không khớp/u);
        // TCVN3: "Hoàng Văn Nam" typed through a legacy font encoding.
        const legacy = await fails(
          ws.dispatch('desk.readCard', {
            text: '027098001234||Hoµng V¨n Nam|17041998|Nam|Th«n §«ng Du|05032021',
          }),
        );
        expect(legacy.code).toBe('legacy_encoding');
        expect(legacy.message).toMatch(/bảng mã cũ/u);
        const good = await ok<{ card: { values: { fullName: string; dateOfBirth: string } } }>(
          ws.dispatch('desk.readCard', {
            text: '027098001234||Hoàng Văn Nam|17041998|Nam|Thôn Đông Du, Xã Đào Viên|05032021',
          }) as never,
        );
        expect(good.card.values).toMatchObject({ fullName: 'Hoàng Văn Nam', dateOfBirth: '17/04/1998' });
      },
    );

    it(
      title('form fields: BHYT card shape, landline and foreign mobiles, no tick, no signed page'),
      async () => {
        const p = person(1);
        const d = await withImages(p);
        const before = steps();
        const record = (values: Partial<ReturnType<typeof valuesOf>>, extra: Record<string, unknown> = {}) =>
          fails(
            ws.dispatch('desk.record', {
              id: d.id,
              values: valuesOf(p, values),
              identityConfirmed: true,
              ...extra,
            }),
          );
        expect((await record({ bhytCard: 'DN42727980' })).fields?.bhytCard).toMatch(/đúng 15 ký tự/u);
        expect((await record({ bhytCard: 'DN6272798001234' })).fields?.bhytCard).toMatch(/mức hưởng/u);
        expect((await record({ mobile: '02438223344' })).fields?.mobile).toMatch(/di động không hợp lệ/u);
        expect((await record({ mobile: '+12025550123' })).fields?.mobile).toMatch(/di động không hợp lệ/u);
        expect((await record({}, { identityConfirmed: false })).fields?.identityConfirmed).toMatch(
          /xác nhận nhân thân/u,
        );
        const noPage = await withImages(person(2), ['formPage1']);
        const unsigned = await fails(
          ws.dispatch('desk.record', { id: noPage.id, values: valuesOf(person(2)), identityConfirmed: true }),
        );
        expect(unsigned.fields?.formPage1).toMatch(/Chưa có trang tờ khai đã ký/u);
        expect(steps()).toBe(before);
        expect((await ok<DeskDeclaration>(ws.dispatch('desk.get', { id: d.id }) as never)).state).toBe(
          'draft',
        );
      },
    );

    it(
      title('the same ID number twice at this desk today: warned, then recorded when the officer goes on'),
      async () => {
        const p = person(3);
        const first = await withImages(p);
        await ok(
          ws.dispatch('desk.record', { id: first.id, values: valuesOf(p), identityConfirmed: true }) as never,
        );
        const second = await withImages(p);
        const before = steps();
        const warned = await fails(
          ws.dispatch('desk.record', { id: second.id, values: valuesOf(p), identityConfirmed: true }),
        );
        expect(warned.code).toBe('duplicate');
        expect(warned.message).toMatch(/đã được kê khai tại bàn hôm nay/u);
        expect(warned.fields?.sameIdToday).toBe(first.id);
        expect(steps()).toBe(before);
        await ok(
          ws.dispatch('desk.record', {
            id: second.id,
            values: valuesOf(p),
            identityConfirmed: true,
            sameIdToday: true,
          }) as never,
        );
        expect(steps()).toBeGreaterThan(before);
      },
    );

    it(title('Tra cứu mã số BHXH offline says the code may stay empty'), async () => {
      c.proxy.cut();
      try {
        await ws.engine.syncNow();
        const off = await fails(ws.dispatch('desk.registrySearch', { idNumber: '027098001234' }));
        expect(off.code).toBe('offline');
        expect(off.message).toMatch(/để trống mã số BHXH/u);
        const bad = await fails(ws.dispatch('desk.registrySearch', { fullName: 'Hoàng Văn Nam' }));
        expect(bad.fields?.dateOfBirth).toMatch(/Ngày sinh là bắt buộc/u);
      } finally {
        c.proxy.restore();
      }
    });

    it(
      titleWithSkipReason(
        title(
          'a full disk: warned before, refused with a message, nothing half-written, working again after',
        ),
        mountable,
        'cannot mount a tmpfs here (needs root)',
      ),
      async () => {
        if (!mountable) return;
        const mnt = mkdtempSync(path.join(os.tmpdir(), 'ws-full-'));
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mnt]);
        let small: Workstation | null = null;
        try {
          // The real free space of the 12 MB disk: under the reserve, so images are refused up front.
          small = createWorkstation({
            dataDir: mnt,
            serviceUrl: c.proxy.url,
            keyProvider: keyFileProvider(path.join(mnt, 'store.key')),
            transport: 'http',
            sync: { pullIntervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 800 },
          });
          await ok(
            small.dispatch('session.signIn', {
              agencyCode: '903',
              username: 'ttcntt',
              password: PASSWORD,
            }) as never,
          );
          const status = await ok<{ disk: { level: string; message: string } }>(
            small.dispatch('desk.status', {}) as never,
          );
          expect(status.disk.level).toBe('full');
          expect(status.disk.message).toMatch(/Ổ đĩa của máy trạm gần đầy/u);
          const d = await ok<DeskDeclaration>(small.dispatch('desk.draft', { fresh: true }) as never);
          const img = (await deskImages(person(4)))[1]![1];
          const refused = await fails(
            small.dispatch('desk.attach', { id: d.id, role: 'idFront', data: img.toString('base64') }),
          );
          expect(refused.code).toBe('disk_full');
          await small.close();
          // Told the disk has room, the store meets the real end of the disk inside a transaction.
          small = createWorkstation({
            dataDir: mnt,
            serviceUrl: c.proxy.url,
            keyProvider: keyFileProvider(path.join(mnt, 'store.key')),
            transport: 'http',
            desk: { freeBytes: () => 10 * 1024 ** 3 },
            sync: { pullIntervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 800 },
          });
          await ok(
            small.dispatch('session.signIn', {
              agencyCode: '903',
              username: 'ttcntt',
              password: PASSWORD,
            }) as never,
          );
          const filler = path.join(mnt, 'filler');
          let size = 0;
          try {
            for (;;) {
              writeFileSync(filler, Buffer.alloc(256 * 1024), { flag: 'a' });
              size++;
            }
          } catch {
            // the disk is full now
          }
          expect(size).toBeGreaterThan(0);
          const big = (await deskImages(person(5)))[3]![1];
          const full = await fails(
            small.dispatch('desk.attach', { id: d.id, role: 'formPage1', data: big.toString('base64') }),
          );
          expect(full.code).toBe('disk_full');
          expect(full.message).toMatch(
            /Ổ đĩa của máy trạm đã đầy: không lưu được \(không có gì bị thay đổi\)/u,
          );
          expect(
            (await ok<DeskDeclaration>(small.dispatch('desk.get', { id: d.id }) as never)).images,
          ).toEqual([]);
          rmSync(filler);
          await ok(
            small.dispatch('desk.attach', {
              id: d.id,
              role: 'formPage1',
              data: big.toString('base64'),
            }) as never,
          );
          expect(
            (await ok<DeskDeclaration>(small.dispatch('desk.get', { id: d.id }) as never)).images,
          ).toHaveLength(1);
        } finally {
          await small?.close().catch(() => undefined);
          execFileSync('umount', ['-l', mnt]);
          rmSync(mnt, { recursive: true, force: true });
          mkdirSync(mnt, { recursive: true });
          rmSync(mnt, { recursive: true, force: true });
        }
      },
    );
  },
);
