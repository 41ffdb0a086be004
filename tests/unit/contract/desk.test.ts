// The mobile desk's pure functions: the BHYT card number (which part is wrong), the Mã tạm derived from
// a clientId (round trip, look-alikes, lower case, refusals) and the rules of a registry search.
// fast-check is not installed: table tests, plus seeded random round trips over many uuids.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkRegistrySearch,
  CROCKFORD_ALPHABET,
  parseBhytCardNumber,
  parseProvisionalRef,
  provisionalRef,
  provisionalRefMatches,
} from '../../../contract/desk.js';
import { createRandom } from '../../../contract/synthetic.js';

const messageOf = (r: { ok: boolean; message?: string }): string => (r.ok ? '' : (r.message ?? ''));

describe('BHYT card number (DOMAIN.md): 2 letters, benefit level 1–5, 2-digit province, 10-digit BHXH code', () => {
  it('takes the BHXH code from the last 10 digits, in any case and with separators', () => {
    expect(parseBhytCardNumber('GD4010113098765')).toEqual({
      ok: true,
      value: {
        number: 'GD4010113098765',
        group: 'GD',
        benefitLevel: 4,
        provinceCode: '01',
        bhxhCode: '0113098765',
      },
    });
    for (const typed of [
      'dn4272798001234',
      ' DN 4 27 2798001234 ',
      'DN-4-27-2798001234',
      'DN4.27.2798001234',
    ])
      expect(parseBhytCardNumber(typed)).toMatchObject({ ok: true, value: { bhxhCode: '2798001234' } });
  });

  it.each([
    ['', /Chưa nhập/u],
    ['GD401011309876', /đúng 15 ký tự.*đang có 14/u],
    ['GD40101130987655', /đúng 15 ký tự.*đang có 16/u],
    ['G14010113098765', /Hai ký tự đầu.*chữ cái/u],
    ['1D4010113098765', /Hai ký tự đầu/u],
    ['ĐN4010113098765', /Hai ký tự đầu/u],
    ['GD0010113098765', /Ký tự thứ 3.*từ 1 đến 5/u],
    ['GD6010113098765', /Ký tự thứ 3/u],
    ['GDX010113098765', /Ký tự thứ 3/u],
    ['GD4A10113098765', /Ký tự thứ 4 và 5.*mã tỉnh/u],
    ['GD40B0113098765', /Ký tự thứ 4 và 5/u],
    ['GD401011309876X', /10 ký tự cuối.*mã số BHXH/u],
    ['GD401O113098765', /10 ký tự cuối/u],
  ])('refuses %j naming the wrong part', (raw, message) => {
    const r = parseBhytCardNumber(raw);
    expect(r.ok).toBe(false);
    expect(messageOf(r)).toMatch(message);
  });

  it('every well-formed number round-trips to its parts (seeded random table)', () => {
    const rnd = createRandom(16);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (let i = 0; i < 500; i++) {
      const group = letters[Math.floor(rnd() * 26)]! + letters[Math.floor(rnd() * 26)]!;
      const level = 1 + Math.floor(rnd() * 5);
      const province = String(Math.floor(rnd() * 100)).padStart(2, '0');
      const code = String(Math.floor(rnd() * 1e10)).padStart(10, '0');
      const r = parseBhytCardNumber(`${group}${level}${province}${code}`.toLowerCase());
      expect(r).toEqual({
        ok: true,
        value: {
          number: `${group}${level}${province}${code}`,
          group,
          benefitLevel: level,
          provinceCode: province,
          bhxhCode: code,
        },
      });
    }
  });
});

