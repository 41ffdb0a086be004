// Property-based tests (fast-check, 10,000 runs each) of the parsers hostile input meets first: the
// ID card's QR, the keyboard-wedge detector, the BHYT card number, the list cursor, the reason text
// and the other text rules, dates and instants. Each must never throw on any input, and every refusal
// must be a typed error with a Vietnamese message; what they accept must be what PostgreSQL accepts
// (no NUL, no lone surrogate, NFC, real dates within bounds).

import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  checkDate,
  checkInstant,
  DATE_BOUNDS,
  DecisionRequest,
  INSTANT_BOUNDS,
  isCleanText,
  parseBhytCardNumber,
  zodFieldMessages,
  type DateBounds,
} from '../../../contract/index.js';
import { SCAN_ERROR_MESSAGE } from '../../../contract/scan.js';
import { WedgeDetector } from '../../../contract/wedge.js';
import { parseCccdQr } from '../../../scanner/qr/cccdQr.js';
import { readCursor, signCursor } from '../../../server/dossiers.js';
import { ApiError } from '../../../server/errors.js';
import { cleanReason } from '../../../server/validation.js';

const RUNS = { numRuns: 10_000 };
// 10,000 runs of a property take seconds on a quiet machine and over 20 s on a busy one: the unit
// project's 30 s limit is a hang watchdog, widened here so that load alone cannot fail a property.
vi.setConfig({ testTimeout: 300_000 });
const VIETNAMESE = /[àáảãạăâđèéêìíòóôơùúưýỳửữựừứệềếểễộồốổỗợờớởỡậầấẩẫặằắẳẵ]/iu;

/** One UTF-16 unit or code point of the kinds hostile text is made of. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('|', ' ', '\u200b', '\ufeff', '\n', '\r', '\t', 'đ', 'Ữ', '0', '9'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0301', '\u0323', '\ufffd', '\u202e', '\u0000') },
);
const hostileText = (maxLength = 60) => fc.array(hostileUnit, { maxLength }).map((units) => units.join(''));
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

describe('the ID card QR parser (fast-check, 10,000 runs each)', () => {
  const digits = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  /** QR-shaped text: a digit run, then 4 to 8 fields of hostile text. */
  const qrLike = fc
    .tuple(
      fc.oneof(digits(12), digits(9), hostileText(14)),
      fc.array(hostileText(20), { minLength: 4, maxLength: 8 }),
    )
    .map(([id, rest]) => [id, ...rest].join('|'));

  it('never throws; a refusal is qr_invalid or legacy_encoding with its Vietnamese message', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(120), qrLike), (text) => {
        const r = parseCccdQr(text);
        if (r.ok) {
          const f = r.recognition.fields;
          expect(f.idNumber).toMatch(/^\d{12}$/u);
          for (const v of Object.values(f)) if (typeof v === 'string') expect(isCleanText(v)).toBe(true);
        } else {
          expect(['qr_invalid', 'legacy_encoding']).toContain(r.error.code);
          expect(r.error.message).toBe(SCAN_ERROR_MESSAGE[r.error.code]);
        }
      }),
      RUNS,
    );
  });

  it('reads back every well-formed card it is given', () => {
    const card = fc.record({
      serial: digits(6),
      year: fc.integer({ min: 1950, max: 2010 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      female: fc.boolean(),
      name: fc.constantFrom('Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Đặng Hữu Phước', 'Lê Thị Thuỷ'),
    });
    fc.assert(
      fc.property(card, (c) => {
        const century = c.year < 2000 ? 0 : 2;
        const id = `001${century + (c.female ? 1 : 0)}${String(c.year % 100).padStart(2, '0')}${c.serial}`;
        const dob = `${String(c.day).padStart(2, '0')}${String(c.month).padStart(2, '0')}${c.year}`;
        const qr = `${id}||${c.name}|${dob}|${c.female ? 'Nữ' : 'Nam'}|Số 1 Lê Lợi, Hà Nội|01012022`;
        const r = parseCccdQr(qr);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.recognition.fields.idNumber).toBe(id);
          expect(r.recognition.fields.fullName).toBe(c.name);
        }
      }),
      RUNS,
    );
  });
});

