// The workstation's one log (DESIGN.md §6: no personal data in logs): pino, one JSON line per event, to a
// file in the user-data folder that rotates at 5 MB and keeps the 5 before it (pino-roll, written
// synchronously so the lines before a crash are on disk). Every line goes through two nets: known
// personal fields (fullName, idNumber, mobile…) are replaced wherever they sit in a logged object, and
// every string (messages, error messages and stacks) has ID numbers, BHXH codes, phone numbers, e-mail
// addresses and personal names masked. The code logs ids (dossier uuids, method names, error codes),
// never people; the masking is the net under that rule. Reached through the context: `ctx.log`.
// No Electron import.

import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import roll from 'pino-roll';

export type { Logger } from 'pino';

/** Where the log files are and what they are called: workstation.1.log, workstation.2.log… */
export const LOG_BASENAME = 'workstation';

/** Fields that hold personal data in the contract's types (Dossier, Recognition, declarations). */
const PERSONAL_FIELDS = [
  'fullName',
  'idNumber',
  'oldIdNumber',
  'bhxhCode',
  'mobile',
  'phone',
  'email',
  'address',
  'contactPerson',
  'dateOfBirth',
  'password',
  'captchaAnswer',
  'token',
  'raw',
  'text',
];
const CENSOR = '[ẩn]';

// Upper and lower Vietnamese letters (Latin with the tone and vowel marks) as Unicode classes.
const UPPER = '\\p{Lu}';
const LOWER = '\\p{Ll}';
/** Two or more capitalised words in a row ("Nguyễn Văn An", "NGUYỄN VĂN AN"): a person's name, often. */
const NAME_RUN = new RegExp(
  `(?<![\\p{L}\\p{M}])(?:[${UPPER}][${LOWER}\\p{M}]*|[${UPPER}\\p{M}]{2,})(?:[ \\t]+(?:[${UPPER}][${LOWER}\\p{M}]*|[${UPPER}\\p{M}]{2,})){1,5}(?![\\p{L}\\p{M}])`,
  'gu',
);
/** Words that start a sentence or name a thing, not a person: a run made only of these is kept. */
const NOT_NAMES = new Set(
  'BHXH GDĐT GDDT CCCD CMND HTTP HTTPS URL API JSON PDF PNG JPEG TIFF OCR QR SMS PAC ID OK SANE ESCL WIA HID USB Node Error TypeError RangeError SyntaxError AxiosError ServiceError NetworkError WsFailure ScanError ECONNREFUSED ECONNRESET ETIMEDOUT ENOENT EACCES SQLITE_NOTADB SQLITE_BUSY Electron Chromium GET POST PUT DELETE Mẫu Hồ'.split(
    ' ',
  ),
);

/**
 * Masks what may be personal in a free text: runs of 9+ digits (CCCD 12, CMND 9, BHXH code 10, phones),
 * +84 phones, e-mail addresses, and runs of capitalised words (names) other than known technical words.
 * A name written in lower case inside a sentence is not recognisable as one: the code must not log
 * names at all (fields named fullName, contactPerson… are replaced whatever their case).
 */
export function maskPersonal(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu, '[email]')
    .replace(/\+?84[\s.-]?\d(?:[\s.-]?\d){8,9}/gu, '[số]')
    .replace(/(?<!\d)\d(?:[\s.-]?\d){8,}(?!\d)/gu, '[số]')
    .replace(NAME_RUN, (run) =>
      run.split(/[ \t]+/u).every((w) => NOT_NAMES.has(w) || NOT_NAMES.has(w.toUpperCase())) ? run : '[tên]',
    );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonal(value);
  if (value instanceof Error) return errorSerializer(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = PERSONAL_FIELDS.includes(k) ? CENSOR : maskDeep(v, depth + 1);
  return out;
}

/** An error as a log field: its type, code and masked message and stack (no personal data in either). */
function errorSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return maskDeep(err);
  const e = err as Error & { code?: unknown; status?: unknown };
  return {
    type: e.name,
    ...(e.code !== undefined ? { code: String(e.code) } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    message: maskPersonal(e.message),
    stack: e.stack ? maskPersonal(e.stack) : undefined,
  };
}

function options(level: string): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: errorSerializer, error: errorSerializer },
    formatters: {
      // Every logged object, whatever its shape, is masked before it is written.
      log: (obj) => maskDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskPersonal(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
}

export type WorkstationLog = {
  log: Logger;
  /** The folder of the log files. */
  dir: string;
  /** The log files there, oldest first. */
  files(): string[];
  close(): Promise<void>;
};

/** The rotating file log in `dir` (created when missing). */
export async function createFileLog(
  dir: string,
  level = process.env.WS_LOG_LEVEL ?? 'info',
): Promise<WorkstationLog> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const destination = await roll({
    file: path.join(dir, LOG_BASENAME),
    extension: '.log',
    size: '5m',
    limit: { count: 5 },
    mkdir: true,
    sync: true,
  });
  const log = pino(options(level), destination);
  const number = (f: string): number => Number(/\.(\d+)\.log$/u.exec(f)?.[1] ?? 0);
  return {
    log,
    dir,
    files: () =>
      readdirSync(dir)
        .filter((f) => f.startsWith(`${LOG_BASENAME}.`) && f.endsWith('.log'))
        .sort((a, b) => number(a) - number(b))
        .map((f) => path.join(dir, f)),
    close: () =>
      new Promise<void>((resolve) => {
        destination.flushSync?.();
        destination.end();
        destination.once('close', () => resolve());
        setImmediate(resolve);
      }),
  };
}

/** A logger that writes to a stream of the caller's (tests), with the same masking. */
export function createStreamLog(stream: pino.DestinationStream, level = 'info'): Logger {
  return pino(options(level), stream);
}

/** A logger that writes nothing (a workstation built without a log: other parts' tests). */
export function silentLog(): Logger {
  return pino({ level: 'silent' });
}
