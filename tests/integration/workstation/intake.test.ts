// Intake on a real workstation against the real central service (embedded PGlite): images attached
// and scanned go through the durable outbox and reach the service exactly once — also when the answer
// of the PUT is lost, when the network is down, and across a restart of the workstation; reader scans
// (text, and HID-POS reports at the node-hid boundary) name the dossier; bad input is refused in
// Vietnamese with nothing queued.
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier } from '../../../contract/domain.js';
import type { SyntheticPerson } from '../../../contract/synthetic.js';
import type { WsEvent } from '../../../contract/workstation.js';
import type { IntakeImage, IntakeResult } from '../../../contract/workstationIntake.js';
import { createFakeHidBus } from '../../../electron/workstation/dev/fakeHid.js';
import { startLoopbackProxy, type LoopbackProxy } from '../../../electron/workstation/dev/loopbackProxy.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import type { IntakeOptions } from '../../../electron/workstation/handlers/intake.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';
import { corruptPng } from '../../unit/scanner/support/badFiles.js';
import { cccdFront, cccdQrText } from '../../unit/scanner/support/images.js';
import { intake, ok, PASSWORD, pullUntilLocal, waitFor } from './harness.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

const scanimage = binaryPresent('/usr/bin/scanimage');

/**
 * An HTTP proxy in front of the service that can lose the answer of the next attachment PUT: the
 * service applies it, the workstation sees the connection drop (the worst moment for a network cut).
 */
