// `npm run print -- <command>`: print Mẫu 01 (filled or blank), a decision notice or the daily
// report to a PDF file, from the central service at SERVICE_URL (API.md), signing in with
// SERVICE_AGENCY / SERVICE_USER / SERVICE_PASSWORD. Every failure ends with one Vietnamese sentence
// on stderr and a non-zero exit code (see EXIT below and docs/print.md).

import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  createWriteStream,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  AgenciesResponse,
  ApiError,
  DailyReport,
  DossierListResponse,
  LoginResponse,
} from '../contract/api.js';
import type { Agency, Dossier, RejectionReason } from '../contract/domain.js';
import { DOSSIER_NUMBER_PATTERN } from '../contract/domain.js';
import { checkIsoDate } from '../contract/identity.js';
import {
  PrintError,
  renderBlankMau01,
  renderMau01Batch,
  type BatchItem,
  renderDailyReport,
  renderDecisionNotice,
  renderMau01,
  templateById,
  templateForDate,
  TemplateError,
} from '../electron/workstation/print/index.js';
import { vnDay } from '../electron/workstation/print/format.js';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  /** the service cannot be reached, or refuses the sign-in */
  service: 3,
  /** no such dossier, no rights, nothing to print */
  refused: 4,
  /** the output file cannot be written */
  output: 5,
  /** interrupted (Ctrl+C) while printing many forms */
  cancelled: 130,
} as const;

export const DEFAULT_SERVICE_URL = 'http://127.0.0.1:8480';

const USAGE = `Cách dùng: npm run print -- <lệnh> [tuỳ chọn]
  form   --dossier <số hồ sơ> --out <tệp.pdf> [--template <mã mẫu>]   Tờ khai Mẫu 01 của hồ sơ
  forms  --dossier <số> --dossier <số> … --out <tệp.pdf>              Nhiều tờ khai trong một tệp (in hàng loạt)
  blank  --out <tệp.pdf> [--template <mã mẫu> | --date YYYY-MM-DD]   Mẫu 01 để trống
  notice --dossier <số hồ sơ> --out <tệp.pdf>                        Thông báo kết quả duyệt
  report --date YYYY-MM-DD --out <tệp.pdf>                           Báo cáo ngày (lãnh đạo)
Biến môi trường: SERVICE_URL (mặc định ${DEFAULT_SERVICE_URL}), SERVICE_AGENCY, SERVICE_USER, SERVICE_PASSWORD.`;

/** A failure the user can act on: its message is printed as is, its code is the exit status. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export type CliIo = { out: (line: string) => void; err: (line: string) => void };

type Env = Readonly<Record<string, string | undefined>>;

// ---------------------------------------------------------------- the output file

/** Refuse an unwritable destination before asking the service for anything. */
function checkOutput(file: string | undefined): string {
  if (!file) throw new CliError(EXIT.usage, 'Thiếu --out <tệp.pdf>: cần nơi ghi tệp PDF.');
  const target = path.resolve(file);
  const dir = path.dirname(target);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new CliError(EXIT.output, `Không ghi được tệp ${target}: thư mục ${dir} không tồn tại.`);
  }
  if (!dirStat.isDirectory())
    throw new CliError(EXIT.output, `Không ghi được tệp ${target}: ${dir} không phải là thư mục.`);
  try {
    if (statSync(target).isDirectory()) {
      throw new CliError(EXIT.output, `Không ghi được tệp ${target}: đó là một thư mục.`);
    }
    accessSync(target, constants.W_OK);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(EXIT.output, `Không ghi được tệp ${target}: không có quyền ghi.`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(EXIT.output, `Không ghi được tệp ${target}: không có quyền ghi vào thư mục ${dir}.`);
  }
  return target;
}

/** Written beside the target and renamed, so a failure never leaves half a PDF under the real name. */
function writeOutput(target: string, pdf: Buffer): void {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(temp, pdf);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'ENOSPC'
        ? 'ổ đĩa đã đầy'
        : code === 'EACCES' || code === 'EPERM'
          ? 'không có quyền ghi'
          : code;
    throw new CliError(EXIT.output, `Không ghi được tệp ${target}: ${why}.`);
  }
}

// ---------------------------------------------------------------- the service