describe('the keyboard-wedge detector (fast-check, 10,000 runs)', () => {
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Enter', 'Tab', 'Shift', 'ArrowLeft', 'F5', 'Dead', 'Process', ''),
    },
  );
  const events = fc.array(fc.tuple(key, fc.integer({ min: 0, max: 120 })), { maxLength: 80 });

  it('never throws on any key stream; a scan it reports is long and fast enough, in NFC', () => {
    fc.assert(
      fc.property(events, (stream) => {
        const d = new WedgeDetector();
        let t = 1000;
        const scans = [];
        for (const [k, gap] of stream) {
          t += gap;
          const s = d.push({ key: k, time: t });
          if (s) scans.push(s);
        }
        const tail = d.flush(t + 1000);
        if (tail) scans.push(tail);
        for (const s of scans) {
          expect([...s.text].length).toBeGreaterThanOrEqual(8);
          expect(s.meanGapMs).toBeLessThanOrEqual(25);
          expect(s.text).toBe(s.text.normalize('NFC'));
        }
      }),
      RUNS,
    );
  });

  it('reports exactly what a reader types in a burst ended by Enter', () => {
    const printable = fc
      .string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 60 })
      .filter((s) => !/[\s]/u.test(s));
    fc.assert(
      fc.property(printable, fc.integer({ min: 1, max: 20 }), (text, gap) => {
        const d = new WedgeDetector();
        let t = 0;
        for (const ch of text) expect(d.push({ key: ch, time: (t += gap) })).toBeNull();
        const scan = d.push({ key: 'Enter', time: t + gap });
        expect(scan?.text).toBe(text);
        expect(scan?.terminated).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('the list cursor (fast-check, 10,000 runs each)', () => {
  const key = randomBytes(32);
  const position = fc.record({
    t: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().replace('T', ' ').replace('Z', '+00')),
    id: fc.uuid(),
  });

  it('reads back what it signed', () => {
    fc.assert(
      fc.property(position, (c) => {
        expect(readCursor(key, signCursor(key, c))).toEqual(c);
      }),
      RUNS,
    );
  });

  it('refuses any change to a cursor it issued, and any cursor of another key', () => {
    const other = randomBytes(32);
    fc.assert(
      fc.property(position, fc.nat(), fc.constantFrom(...'ABCDabcd0189-_'), (c, at, ch) => {
        const s = signCursor(key, c);
        const i = at % s.length;
        const changed = s.slice(0, i) + ch + s.slice(i + 1);
        if (changed !== s) expect(readCursor(key, changed)).toBeNull();
        expect(readCursor(other, s)).toBeNull();
      }),
      RUNS,
    );
  });

  it('never throws on any text, and accepts none it did not issue', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(80), fc.base64String({ maxLength: 120 })), (s) => {
        expect(readCursor(key, s)).toBeNull();
      }),
      RUNS,
    );
  });
});

describe('the reason text and the text rules (fast-check, 10,000 runs)', () => {
  const reason = DecisionRequest.shape.reason;

  it('accepts only text PostgreSQL stores as given (NFC, no NUL or lone surrogate), refuses in Vietnamese', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(80), fc.string({ unit: 'grapheme', maxLength: 80 })), (text) => {
        const r = reason.safeParse(text, { reportInput: true });
        if (r.success) {
          const v = r.data!;
          expect(v).toBe(v.normalize('NFC'));
          // eslint-disable-next-line no-control-regex -- control characters are what is looked for
          expect(v).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/u);
          expect(LONE_SURROGATE.test(v)).toBe(false);
          expect(isCleanText(v)).toBe(true);
          // the service's own cleaning never fails but for markup (a typed 422)
          try {
            const cleaned = cleanReason(v);
            if (cleaned !== null) expect(isCleanText(cleaned)).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(ApiError);
            expect((err as ApiError).status).toBe(422);
          }
        } else {
          const messages = Object.values(zodFieldMessages(r.error.issues));
          expect(messages.length).toBeGreaterThan(0);
          for (const m of messages) expect(m).toMatch(VIETNAMESE);
        }
      }),
      RUNS,
    );
  });
});

