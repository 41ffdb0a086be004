// The pieces of the workstation bridge's bad-input corpus (bridgeCorpus.test.ts): a digest of every
// table of the encrypted store (the corpus's "nothing changed"), a raw HTTP client for the local host
// (any method, headers and bytes; a raw socket for what an HTTP client refuses to send), a sampler
// that makes a well-formed input of any method from its zod schema, and the generic mutations of an
// input field by field (wrong types, control characters, NUL, lone surrogates, zero-width-only text,
// huge strings and arrays, unknown fields). The generic part reads only the method map and its
// schemas, so methods added to the contract later are covered without a line here.

import { createHash } from 'node:crypto';
import { request } from 'node:http';
import net from 'node:net';
import { z } from 'zod';
import { Inputs, type Method } from '../../../contract/workstation.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';
import type { LocalStore } from '../../../electron/workstation/store/localStore.js';

// ---------------------------------------------------------------- the store's digest

/** sha256 of every row of every table of the store (virtual tables through their shadow tables). */
export function storeDigest(store: LocalStore): string {
  const db = storeDatabase(store);
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
         ORDER BY name`,
    )
    .all() as { name: string }[];
  const hash = createHash('sha256');
  for (const { name } of tables) {
    const rows = (
      db
        .prepare(`SELECT * FROM "${name.replace(/"/gu, '""')}"`)
        .raw()
        .all() as unknown[][]
    ).map((row) => JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    rows.sort();
    hash.update(`${name}\n${rows.length}\n${rows.join('\n')}\n`);
  }
  return hash.digest('hex');
}

// ---------------------------------------------------------------- raw HTTP

export type HttpAnswer = { status: number; text: string; json: unknown; headers: Record<string, unknown> };

export function httpCall(
  port: number,
  opts: { method?: string; path: string; headers: Record<string, string>; body?: string | Buffer },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'POST', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, text, json, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Bytes written as they are on a fresh connection; the status of the answer (0: closed unanswered). */
export function rawExchange(port: number, bytes: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // One answer is all a case needs: stop once its head has arrived.
      if (/\r\n\r\n/u.test(Buffer.concat(chunks).toString('latin1'))) socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/u.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    });
    socket.write(bytes);
  });
}

// ---------------------------------------------------------------- schemas: shape and samples

export type FieldKind = 'string' | 'number' | 'boolean' | 'enum' | 'array' | 'object' | 'other';