class ServiceClient {
  private token: string | null = null;
  agencyCode = '';
  username = '';

  constructor(private readonly baseUrl: string) {}

  private async request<T>(method: string, urlPath: string, body?: unknown, raw = false): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(urlPath, this.baseUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new CliError(
        EXIT.service,
        `Không kết nối được dịch vụ trung tâm tại ${this.baseUrl}: kiểm tra SERVICE_URL và mạng, hoặc khởi động dịch vụ (npm run server).`,
      );
    }
    if (res.ok) return (raw ? Buffer.from(await res.arrayBuffer()) : await res.json()) as T;
    const message = await res
      .json()
      .then((j: unknown) => (j as ApiError).error?.message ?? '')
      .catch(() => '');
    const detail = message ? ` (${message.replace(/[.\s]+$/u, '')})` : '';
    switch (res.status) {
      case 401:
      case 423:
      case 428:
        throw new CliError(EXIT.service, `Đăng nhập dịch vụ trung tâm không thành công${detail}.`);
      case 403:
        throw new CliError(
          EXIT.refused,
          `Tài khoản ${this.agencyCode}/${this.username} không có quyền thực hiện thao tác này${detail}.`,
        );
      case 404:
        throw new CliError(EXIT.refused, `Không tìm thấy dữ liệu yêu cầu${detail}.`);
      default:
        throw new CliError(EXIT.service, `Dịch vụ trung tâm trả lỗi ${res.status}${detail}.`);
    }
  }

  async login(env: Env): Promise<LoginResponse> {
    const agencyCode = env.SERVICE_AGENCY?.trim();
    const username = env.SERVICE_USER?.trim();
    const password = env.SERVICE_PASSWORD;
    const missing = [
      !agencyCode && 'SERVICE_AGENCY',
      !username && 'SERVICE_USER',
      !password && 'SERVICE_PASSWORD',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new CliError(
        EXIT.usage,
        `Thiếu thông tin đăng nhập dịch vụ trung tâm: đặt biến môi trường ${missing.join(', ')}.`,
      );
    }
    this.agencyCode = agencyCode ?? '';
    this.username = username ?? '';
    const res = await this.request<LoginResponse>('POST', '/api/v1/auth/login', {
      agencyCode,
      username,
      password,
    });
    this.token = res.token;
    return res;
  }

  async logout(): Promise<void> {
    if (!this.token) return;
    await this.request('POST', '/api/v1/auth/logout', undefined, true).catch(() => undefined);
    this.token = null;
  }

  async agencies(): Promise<Agency[]> {
    return await this.request<AgenciesResponse>('GET', '/api/v1/agencies');
  }

  async dossierByNumber(dossierNumber: string): Promise<Dossier> {
    return await this.dossier(await this.findDossierId(dossierNumber));
  }

  async dossier(id: string): Promise<Dossier> {
    return await this.request<Dossier>('GET', `/api/v1/dossiers/${encodeURIComponent(id)}`);
  }

  async photo(dossier: Dossier): Promise<Buffer | null> {
    const ref = dossier.attachments.find((a) => a.role === 'photo' && a.mediaType !== 'application/pdf');
    return ref ? await this.attachment(ref.id) : null;
  }

  async findDossierId(dossierNumber: string): Promise<string> {
    const list = await this.request<DossierListResponse>(
      'GET',
      `/api/v1/dossiers?${new URLSearchParams({ dossierNumber, limit: '5' }).toString()}`,
    );
    const found =
      list.items.find((d) => d.dossierNumber === dossierNumber) ??
      (list.items.length === 1 ? list.items[0] : undefined);
    if (!found) {
      throw new CliError(
        EXIT.refused,
        `Không tìm thấy hồ sơ số ${dossierNumber} trong phạm vi cơ quan BHXH ${this.agencyCode} (hồ sơ không có, đã quá hạn bị xóa, hoặc thuộc cơ quan khác).`,
      );
    }
    return found.id;
  }

  async attachment(id: string): Promise<Buffer> {
    return await this.request<Buffer>(
      'GET',
      `/api/v1/attachments/${encodeURIComponent(id)}`,
      undefined,
      true,
    );
  }

  async reasons(): Promise<RejectionReason[]> {
    return await this.request<RejectionReason[]>('GET', '/api/v1/reasons');
  }

  async dailyReport(date: string): Promise<DailyReport> {
    try {
      return await this.request<DailyReport>('GET', `/api/v1/reports/daily?date=${encodeURIComponent(date)}`);
    } catch (err) {
      if (err instanceof CliError && err.exitCode === EXIT.refused) {
        throw new CliError(
          EXIT.refused,
          `Chỉ lãnh đạo (vai trò supervisor) được in báo cáo ngày: ${err.message}`,
        );
      }
      throw err;
    }
  }
}