describe('the BHYT card number (fast-check, 10,000 runs each)', () => {
  it('never throws; accepts only 2 letters, a level 1–5 and 12 digits, and names what is wrong in Vietnamese', () => {
    const cardLike = fc
      .array(fc.oneof(hostileUnit, fc.constantFrom('G', 'd', '4', '0', '1', 'ß', 'ﬀ', '-', '.')), {
        maxLength: 24,
      })
      .map((u) => u.join(''));
    fc.assert(
      fc.property(fc.oneof(cardLike, hostileText(30)), (raw) => {
        const r = parseBhytCardNumber(raw);
        if (r.ok) {
          expect(r.value.number).toMatch(/^[A-Z]{2}[1-5]\d{12}$/u);
          expect(r.value.bhxhCode).toBe(r.value.number.slice(5));
        } else expect(r.message).toMatch(VIETNAMESE);
      }),
      RUNS,
    );
  });

  it('reads every well-formed number, in either case and with separators between its parts', () => {
    const card = fc.tuple(
      fc.constantFrom('DN', 'HT', 'GD', 'hn', 'Tx'),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 99 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 }),
      fc.constantFrom('', ' ', '-', '.'),
    );
    fc.assert(
      fc.property(card, ([group, level, province, code, sep]) => {
        const p = String(province).padStart(2, '0');
        const r = parseBhytCardNumber(`${group}${sep}${level}${sep}${p}${sep}${code.join('')}`);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.value.group).toBe(group.toUpperCase());
          expect(r.value.benefitLevel).toBe(level);
          expect(r.value.provinceCode).toBe(p);
          expect(r.value.bhxhCode).toBe(code.join(''));
        }
      }),
      RUNS,
    );
  });
});

describe('dates and instants (fast-check, 10,000 runs each)', () => {
  const oracle = (y: number, m: number, d: number): boolean => {
    const t = new Date(Date.UTC(2000, m - 1, d));
    t.setUTCFullYear(y);
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('checkDate agrees with the calendar and the bounds for any year, month and day', () => {
    const bounds: DateBounds = DATE_BOUNDS.admin;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const iso = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          const r = checkDate(iso, bounds);
          const expected =
            y >= 1 &&
            m >= 1 &&
            m <= 12 &&
            d >= 1 &&
            oracle(y, m, d) &&
            iso >= bounds.min &&
            iso <= bounds.max;
          expect(r.ok).toBe(expected);
          if (!r.ok) expect(r.message).toMatch(VIETNAMESE);
        },
      ),
      RUNS,
    );
  });

  it('checkInstant never throws; what it accepts is a real instant PostgreSQL takes, within bounds', () => {
    const instantLike = fc
      .tuple(
        fc.integer({ min: 0, max: 10999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom('Z', '+07:00', '-14:00', '+15:00', '+0700', '', '+07:60'),
      )
      .map(
        ([y, mo, d, h, mi, z]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:00${z}`,
      );
    fc.assert(
      fc.property(fc.oneof(instantLike, hostileText(30)), (s) => {
        const r = checkInstant(s);
        if (r.ok) {
          expect(r.value).toBe(Date.parse(s));
          expect(r.value).toBeGreaterThanOrEqual(INSTANT_BOUNDS.min);
          expect(r.value).toBeLessThan(INSTANT_BOUNDS.max);
          const [y, mo, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
          expect(oracle(y, mo, d)).toBe(true);
        } else expect(r.message).toMatch(VIETNAMESE);
      }),
      RUNS,
    );
  });
});
