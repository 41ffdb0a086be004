// The input rules of ../shared/API.md ("Input rules"), as zod schema pieces every request schema is
// built from, so one gate holds them for every field of every endpoint:
// - text is NFC, holds no control character (U+0000–U+001F, U+007F–U+009F; line breaks only where a
//   field is free text over several lines), no lone surrogate and no U+FFFD (what invalid UTF-8
//   decodes to), and a required text made only of spaces or zero-width characters counts as empty;
// - dates and instants are real calendar values (no 2020-02-30, no year 0) within bounds per field;
// - ids are what they claim to be (a uuid is a uuid).
// PostgreSQL refuses NUL in text and lone surrogates in jsonb, and its date range differs from
// JavaScript's: nothing that passes these rules is refused by it. Pure: no Node or DOM imports.

import { z } from 'zod';
import type { Checked } from './identity.js';

/** Zero-width and invisible spacing characters that do not make a text non-empty. */
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/gu;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/u;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_MULTI_LINE = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

export type TextRules = {
  /** line breaks allowed (free-text reasons) */
  multiline?: boolean;
};

/** What is wrong with a text under the input rules (a Vietnamese sentence), or null. */
export function textProblem(value: string, rules: TextRules = {}): string | null {
  if (LONE_SURROGATE.test(value) || value.includes('\uFFFD'))
    return 'Có ký tự không hợp lệ (văn bản không đúng mã UTF-8).';
  if ((rules.multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value))
    return rules.multiline
      ? 'Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng).'
      : 'Không được chứa ký tự điều khiển hoặc xuống dòng.';
  return null;
}

/** True when a text holds nothing but spaces and zero-width characters. */
export function isBlank(value: string): boolean {
  return value.replace(INVISIBLE, '') === '';
}

/** A text that breaks no input rule, whatever its use (a backstop for every string a client sends). */
export function isCleanText(value: string): boolean {
  return textProblem(value, { multiline: true }) === null;
}

/**
 * A text field: checked by the rules above, then NFC-normalised and trimmed. `required` refuses a
 * blank text; `max` counts characters after normalisation. Passwords use `raw` (no NFC, no trim:
 * what was typed is what was hashed).
 */
export function textField(opts: { max: number; required?: boolean; multiline?: boolean; raw?: boolean }) {
  return z
    .string()
    .max(opts.max * 4)
    .superRefine((v, ctx) => {
      const problem = textProblem(v, opts);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      else if (opts.required && isBlank(v))
        ctx.addIssue({ code: 'custom', message: 'Trường này là bắt buộc và không được để trống.' });
      else if ((opts.raw ? v : v.normalize('NFC').trim()).length > opts.max)
        ctx.addIssue({ code: 'custom', message: `Dài tối đa ${opts.max} ký tự.` });
    })
    .transform((v) => (opts.raw ? v : v.normalize('NFC').trim()));
}

/**
 * An id a client hands back (a dossier's, an outbox entry's, a print or scan job's, a device's): the
 * text rules, not blank, and kept as sent (no NFC, no trim) so it still matches what it names. An id
 * that names nothing is the handler's `not_found`, not a refusal of its form.
 */
export function idText(max = 64) {
  return textField({ max, required: true, raw: true });
}

/** A short code: letters, digits and . _ - only (agency codes, reason codes). */
export function codeField(max: number) {
  return z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/u, { message: 'Chỉ gồm chữ cái không dấu, chữ số và . _ -' })
    .min(1)
    .max(max);
}

/** A uuid as PostgreSQL's uuid type takes it (hex in 8-4-4-4-12). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_PATTERN.test(v);
export const uuidField = () => z.string().regex(UUID_PATTERN, { message: 'Phải là mã định danh dạng UUID.' });

// ---------------------------------------------------------------- dates and instants

export type DateBounds = { min: string; max: string };

/** Bounds of the dates a request may carry, per kind of field (YYYY-MM-DD, both included). */
export const DATE_BOUNDS = {
  /** birth dates: no one alive was born before 1900; the upper bound is today (checked by the service) */
  birth: { min: '1900-01-01', max: '2999-12-31' },
  /** certificates, effective and stop dates: the e-transaction scheme exists since 2015 */
  admin: { min: '2000-01-01', max: '2100-12-31' },
  /** list filters and report days */
  filter: { min: '2000-01-01', max: '2100-12-31' },
} as const satisfies Record<string, DateBounds>;