function agencyOf(agencies: readonly Agency[], code: string): Agency {
  return (
    agencies.find((a) => a.code === code) ?? {
      code,
      name: `Cơ quan BHXH ${code}`,
      parentCode: null,
      address: '',
      phone: '',
    }
  );
}

function dossierNumberArg(value: string | undefined): string {
  const number = value?.trim().toUpperCase().replace(/\s+/gu, '') ?? '';
  if (!number)
    throw new CliError(EXIT.usage, 'Thiếu --dossier <số hồ sơ>, ví dụ --dossier 00006.GD/2020/903.');
  if (!DOSSIER_NUMBER_PATTERN.test(number)) {
    throw new CliError(
      EXIT.usage,
      `Số hồ sơ "${value}" không đúng dạng NNNNN.GD/NĂM/MÃ CƠ QUAN, ví dụ 00006.GD/2020/903.`,
    );
  }
  return number;
}

function dateArg(value: string | undefined, what: string): string {
  if (!value) throw new CliError(EXIT.usage, `Thiếu --date YYYY-MM-DD (${what}).`);
  const checked = checkIsoDate(value, 'Ngày');
  if (!checked.ok) throw new CliError(EXIT.usage, checked.message);
  return checked.value;
}

function templateArg(id: string | undefined, day: string) {
  try {
    return id ? templateById(id) : templateForDate(day);
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(EXIT.usage, err.message);
    throw err;
  }
}

// ---------------------------------------------------------------- commands

