// `npm run print` end to end against the real central service (startService on a free port with the
// demo data, embedded PGlite): real HTTP sign-in, dossier look-up, rights, PDF files read back with
// pdftotext, and the Vietnamese messages and exit codes of every refusal.

import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportVerdicts, type DailyReport, type LoginResponse } from '../../../contract/api.js';
import { EXIT, runPrint } from '../../../scripts/print.js';
import { startService, type RunningService } from '../../../server/service.js';
import { DEMO_PASSWORD, REPO_ROOT } from '../../fixtures/demo.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import {
  decodeQr,
  flat,
  pageImage,
  pdfInfo,
  pdfText,
  POPPLER,
  POPPLER_REASON,
} from '../../unit/print/pdfTools.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

let service: RunningService;
let dir: string;

beforeAll(async () => {
  service = await startService({ port: 0, seedDemo: true, background: false });
  dir = mkdtempSync(path.join(os.tmpdir(), 'print-cli-'));
}, 120_000);

afterAll(async () => {
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Run = { code: number; out: string; err: string };

async function print(
  args: string[],
  user: { agency: string; user: string; password?: string },
  signal?: AbortSignal,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPrint(
    args,
    {
      SERVICE_URL: service.url,
      SERVICE_AGENCY: user.agency,
      SERVICE_USER: user.user,
      SERVICE_PASSWORD: user.password ?? DEMO_PASSWORD,
    },
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    signal,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const OFFICER = { agency: '903', user: 'ttcntt' };
const SUPERVISOR = { agency: '903', user: 'ld903' };
const HANOI = { agency: '001', user: 'cbhn' };

describe('npm run print against the central service', () => {
  it.skipIf(!POPPLER)(t('form: the seed dossier 00006.GD/2020/903 as an officer of 903'), async () => {
    const file = path.join(dir, 'form.pdf');
    const run = await print(['form', '--dossier', '00006.GD/2020/903', '--out', file], OFFICER);
    expect(run).toMatchObject({ code: EXIT.ok, err: '' });
    expect(run.out).toContain('Đã ghi Mẫu 01 của hồ sơ 00006.GD/2020/903 (mẫu mau01-2020)');
    const pdf = readFileSync(file);
    const text = flat(pdfText(pdf));
    expect(text).toContain('Tên cơ quan/tổ chức/cá nhân: Nguyễn Thành Biên');
    expect(text).toContain('Địa chỉ liên hệ: Cụm 4, Xã Phúc Hòa, Huyện Phúc Thọ, Thành phố Hà Nội');
    expect(text).toContain('Điện thoại di động: 0983847986');
    expect(text).toContain('Cơ quan BHXH tiếp nhận: BHXH Tỉnh Test');
    expect(await decodeQr(pageImage(pdf, 100))).toEqual(['00006.GD/2020/903']);
    // Written atomically: no temporary file left beside it.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(!POPPLER)(
    t('notice: a decided dossier of the district office, from the province office'),
    async () => {
      const file = path.join(dir, 'notice.pdf');
      const run = await print(['notice', '--dossier', '00077.gd/2020/00115', '--out', file], OFFICER);
      expect(run.err).toBe('');
      expect(run.code).toBe(EXIT.ok);
      const text = flat(pdfText(readFileSync(file)));
      expect(text).toContain('Kính gửi: Ông/Bà Trần Minh Triều');
      expect(text).toContain('BHXH HUYỆN TEST');
      // The seed imports 00077 as decided valid (an account issued).
      expect(text).toContain('Tên đăng nhập (tài khoản): 0206215276');
      expect(text).toContain('tới số điện thoại di động đã đăng ký 0975 *** 904');
    },
  );

  it.skipIf(!POPPLER)(
    t('report: a supervisor prints the day the service reports, every dossier in it'),
    async () => {
      const file = path.join(dir, 'report.pdf');
      const run = await print(['report', '--date', '2020-08-12', '--out', file], SUPERVISOR);
      expect(run.err).toBe('');
      expect(run.code).toBe(EXIT.ok);
      // What the service itself says about that day, fetched over the same API.
      const login = (await (
        await fetch(`${service.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ agencyCode: '903', username: 'ld903', password: DEMO_PASSWORD }),
        })
      ).json()) as LoginResponse;
      const report = (await (
        await fetch(`${service.url}/api/v1/reports/daily?date=2020-08-12`, {
          headers: { authorization: `Bearer ${login.token}` },
        })
      ).json()) as DailyReport;
      const text = flat(pdfText(readFileSync(file)));
      expect(text).toContain('BÁO CÁO TIẾP NHẬN VÀ DUYỆT HỒ SƠ ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ');
      // the summary's row: received, then the decisions by Trạng thái, expired, pending at day end
      const v = reportVerdicts(report);
      const row = [
        report.received,
        v.valid,
        v.code_not_found,
        v.invalid,
        v.details_updated,
        v.account_stopped,
        report.expired,
        report.pendingAtDayEnd,
      ];
      expect(text).toContain(`Chờ duyệt cuối ngày ${row.join(' ')}`);
      expect(text).toContain(`(${report.dossiers.length} hồ sơ)`);
      expect(report.dossiers.length).toBeGreaterThan(0);
      for (const d of report.dossiers) {
        expect(text).toContain(d.dossierNumber);
        expect(text).toContain(d.fullName);
      }
      expect(text).toContain('Lãnh đạo BHXH Tỉnh Test'); // prepared by the signed-in supervisor
    },
  );

  it.skipIf(!POPPLER)(
    t('form: the photo attached to the dossier on the service is printed in its box'),
    async () => {
      const login = (await (
        await fetch(`${service.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ agencyCode: '903', username: 'ttcntt', password: DEMO_PASSWORD }),
        })
      ).json()) as LoginResponse;
      const auth = { authorization: `Bearer ${login.token}` };
      const list = (await (
        await fetch(
          `${service.url}/api/v1/dossiers?dossierNumber=${encodeURIComponent('00086.GD/2020/00115')}`,
          {
            headers: auth,
          },
        )
      ).json()) as { items: Array<{ id: string }> };
      const id = list.items[0]?.id;
      if (!id) throw new Error('seed dossier 00086 not found on the service');
      const photo = await sharp({ create: { width: 240, height: 320, channels: 3, background: '#2a5599' } })
        .jpeg()
        .toBuffer();
      const put = await fetch(`${service.url}/api/v1/dossiers/${id}/attachments/photo`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'image/jpeg' },
        body: photo,
      });
      expect(put.status).toBe(200);
      const file = path.join(dir, 'form-photo.pdf');
      const run = await print(['form', '--dossier', '00086.GD/2020/00115', '--out', file], OFFICER);
      expect(run.err).toBe('');
      expect(run.code).toBe(EXIT.ok);
      const images = await promisify(execFile)('pdfimages', ['-list', file]);
      expect(images.stdout).toMatch(/\bimage\s+240\s+320\b/u);
      expect(flat(pdfText(readFileSync(file)))).toContain('Tên cơ quan/tổ chức/cá nhân: Lê Kim Cương');
    },
  );

  it.skipIf(!POPPLER)(t('forms: several dossiers in one print job, each page with its own QR'), async () => {
    const file = path.join(dir, 'forms.pdf');
    const numbers = ['00006.GD/2020/903', '00086.GD/2020/00115', '00077.GD/2020/00115'];
    const run = await print(
      ['forms', '--dossier', numbers[0] ?? '', '--dossier', `${numbers[1]},${numbers[2]}`, '--out', file],
      OFFICER,
    );
    expect(run.err).toBe('');
    expect(run.out).toContain('Đã ghi 3 tờ khai Mẫu 01 vào');
    const pdf = readFileSync(file);
    expect(pdfInfo(pdf).pages).toBe(3);
    for (const [i, n] of numbers.entries()) {
      expect(await decodeQr(pageImage(pdf, 100, i + 1))).toEqual([n]);
    }
    // One unknown number: nothing is written at all.
    const bad = path.join(dir, 'forms-bad.pdf');
    const refused = await print(
      ['forms', '--dossier', `${numbers[0]},99998.GD/2020/903`, '--out', bad],
      OFFICER,
    );
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.err).toContain('Không tìm thấy hồ sơ số 99998.GD/2020/903');
    expect(existsSync(bad)).toBe(false);
    // Interrupted: no file, no temporary file, exit 130.
    const cancelled = new AbortController();
    cancelled.abort();
    const stopped = await print(
      ['forms', '--dossier', numbers.join(','), '--out', bad],
      OFFICER,
      cancelled.signal,
    );
    expect(stopped).toMatchObject({ code: EXIT.cancelled, err: 'Đã huỷ in.' });
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const twice = await print(
      ['form', '--dossier', numbers[0] ?? '', '--dossier', numbers[1] ?? '', '--out', bad],
      OFFICER,
    );
    expect(twice).toMatchObject({
      code: EXIT.usage,
      err: 'Lệnh form nhận một --dossier; để in nhiều tờ khai dùng lệnh forms.',
    });
  });

  it('refusals: unknown dossier, another agency, undecided notice, report without the role, bad password', async () => {
    const out = path.join(dir, 'refused.pdf');
    const unknown = await print(['form', '--dossier', '99999.GD/2020/903', '--out', out], OFFICER);
    expect(unknown.code).toBe(EXIT.refused);
    expect(unknown.err).toBe(
      'Không tìm thấy hồ sơ số 99999.GD/2020/903 trong phạm vi cơ quan BHXH 903 (hồ sơ không có, đã quá hạn bị xóa, hoặc thuộc cơ quan khác).',
    );
    const otherAgency = await print(['form', '--dossier', '00006.GD/2020/903', '--out', out], HANOI);
    expect(otherAgency.code).toBe(EXIT.refused);
    expect(otherAgency.err).toContain(
      'Không tìm thấy hồ sơ số 00006.GD/2020/903 trong phạm vi cơ quan BHXH 001',
    );
    const undecided = await print(['notice', '--dossier', '00006.GD/2020/903', '--out', out], OFFICER);
    expect(undecided.code).toBe(EXIT.refused);
    expect(undecided.err).toBe('Hồ sơ 00006.GD/2020/903 chưa được duyệt: chưa có kết quả để in thông báo.');
    const noRole = await print(['report', '--date', '2020-08-12', '--out', out], OFFICER);
    expect(noRole.code).toBe(EXIT.refused);
    expect(noRole.err).toMatch(
      /^Chỉ lãnh đạo \(vai trò supervisor\) được in báo cáo ngày: Tài khoản 903\/ttcntt không có quyền/u,
    );
    const badPassword = await print(['form', '--dossier', '00006.GD/2020/903', '--out', out], {
      ...OFFICER,
      password: 'sai-mat-khau',
    });
    expect(badPassword.code).toBe(EXIT.service);
    expect(badPassword.err).toMatch(/^Đăng nhập dịch vụ trung tâm không thành công/u);
    expect(existsSync(out)).toBe(false);
  });

  it('unwritable destinations are refused before signing in', async () => {
    const notADir = path.join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const missingDir = await print(
      ['form', '--dossier', '00006.GD/2020/903', '--out', path.join(dir, 'không-có', 'f.pdf')],
      OFFICER,
    );
    expect(missingDir.code).toBe(EXIT.output);
    expect(missingDir.err).toMatch(/^Không ghi được tệp .*f\.pdf: thư mục .*không-có không tồn tại\.$/u);
    const underFile = await print(['blank', '--out', path.join(notADir, 'f.pdf')], OFFICER);
    expect(underFile.code).toBe(EXIT.output);
    expect(underFile.err).toContain('không phải là thư mục');
    const isDir = path.join(dir, 'a-folder.pdf');
    mkdirSync(isDir);
    const onDir = await print(['blank', '--out', isDir], OFFICER);
    expect(onDir.code).toBe(EXIT.output);
    expect(onDir.err).toContain('đó là một thư mục');
  });

  it('usage errors say what is missing', async () => {
    expect((await print(['form', '--out', path.join(dir, 'x.pdf')], OFFICER)).err).toBe(
      'Thiếu --dossier <số hồ sơ>, ví dụ --dossier 00006.GD/2020/903.',
    );
    expect(
      (await print(['report', '--date', '2020-02-30', '--out', path.join(dir, 'x.pdf')], SUPERVISOR)).err,
    ).toBe('Ngày không có thật trên lịch.');
    const noCommand = await print([], OFFICER);
    expect(noCommand.code).toBe(EXIT.usage);
    expect(noCommand.err).toMatch(/^Thiếu lệnh\.\nCách dùng: npm run print/u);
    const unknownOption = await print(['blank', '--to', 'x.pdf'], OFFICER);
    expect(unknownOption.code).toBe(EXIT.usage);
    expect(unknownOption.err).toMatch(/^Tuỳ chọn không rõ hoặc thiếu giá trị: --to\./u);
  });

  it('the real process: exit codes and stderr as a shell sees them', async () => {
    const exec = promisify(execFile);
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const env = {
      ...process.env,
      SERVICE_URL: service.url,
      SERVICE_AGENCY: '903',
      SERVICE_USER: 'ttcntt',
      SERVICE_PASSWORD: DEMO_PASSWORD,
    };
    const file = path.join(dir, 'process-blank.pdf');
    const ok = await exec(tsx, ['scripts/print.ts', 'blank', '--date', '2020-08-10', '--out', file], {
      cwd: REPO_ROOT,
      env,
    });
    expect(ok.stdout).toContain('Đã ghi Mẫu 01 để trống (mẫu mau01-2020)');
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    const failed = await exec(
      tsx,
      ['scripts/print.ts', 'form', '--dossier', '00006.GD/2020/903', '--out', file],
      {
        cwd: REPO_ROOT,
        env: { ...env, SERVICE_URL: 'http://127.0.0.1:9' },
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(EXIT.service);
    expect('stderr' in failed && failed.stderr.trim()).toBe(
      'Không kết nối được dịch vụ trung tâm tại http://127.0.0.1:9: kiểm tra SERVICE_URL và mạng, hoặc khởi động dịch vụ (npm run server).',
    );
  });
});