/** The schema under optional / default / nullable / a transform's input side. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodDefault) s = s.removeDefault() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}

export function kindOf(schema: z.ZodType): FieldKind {
  const s = unwrap(schema);
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodNumber) return 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral) return 'enum';
  if (s instanceof z.ZodArray) return 'array';
  if (s instanceof z.ZodObject) return 'object';
  return 'other';
}

/** A field may be left out (optional or with a default). */
export function omissible(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

/** Well-formed but made-up values a string field may take: ids that name nothing, a day, a code… */
export const FORGED_UUID = '3f0c2a9e-7b4d-4c1e-9a2f-5d6e7f8a9b0c';
const STRING_CANDIDATES = [FORGED_UUID, 'mau01', 'test', '903', '2026-01-15', 'a'];
const NUMBER_CANDIDATES = [1, 0, 75, 300, 1000];

/** A value the schema accepts, made from the candidates above; undefined when none fits. */
export function sampleOf(schema: z.ZodType): unknown {
  const s = unwrap(schema);
  const first = (values: readonly unknown[]): unknown => values.find((v) => schema.safeParse(v).success);
  if (s instanceof z.ZodObject) {
    const out: Record<string, unknown> = {};
    for (const [k, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      if (omissible(field)) continue;
      const v = sampleOf(field);
      if (v === undefined) return undefined;
      out[k] = v;
    }
    return schema.safeParse(out).success ? out : undefined;
  }
  if (s instanceof z.ZodString) return first(STRING_CANDIDATES);
  if (s instanceof z.ZodNumber) return first(NUMBER_CANDIDATES);
  if (s instanceof z.ZodBoolean) return first([true, false]);
  if (s instanceof z.ZodEnum) return first(s.options);
  if (s instanceof z.ZodLiteral) return first([...s.values]);
  if (s instanceof z.ZodArray) {
    const element = sampleOf(s.element as z.ZodType);
    return first(element === undefined ? [[]] : [[element], []]);
  }
  return undefined;
}

/** The well-formed input of every method (undefined where the sampler finds none). */
export function samples(): Map<Method, Record<string, unknown> | undefined> {
  const out = new Map<Method, Record<string, unknown> | undefined>();
  for (const m of Object.keys(Inputs) as Method[])
    out.set(m, sampleOf(Inputs[m] as z.ZodType) as Record<string, unknown> | undefined);
  return out;
}

// ---------------------------------------------------------------- generic mutations

export type Expectation =
  /** the dispatcher's refusal of the input, naming this field (a path, '_' for the input itself) */
  | { validation: string }
  /** any typed refusal (the handler's, when the schema lets the value through) */
  | { refused: true }
  /** hostile text that must stay inert: an answer (an empty search) or a typed refusal, no crash */
  | { inert: true }
  /** the HTTP host's own answer (transport-level) */
  | { status: number };

export type CallCase = {
  title: string;
  method: string;
  /** The request body as sent (JSON text, or bytes). */
  body: string | Buffer;
  expect: Expectation;
};

const json = (v: unknown): string => JSON.stringify(v);

function setPath(
  base: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const out = structuredClone(base);
  let at: Record<string, unknown> = out;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return out;
}

/** Text that breaks the input rules wherever it appears: the gate must name the field. */
export const BROKEN_TEXT: ReadonlyArray<[string, string]> = [
  ['NUL', 'ab\u0000cd'],
  ['a control character (BEL)', 'Nguyễn\u0007'],
  ['ESC', '\u001b[31mđỏ'],
  ['DEL', 'a\u007fb'],
  ['a C1 control (NEL)', 'a\u0085b'],
  ['a lone high surrogate', 'Trần\ud800'],
  ['a lone low surrogate', '\udc00Lê'],
  ['U+FFFD (what invalid UTF-8 decodes to)', 'Ph\ufffdm'],
];

/** Text with nothing in it (API.md: a required text of spaces or zero-width characters is empty). */
export const BLANK_TEXT: ReadonlyArray<[string, string]> = [
  ['zero-width-only text', '\u200b\u2060\ufeff'],
  ['spaces only', '   '],
];

const WRONG_TYPE: Record<FieldKind, ReadonlyArray<[string, unknown]>> = {
  string: [
    ['a number', 12345],
    ['an object', { $ne: null }],
  ],
  number: [
    ['a string', '5'],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['1e300', 1e300],
  ],
  boolean: [['a string', 'true']],
  enum: [
    ['a value not in the list', 'khác'],
    ['a number', 1],
  ],
  array: [
    ['a string', 'x'],
    ['an array of numbers', [1, 2]],
  ],
  object: [
    ['a string', 'x'],
    ['an array', []],
  ],
  other: [],
};

/** Numbers the schema refuses for this field among the WRONG_TYPE numbers (bounds differ by field). */
const refusedHere = (schema: z.ZodType, v: unknown): boolean => !schema.safeParse(v).success;

/**
 * The generic corpus of one method: its input not an object, unknown fields, and every field (one
 * level into nested objects, and into array elements) of the wrong type, with broken text, odd text,
 * huge arrays. `sample` is a well-formed input the mutations start from.
 */
export function mutations(method: Method, sample: Record<string, unknown>): CallCase[] {
  const schema = Inputs[method] as z.ZodType;
  const cases: CallCase[] = [];
  const add = (title: string, body: string, expect: Expectation): void => {
    cases.push({ title: `${method}: ${title}`, method, body, expect });
  };
  for (const [what, body] of [
    ['an array', '[]'],
    ['a string', '"dossiers"'],
    ['a number', '7'],
    ['true', 'true'],
  ] as const)
    add(`input is ${what}`, body, { validation: '_' });
  add('an unknown field', json({ ...sample, isAdmin: true }), { validation: '_' });
  add(
    'a __proto__ field',
    `{"__proto__":{"isAdmin":true}${Object.keys(sample).length ? ',' : ''}${json(sample).slice(1)}`,
    {
      validation: '_',
    },
  );

  const visit = (fieldSchema: z.ZodType, path: string[]): void => {
    const at = path.join('.');
    const kind = kindOf(fieldSchema);
    const put = (v: unknown): string => json(setPath(sample, path, v));
    for (const [what, v] of WRONG_TYPE[kind]) {
      if (kind === 'number' && !refusedHere(fieldSchema, v)) continue;
      add(`${at} is ${what}`, put(v), { validation: at });
    }
    if (!omissible(fieldSchema))
      add(`${at} missing`, json(setPath(sample, path, undefined)), { validation: at });
    if (kind === 'string') {
      for (const [what, v] of BROKEN_TEXT) add(`${at} with ${what}`, put(v), { validation: at });
      // Blank text is empty text: refused where the field is required (optional ones may be empty).
      if (!omissible(fieldSchema))
        for (const [what, v] of BLANK_TEXT)
          add(
            `${at} is ${what}`,
            put(v),
            refusedHere(fieldSchema, v) ? { validation: at } : { refused: true },
          );
      const huge = 'x'.repeat(60_000);
      add(
        `${at} is a huge string (60,000 characters)`,
        put(huge),
        refusedHere(fieldSchema, huge) ? { validation: at } : { refused: true },
      );
      // A line break is refused in single-line fields; free text (a reason) may have one.
      if (refusedHere(fieldSchema, 'a\nb')) add(`${at} with a line break`, put('a\nb'), { validation: at });
    }
    if (kind === 'array') {
      const element = (unwrap(fieldSchema) as z.ZodArray<z.ZodType>).element;
      const one = sampleOf(element);
      if (one !== undefined) {
        const huge = Array.from({ length: 6_000 }, () => one);
        add(
          `${at} with 6,000 elements`,
          put(huge),
          refusedHere(fieldSchema, huge) ? { validation: at } : { refused: true },
        );
      }
      if (kindOf(element) === 'string')
        for (const [what, v] of BROKEN_TEXT.slice(0, 3))
          add(`${at}.0 with ${what}`, put([v]), { validation: `${at}.0` });
    }
    if (kind === 'object') {
      const inner = unwrap(fieldSchema) as z.ZodObject;
      add(`${at} with an unknown field`, put({ ...(sampleOf(fieldSchema) as object), isAdmin: true }), {
        validation: at,
      });
      for (const [k, s] of Object.entries(inner.shape as Record<string, z.ZodType>)) visit(s, [...path, k]);
    }
  };
  const top = unwrap(schema) as z.ZodObject;
  for (const [k, s] of Object.entries(top.shape as Record<string, z.ZodType>)) visit(s, [k]);
  return cases;
}

// ---------------------------------------------------------------- answers

/** A sentence in Vietnamese: it has letters only Vietnamese spells with. */
export const VIETNAMESE = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/iu;