/** Files written to a temporary name beside the target (streams), renamed on success. */
function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function runPrint(
  argv: readonly string[],
  env: Env,
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        dossier: { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        date: { type: 'string' },
        template: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const command = positionals[0];
    if (values.help || command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (!command) throw new CliError(EXIT.usage, `Thiếu lệnh.\n${USAGE}`);
    if (positionals.length > 1)
      throw new CliError(EXIT.usage, `Thừa tham số: ${positionals.slice(1).join(' ')}.\n${USAGE}`);
    const today = vnDay(new Date().toISOString());

    if (command === 'blank') {
      const target = checkOutput(values.out);
      const template = templateArg(
        values.template,
        values.date ? dateArg(values.date, 'ngày áp dụng mẫu') : today,
      );
      writeOutput(target, await renderBlankMau01(template));
      io.out(`Đã ghi Mẫu 01 để trống (mẫu ${template.id}) vào ${target}.`);
      return EXIT.ok;
    }
    if (command !== 'form' && command !== 'forms' && command !== 'notice' && command !== 'report') {
      throw new CliError(EXIT.usage, `Lệnh không rõ: "${command}".\n${USAGE}`);
    }
    const given = (values.dossier ?? []).flatMap((v) => v.split(',')).filter((v) => v.trim());
    if (command !== 'forms' && given.length > 1) {
      throw new CliError(
        EXIT.usage,
        `Lệnh ${command} nhận một --dossier; để in nhiều tờ khai dùng lệnh forms.`,
      );
    }
    if (command === 'forms') {
      if (given.length === 0) throw new CliError(EXIT.usage, 'Thiếu --dossier <số hồ sơ> (một hoặc nhiều).');
      const numbers = [...new Set(given.map((v) => dossierNumberArg(v)))];
      const target = checkOutput(values.out);
      const client = new ServiceClient(env.SERVICE_URL?.trim() || DEFAULT_SERVICE_URL);
      await client.login(env);
      try {
        const agencies = await client.agencies();
        // Every number checked before anything is written; the dossiers themselves are fetched one
        // by one while printing, so a long selection never sits in memory at once.
        const ids: string[] = [];
        for (const n of numbers) ids.push(await client.findDossierId(n));
        async function* items(): AsyncGenerator<BatchItem> {
          for (const id of ids) {
            const dossier = await client.dossier(id);
            yield {
              dossier,
              agency: agencyOf(agencies, dossier.agencyCode),
              photo: await client.photo(dossier),
              template: templateArg(values.template, vnDay(dossier.declaredAt) || today),
            };
          }
        }
        const temp = tempBeside(target);
        const out = createWriteStream(temp);
        try {
          const result = await renderMau01Batch(items(), out, { total: ids.length, signal });
          renameSync(temp, target);
          io.out(`Đã ghi ${result.forms} tờ khai Mẫu 01 vào ${target}.`);
          return EXIT.ok;
        } catch (err) {
          // A stream destroyed before its file was opened still opens (and closes) it afterwards:
          // remove the temporary file only once the stream has closed, or it stays behind.
          out.destroy();
          await finished(out).catch(() => undefined);
          rmSync(temp, { force: true });
          if (err instanceof PrintError && err.code === 'cancelled') {
            throw new CliError(EXIT.cancelled, 'Đã huỷ in.');
          }
          if (
            !(err instanceof PrintError) &&
            !(err instanceof CliError) &&
            (err as NodeJS.ErrnoException).code
          ) {
            throw new CliError(
              EXIT.output,
              `Không ghi được tệp ${target}: ${(err as NodeJS.ErrnoException).code}.`,
            );
          }
          throw err;
        }
      } finally {
        await client.logout();
      }
    }
    const dossierNumber = command === 'report' ? '' : dossierNumberArg(given[0]);
    const reportDate = command === 'report' ? dateArg(values.date, 'ngày của báo cáo') : '';
    const target = checkOutput(values.out);
    const client = new ServiceClient(env.SERVICE_URL?.trim() || DEFAULT_SERVICE_URL);
    const session = await client.login(env);
    try {
      const agencies = await client.agencies();
      if (command === 'report') {
        const report = await client.dailyReport(reportDate);
        const pdf = await renderDailyReport(report, agencyOf(agencies, session.user.agencyCode), {
          preparedBy: session.user.displayName,
          generatedAt: new Date().toISOString(),
        });
        writeOutput(target, pdf);
        io.out(`Đã ghi báo cáo ngày ${reportDate} (${report.dossiers.length} hồ sơ) vào ${target}.`);
        return EXIT.ok;
      }
      const dossier = await client.dossierByNumber(dossierNumber);
      const agency = agencyOf(agencies, dossier.agencyCode);
      if (command === 'form') {
        const photo = await client.photo(dossier);
        const template = templateArg(values.template, vnDay(dossier.declaredAt) || today);
        writeOutput(target, await renderMau01(dossier, agency, template, { photo }));
        io.out(`Đã ghi Mẫu 01 của hồ sơ ${dossier.dossierNumber} (mẫu ${template.id}) vào ${target}.`);
        return EXIT.ok;
      }
      const reasons = dossier.outcome === 'invalid' ? await client.reasons().catch(() => []) : [];
      writeOutput(target, await renderDecisionNotice(dossier, agency, undefined, { reasons }));
      io.out(`Đã ghi thông báo kết quả của hồ sơ ${dossier.dossierNumber} vào ${target}.`);
      return EXIT.ok;
    } finally {
      await client.logout();
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.err(err.message);
      return err.exitCode;
    }
    if (err instanceof PrintError) {
      io.err(err.message);
      return EXIT.refused;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      const option = /option '([^']+)'/u.exec(err.message)?.[1];
      io.err(
        `${option ? `Tuỳ chọn không rõ hoặc thiếu giá trị: ${option}` : 'Tham số không hợp lệ'}.\n${USAGE}`,
      );
      return EXIT.usage;
    }
    io.err(`Lỗi không mong đợi khi in: ${(err as Error).message}`);
    return EXIT.unexpected;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Ctrl+C while printing many forms stops between two forms and removes the incomplete file.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const code = await runPrint(
    process.argv.slice(2),
    process.env,
    { out: (line) => console.log(line), err: (line) => console.error(line) },
    interrupt.signal,
  );
  process.exitCode = code;
}