async function startAnswerDroppingProxy(target: string): Promise<{
  url: string;
  dropNextPutAnswer(): void;
  puts: number;
  close(): Promise<void>;
}> {
  const t = new URL(target);
  let drop = false;
  const state = { puts: 0 };
  const server: Server = createServer((req, res) => {
    const isPut = req.method === 'PUT' && /\/attachments\//u.test(req.url ?? '');
    if (isPut) state.puts++;
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (isPut && drop) {
          drop = false;
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    dropNextPutAnswer: () => {
      drop = true;
    },
    get puts() {
      return state.puts;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('intake: scans and attachments through the outbox (real service on PGlite)', () => {
  let service: RunningService;
  let proxy: LoopbackProxy;
  const open: Workstation[] = [];
  const hid = createFakeHidBus();
  let ids: string[];

  const newWs = (serviceUrl: string, dir?: string, intakeOptions?: IntakeOptions): Workstation => {
    const dataDir = dir ?? mkdtempSync(path.join(os.tmpdir(), 'ws-intake-'));
    const w = createWorkstation({
      dataDir,
      serviceUrl,
      keyProvider: keyFileProvider(path.join(dataDir, 'store.key')),
      transport: 'http',
      sync: { pullIntervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 800, pageSize: 200 },
      recordWaitMs: 3_000,
      requestTimeoutMs: 5_000,
      intake: intakeOptions ?? {
        saneConfigDir: path.resolve('resources/sane'),
        hid: false,
        ocrWorkers: 1,
      },
    });
    open.push(w);
    return w;
  };

  const signIn = async (w: Workstation): Promise<void> => {
    await ok(
      w.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
    );
    await pullUntilLocal(w, ids);
  };

  const person = (w: Workstation, id: string): Dossier => w.store.getDossier(id)!;
  const cardOf = (d: Dossier): Promise<Buffer> => cccdFront(d as unknown as SyntheticPerson);

  /** What the service holds for the dossier: attachment rows and how many PUTs it applied (audit). */
  async function onService(dossierId: string, role: string) {
    const rows = await service.db.query<{ id: string; sha256: string; bytes: number }>(
      'SELECT id::text, sha256, bytes FROM attachments WHERE dossier_id = $1 AND role = $2',
      [dossierId, role],
    );
    const puts = await service.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_log WHERE action = 'attachment.put' AND dossier_id = $1`,
      [dossierId],
    );
    return { rows: rows.rows, puts: Number(puts.rows[0]?.n ?? 0) };
  }

  const queuedImages = (w: Workstation): number =>
    (
      storeDatabase(w.store).prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'attachment'").get() as {
        n: number;
      }
    ).n;

  beforeAll(async () => {
    service = await startService({
      port: 0,
      seedDemo: true,
      logger: false,
      config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
    });
    proxy = await startLoopbackProxy({ host: '127.0.0.1', port: service.port });
    ids = await intake(service.url, 6, 61);
  });
  afterAll(async () => {
    for (const w of open) await w.close().catch(() => undefined);
    await proxy?.close();
    await service?.close();
  });

  it('attaches a generated ID card: queued in the store, uploaded once, held by the service, recognised', async () => {
    const w = newWs(proxy.url);
    await signIn(w);
    const d = person(w, ids[0]!);
    const card = await cardOf(d);
    const events: WsEvent[] = [];
    w.on((e) => events.push(e));
    const r = await ok<IntakeResult>(
      w.dispatch('intake.attach', {
        dossierId: d.id,
        role: 'idFront',
        fileName: 'cccd-mặt-trước.png',
        data: card.toString('base64'),
      }) as never,
    );
    expect(r.images).toHaveLength(1);
    const img = r.images[0]!;
    expect(img).toMatchObject({ role: 'idFront', mediaType: 'image/png', source: 'file' });
    // stored in the encrypted store before the call returned, byte for byte
    expect(w.store.imageContent(img.id)?.content.equals(card)).toBe(true);
    await waitFor(() => w.store.image(img.id)?.state === 'synced', 30_000, 'upload synced');
    const held = await onService(d.id, 'idFront');
    expect(held.rows).toHaveLength(1);
    expect(held.puts).toBe(1);
    expect(held.rows[0]!.id).toBe(w.store.image(img.id)!.attachmentId);
    // the dossier as the service now has it (version raised) is in the store: a decision next is not a conflict
    await waitFor(
      () => person(w, d.id).attachments.some((a) => a.role === 'idFront'),
      10_000,
      'dossier refreshed',
    );
    // the service streams the same bytes back
    const back = await ok<{ dataUrl: string }>(
      w.dispatch('attachments.get', { id: held.rows[0]!.id, dossierId: d.id }) as never,
    );
    expect(Buffer.from(back.dataUrl.split(',')[1]!, 'base64').equals(card)).toBe(true);
    // recognition: the card's QR, compared with the dossier
    await waitFor(() => w.store.image(img.id)?.recognition !== null, 60_000, 'recognised');
    expect(w.store.image(img.id)?.recognition).toMatchObject({
      kind: 'cccd_qr',
      fields: { idNumber: d.idNumber },
    });
    const cmp = await ok<{ fields: Array<{ field: string; verdict: string }>; agrees: boolean }>(
      w.dispatch('intake.compare', { dossierId: d.id }) as never,
    );
    expect(cmp.fields.find((f) => f.field === 'idNumber')?.verdict).toBe('match');
    expect(cmp.fields.find((f) => f.field === 'fullName')?.verdict).toBe('match');
    expect(events.some((e) => e.type === 'intake.image' && e.image.state === 'synced')).toBe(true);
    const decided = await ok<{ item: { state: string } }>(
      w.dispatch('decisions.record', { dossierId: d.id, outcome: 'valid' }) as never,
    );
    expect(decided.item.state).toBe('synced');
  });

  it('the answer of the PUT is lost mid-upload, then the network comes back: exactly one attachment', async () => {
    const dropping = await startAnswerDroppingProxy(proxy.url);
    try {
      const w = newWs(dropping.url);
      await signIn(w);
      const d = person(w, ids[1]!);
      dropping.dropNextPutAnswer();
      const r = await ok<IntakeResult>(
        w.dispatch('intake.attach', {
          dossierId: d.id,
          role: 'idFront',
          fileName: 'the.png',
          data: (await cardOf(d)).toString('base64'),
        }) as never,
      );
      const id = r.images[0]!.id;
      await waitFor(() => w.store.image(id)?.state === 'synced', 30_000, 'synced after the lost answer');
      const held = await onService(d.id, 'idFront');
      expect(held.rows).toHaveLength(1);
      expect(held.puts).toBe(1); // the retry asked first and did not send it again
      expect(dropping.puts).toBe(1);
      expect(w.store.image(id)!.attempts).toBeGreaterThan(0);
    } finally {
      await dropping.close();
    }
  });

  it('offline: queued while the network is cut, uploaded once when it returns', async () => {
    const w = newWs(proxy.url);
    await signIn(w);
    const d = person(w, ids[2]!);
    proxy.cut();
    try {
      const r = await ok<IntakeResult>(
        w.dispatch('intake.attach', {
          dossierId: d.id,
          role: 'idBack',
          fileName: 'sau.png',
          data: (await cardOf(d)).toString('base64'),
        }) as never,
      );
      await new Promise((res) => setTimeout(res, 500));
      expect(w.store.image(r.images[0]!.id)?.state).toBe('queued');
      expect((await onService(d.id, 'idBack')).rows).toHaveLength(0);
    } finally {
      proxy.restore();
    }
    w.engine.kick();
    await waitFor(async () => (await onService(d.id, 'idBack')).rows.length === 1, 30_000, 'uploaded');
    await new Promise((res) => setTimeout(res, 300));
    expect((await onService(d.id, 'idBack')).puts).toBe(1);
  });

  it('a queued upload survives closing and reopening the workstation, then goes once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-intake-restart-'));
    const first = newWs(proxy.url, dir);
    await signIn(first);
    const d = person(first, ids[3]!);
    proxy.cut();
    const r = await ok<IntakeResult>(
      first.dispatch('intake.attach', {
        dossierId: d.id,
        role: 'photo',
        fileName: 'anh.png',
        data: (await cardOf(d)).toString('base64'),
      }) as never,
    );
    const id = r.images[0]!.id;
    await first.close();
    proxy.restore();
    const second = newWs(proxy.url, dir);
    expect(second.store.image(id)?.state).toBe('queued');
    await signIn(second);
    await waitFor(() => second.store.image(id)?.state === 'synced', 30_000, 'synced after restart');
    const held = await onService(d.id, 'photo');
    expect(held.rows).toHaveLength(1);
    expect(held.puts).toBe(1);
  });

  it(
    titleWithSkipReason(
      'Quét from the SANE test device stores the page for the chosen role and uploads it',
      scanimage,
      'scanimage (sane-utils) absent',
    ),
    async () => {
      if (!scanimage) return;
      const w = newWs(proxy.url);
      await signIn(w);
      const devices = await ok<{ scanners: Array<{ id: string }> }>(
        w.dispatch('scanner.devices', {}) as never,
      );
      expect(devices.scanners.map((s) => s.id)).toContain('sane:test:0');
      const progress: number[] = [];
      w.on((e) => {
        if (e.type === 'intake.progress') progress.push(e.progress.percent);
      });
      const r = await ok<IntakeResult>(
        w.dispatch('intake.scan', {
          dossierId: ids[4]!,
          role: 'formPage1',
          deviceId: 'sane:test:0',
          jobId: 'job-1',
          resolution: 100,
          colorMode: 'gray',
        }) as never,
      );
      expect(r.images.map((i) => i.role)).toEqual(['formPage1']);
      const img = r.images[0]!;
      expect(img.source).toBe('scan');
      expect(w.store.imageContent(img.id)!.content.length).toBeGreaterThan(1000);
      expect(progress.length).toBeGreaterThan(0);
      await waitFor(() => w.store.image(img.id)?.state === 'synced', 30_000, 'scan uploaded');
      expect((await onService(ids[4]!, 'formPage1')).rows).toHaveLength(1);
      const listed = await ok<IntakeImage[]>(w.dispatch('intake.images', { dossierId: ids[4]! }) as never);
      expect(listed.map((i) => i.role)).toEqual(['formPage1']);
    },
  );

  it(
    titleWithSkipReason(
      'Huỷ stops a running scan: "Đã huỷ lượt quét.", nothing stored or queued',
      scanimage,
      'scanimage (sane-utils) absent',
    ),
    async () => {
      if (!scanimage) return;
      const w = newWs(proxy.url, undefined, {
        saneConfigDir: path.resolve('resources/sane'),
        // the test device then takes seconds per page, so Huỷ lands mid-page
        saneExtraArgs: ['--read-delay=yes', '--read-delay-duration=20000'],
        hid: false,
        ocrWorkers: 1,
      });
      await signIn(w);
      const before = queuedImages(w);
      w.on((e) => {
        if (e.type === 'intake.progress' && e.progress.percent > 5)
          void w.dispatch('intake.cancel', { jobId: 'job-cancel' });
      });
      const r = await w.dispatch('intake.scan', {
        dossierId: ids[4]!,
        role: 'idBack',
        deviceId: 'sane:test:0',
        jobId: 'job-cancel',
        resolution: 150,
      });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatchObject({ code: 'cancelled', message: 'Đã huỷ lượt quét.' });
      expect(queuedImages(w)).toBe(before);
      expect(w.store.images(ids[4]!).some((i) => i.role === 'idBack')).toBe(false);
    },
  );

  it('reader scans name the dossier: CCCD QR text, dossier number, and a HID-POS reader', async () => {
    const w = newWs(proxy.url, undefined, { hid: hid.backend, hidPollMs: 50, ocrWorkers: 1 });
    await signIn(w);
    const d = person(w, ids[5]!);
    const qr = cccdQrText(d as unknown as SyntheticPerson);
    const byQr = await ok<{ dossierId: string }>(w.dispatch('reader.lookup', { text: qr }) as never);
    expect(byQr.dossierId).toBe(d.id);
    const byNumber = await ok<{ dossierId: string }>(
      w.dispatch('reader.lookup', { text: d.dossierNumber }) as never,
    );
    expect(byNumber.dossierId).toBe(d.id);
    const unknown = await w.dispatch('reader.lookup', { text: '00999.GD/2020/903' });
    expect(!unknown.ok && unknown.error.message).toMatch(/Không có hồ sơ số 00999\.GD\/2020\/903/u);
    const garbage = await w.dispatch('reader.lookup', { text: 'xin chào các bạn' });
    expect(!garbage.ok && garbage.error.message).toBe(
      'Mã không phải mã QR của thẻ CCCD hay số hồ sơ (Mẫu 01).',
    );
    const parts = qr.split('|');
    parts[4] = 'Nu'; // a wedge reader on a US layout drops the tone mark of "Nữ"
    const badCard = await w.dispatch('reader.lookup', { text: parts.join('|') });
    expect(!badCard.ok && badCard.error.message).toMatch(
      /Mã QR không đúng định dạng của thẻ Căn cước công dân/u,
    );
    // HID-POS: plugged in, then a scan arrives as reports at the node-hid boundary
    const scans: WsEvent[] = [];
    w.on((e) => {
      if (e.type === 'reader.scan') scans.push(e);
    });
    hid.plug();
    await waitFor(() => hid.isOpen(), 10_000, 'reader opened');
    expect(hid.scan(qr)).toBe(true);
    await waitFor(() => scans.length > 0, 10_000, 'reader scan event');
    expect(scans[0]).toMatchObject({ type: 'reader.scan', result: { ok: true, match: { dossierId: d.id } } });
    // the reader's recognition is a source of the comparison
    const cmp = await ok<{ sources: Array<{ source: string }> }>(
      w.dispatch('intake.compare', { dossierId: d.id }) as never,
    );
    expect(cmp.sources[0]?.source).toBe('qr_reader');
    hid.unplug();
  });

  it('bad inputs are refused in Vietnamese and nothing is queued', async () => {
    const w = newWs(proxy.url);
    await signIn(w);
    const d = person(w, ids[0]!);
    const card = await cardOf(d);
    const before = queuedImages(w);
    const attach = (over: Record<string, unknown>) =>
      w.dispatch('intake.attach', {
        dossierId: d.id,
        role: 'idFront',
        fileName: 'x.png',
        data: card.toString('base64'),
        ...over,
      });
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['zero-byte file', { data: '', fileName: 'rong.png' }, /rỗng \(0 byte\)/u],
      ['corrupt PNG', { data: corruptPng(card).toString('base64') }, /bị hỏng, không đọc được/u],
      [
        '.exe bytes named .jpg',
        {
          data: Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(2000, 7)]).toString('base64'),
          fileName: 'anh.jpg',
        },
        /không phải ảnh PNG, JPEG, TIFF hay tệp PDF/u,
      ],
      ['unknown role', { role: 'selfie' }, /Loại ảnh không hợp lệ/u],
      ['not base64', { data: '###' }, /không phải base64/u],
    ];
    for (const [what, over, message] of cases) {
      const r = await attach(over);
      expect(r.ok, what).toBe(false);
      // the handler's sentence, or the field's when the contract's schema refused the input
      const said = r.ok ? '' : [r.error.message, ...Object.values(r.error.fields ?? {})].join(' ');
      expect(said, what).toMatch(message);
    }
    // a dossier outside the officer's scope (agency 001): not found, for attach and for scan
    const other = await service.db.query<{ id: string }>(
      "SELECT id::text FROM dossiers WHERE agency_code = '001' LIMIT 1",
    );
    const outside = other.rows[0]!.id;
    const r1 = await attach({ dossierId: outside });
    expect(!r1.ok && r1.error.message).toBe('Không tìm thấy hồ sơ.');
    const r2 = await w.dispatch('intake.scan', {
      dossierId: outside,
      role: 'idFront',
      deviceId: 'sane:test:0',
    });
    expect(!r2.ok && r2.error.message).toBe('Không tìm thấy hồ sơ.');
    expect(queuedImages(w)).toBe(before);
  });
});