/** A real calendar date YYYY-MM-DD within bounds; the message names what is wrong. */
export function checkDate(raw: string, bounds: DateBounds, label = 'Ngày'): Checked<string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(raw);
  if (!m) return { ok: false, message: `${label} phải có dạng năm-tháng-ngày (YYYY-MM-DD).` };
  if (!realDate(Number(m[1]), Number(m[2]), Number(m[3])))
    return { ok: false, message: `${label} không có thật trên lịch.` };
  if (raw < bounds.min || raw > bounds.max)
    return {
      ok: false,
      message: `${label} phải trong khoảng ${vnDate(bounds.min)} đến ${vnDate(bounds.max)}.`,
    };
  return { ok: true, value: raw };
}

/** A date field (YYYY-MM-DD) within bounds. */
export function dateField(bounds: DateBounds, label = 'Ngày') {
  return z.string().superRefine((v, ctx) => {
    const c = checkDate(v, bounds, label);
    if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message });
  });
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/u;

/** Bounds of instants (decidedAt): from 2000 to 2100, whatever the service's clock adds. */
export const INSTANT_BOUNDS = { min: Date.UTC(2000, 0, 1), max: Date.UTC(2101, 0, 1) };

/**
 * An ISO 8601 instant with an offset (Z or ±hh:mm), a real calendar value (no 30 February, no hour
 * 24, no offset beyond ±14:00), within INSTANT_BOUNDS. Returns the instant in milliseconds.
 */
export function checkInstant(raw: string, label = 'Thời điểm'): Checked<number> {
  const m = INSTANT.exec(raw);
  const bad = (message: string): Checked<number> => ({ ok: false, message });
  if (!m) return bad(`${label} phải là ngày giờ ISO 8601 có múi giờ (ví dụ 2026-01-31T09:30:00+07:00).`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offH = m[10] ? Number(m[10]) : 0;
  const offM = m[11] ? Number(m[11]) : 0;
  if (!realDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || offH > 14 || offM > 59 || offH * 60 + offM > 840)
    return bad(`${label} không có thật trên lịch.`);
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return bad(`${label} không có thật trên lịch.`);
  if (t < INSTANT_BOUNDS.min || t >= INSTANT_BOUNDS.max)
    return bad(`${label} phải trong khoảng năm 2000 đến năm 2100.`);
  return { ok: true, value: t };
}

/** An instant field (ISO 8601 with an offset, real, within INSTANT_BOUNDS). */
export function instantField(label = 'Thời điểm') {
  return z.string().superRefine((v, ctx) => {
    const c = checkInstant(v, label);
    if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message });
  });
}

function realDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return d <= days[m - 1]!;
}

const vnDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

// ---------------------------------------------------------------- any JSON value

/**
 * The first string in a parsed JSON value (keys included) that breaks the text rules, as a field
 * path ("reasonCodes.0"); null when there is none. The gate's backstop: a schema states each
 * field's rules, this makes sure no string of any shape reaches the database unchecked. Keys that
 * are not plain names are reported as "_" (an answer never echoes what was sent).
 */
export function firstUncleanString(value: unknown, path: string[] = [], depth = 0): string | null {
  if (depth > 64) return path.join('.') || '_';
  if (typeof value === 'string') return isCleanText(value) ? null : path.join('.') || '_';
  if (value === null || typeof value !== 'object') return null;
  const plain = (k: string): string => (/^[A-Za-z0-9_]{1,64}$/u.test(k) ? k : '_');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUncleanString(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isCleanText(k)) return [...path, '_'].join('.');
    const found = firstUncleanString(v, [...path, plain(k)], depth + 1);
    if (found) return found;
  }
  return null;
}