describe('Mã tạm: Crockford base32 of the clientId’s first 40 bits, MT-XXXX-XXXX', () => {
  it('is derived from the uuid’s first 10 hex digits', () => {
    expect(provisionalRef('00000000-0000-4000-8000-000000000000')).toBe('MT-0000-0000');
    expect(provisionalRef('ffffffff-ff00-4000-8000-000000000000')).toBe('MT-ZZZZ-ZZZZ');
    // 0x0123456789 in 5-bit groups: 0 4 17 19 10 25 28 9 → 0 4 H M A S W 9 (checked with Python)
    expect(provisionalRef('01234567-89ab-4def-8123-456789abcdef')).toBe('MT-04HM-ASW9');
    // the rest of the uuid does not matter
    expect(provisionalRef('01234567-8900-4000-8000-000000000000')).toBe('MT-04HM-ASW9');
    expect(() => provisionalRef('not-a-uuid')).toThrow();
  });

  it('uses only unambiguous characters and parses back to the same prefix (10,000 random uuids)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = randomUUID();
      const ref = provisionalRef(id);
      expect(ref).toMatch(/^MT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/u);
      expect(ref).not.toMatch(/[ILOU]/u);
      const parsed = parseProvisionalRef(ref);
      expect(parsed).toEqual({
        ok: true,
        value: { ref, clientIdPrefix: id.replace(/-/gu, '').slice(0, 10) },
      });
      expect(provisionalRefMatches(ref.toLowerCase(), id)).toBe(true);
      seen.add(ref);
    }
    // 40 bits: 10,000 uuids give distinct references (a clash here has probability ≈ 5·10⁻⁵)
    expect(seen.size).toBe(10_000);
  });

  it('accepts lower case, no separators, no MT, and the look-alikes O → 0, I/L → 1', () => {
    const id = '01234567-89ab-4def-8123-456789abcdef';
    for (const typed of [
      'MT-04HM-ASW9',
      'mt-04hm-asw9',
      'MT04HMASW9',
      '04HMASW9',
      'mt 04hm asw9',
      'MT-O4HM-ASW9',
    ])
      expect(parseProvisionalRef(typed)).toMatchObject({ ok: true, value: { ref: 'MT-04HM-ASW9' } });
    const ones = provisionalRef('08421084-21ff-4000-8000-000000000000'); // every 5-bit group 00001
    expect(ones).toBe('MT-1111-1111');
    for (const typed of ['MT-IIII-LLLL', 'mt-iiii-llll', 'MT-1I1L-l1i1'])
      expect(parseProvisionalRef(typed)).toMatchObject({ ok: true, value: { ref: ones } });
    expect(provisionalRefMatches('MT-04HM-ASW9', id)).toBe(true);
    expect(provisionalRefMatches('MT-04HM-ASW8', id)).toBe(false);
  });

  it.each([
    ['', /dạng MT-XXXX-XXXX/u],
    ['MT-04HM-ASW', /dạng MT-XXXX-XXXX/u],
    ['MT-04HM-ASW99', /dạng MT-XXXX-XXXX/u],
    ['MT-04HU-ASW9', /ký tự không dùng.*"U"/u],
    ['MT-04HM-ASW!', /ký tự không dùng/u],
    ['XX04HMASW9', /dạng MT-XXXX-XXXX/u],
    ['MT-04HƯ-ASW9', /ký tự không dùng/u],
  ])('refuses %j with a Vietnamese message', (raw, message) => {
    const r = parseProvisionalRef(raw);
    expect(r.ok).toBe(false);
    expect(messageOf(r)).toMatch(message);
    expect(provisionalRefMatches(raw, '01234567-89ab-4def-8123-456789abcdef')).toBe(false);
  });
});

describe('registry search rules (Tra cứu mã số BHXH)', () => {
  const today = '2026-05-01';
  it('takes an ID number of 12 or 9 digits, spaces allowed', () => {
    expect(checkRegistrySearch({ idNumber: '027098001234' }, today)).toEqual({
      ok: true,
      value: { by: 'idNumber', idNumber: '027098001234' },
    });
    expect(checkRegistrySearch({ idNumber: ' 027 098 001234 ' }, today)).toMatchObject({
      value: { idNumber: '027098001234' },
    });
    expect(checkRegistrySearch({ idNumber: '012345678' }, today)).toMatchObject({ ok: true });
  });

  it('takes a whole name with a real date of birth, the name cleaned to NFC', () => {
    const nfd = 'Hoàng  Văn Nam'.normalize('NFD');
    expect(checkRegistrySearch({ fullName: ` ${nfd} `, dateOfBirth: '1998-04-17' }, today)).toEqual({
      ok: true,
      value: { by: 'name', fullName: 'Hoàng Văn Nam', dateOfBirth: '1998-04-17' },
    });
  });

  it.each([
    [{}, 'idNumber', /Nhập số CCCD\/CMND, hoặc họ tên cùng ngày sinh/u],
    [{ idNumber: '0270980012' }, 'idNumber', /12 chữ số.*9 chữ số/u],
    [{ idNumber: '02709800123A' }, 'idNumber', /12 chữ số/u],
    [{ idNumber: '' }, 'idNumber', /12 chữ số/u],
    [{ idNumber: '027098001234', fullName: 'A' }, 'idNumber', /không dùng cả hai/u],
    [{ fullName: 'Hoàng Văn Nam' }, 'dateOfBirth', /Ngày sinh là bắt buộc/u],
    [{ dateOfBirth: '1998-04-17' }, 'fullName', /Họ và tên là bắt buộc/u],
    [{ fullName: '   ', dateOfBirth: '1998-04-17' }, 'fullName', /Họ và tên là bắt buộc/u],
    [{ fullName: '\u200b \u200b', dateOfBirth: '1998-04-17' }, 'fullName', /Họ và tên là bắt buộc/u],
    [{ fullName: 'Nam\u0000', dateOfBirth: '1998-04-17' }, 'fullName', /ký tự điều khiển/u],
    [{ fullName: 'A'.repeat(101), dateOfBirth: '1998-04-17' }, 'fullName', /tối đa 100/u],
    [{ fullName: 'Hoàng Văn Nam', dateOfBirth: '1998-02-30' }, 'dateOfBirth', /không có thật/u],
    [{ fullName: 'Hoàng Văn Nam', dateOfBirth: '17/04/1998' }, 'dateOfBirth', /YYYY-MM-DD/u],
    [{ fullName: 'Hoàng Văn Nam', dateOfBirth: '2026-05-02' }, 'dateOfBirth', /từ năm 1900 đến hôm nay/u],
    [{ fullName: 'Hoàng Văn Nam', dateOfBirth: '1899-12-31' }, 'dateOfBirth', /từ năm 1900/u],
  ])('refuses %j naming %s', (q, field, message) => {
    const r = checkRegistrySearch(q, today);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields[field]).toMatch(message);
  });

  it('the alphabet is Crockford’s 32 symbols', () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(new Set(CROCKFORD_ALPHABET).size).toBe(32);
  });
});
