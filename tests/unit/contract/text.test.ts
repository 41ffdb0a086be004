import { describe, expect, it } from 'vitest';
import {
  compareNames,
  compareVietnameseNames,
  vietnameseNameSortKey,
  foldVietnamese,
  nameKey,
  stripDiacritics,
} from '../../../contract/text.js';
import { syntheticPeople, ALL_TONES_NAME } from '../../../contract/synthetic.js';

describe('Vietnamese text', () => {
  it('folds diacritics and đ for search', () => {
    expect(foldVietnamese('Nguyễn Thị Các')).toBe('nguyen thi cac');
    expect(foldVietnamese('Đỗ Văn Tỏi')).toBe('do van toi');
    expect(foldVietnamese('Nguyễn Thị Các'.normalize('NFD'))).toBe('nguyen thi cac');
  });

  it('name tiers: match, diacritics differ, word order, mismatch', () => {
    expect(compareNames('Trần Minh Triều', '  trần  minh TRIỀU ')).toBe('match');
    expect(compareNames('Nguyễn Thị Thuỷ', 'Nguyễn Thị Thủy')).toBe('match');
    expect(compareNames('Cao dồng 3', 'Cao Dồng Ba')).toBe('mismatch');
    expect(compareNames('Lê Kim Cương', 'Le Kim Cuong')).toBe('diacritics_differ');
    expect(compareNames('Phạm Thị Hồng Nhung', 'Phạm Thị Hồng Nhật')).toBe('mismatch');
    expect(compareNames('Phạm Thị Hồng Nhung', 'Phạm Hồng Nhung')).toBe('word_order_or_missing');
    expect(nameKey('Hoà')).toBe(nameKey('Hòa'));
  });

  it('SMS text loses its diacritics', () => {
    expect(stripDiacritics('Đỗ Văn Tỏi, hồ sơ hợp lệ')).toBe('Do Van Toi, ho so hop le');
    expect(/^[\x20-\x7e]*$/u.test(stripDiacritics(ALL_TONES_NAME))).toBe(true);
  });

  it('sorts by given name first', () => {
    const names = ['Nguyễn Thị Các', 'Lê Kim Cương', 'Đỗ Văn Tỏi', 'Trần Minh Triều'];
    expect([...names].sort(compareVietnameseNames)).toEqual([
      'Nguyễn Thị Các',
      'Lê Kim Cương',
      'Đỗ Văn Tỏi',
      'Trần Minh Triều',
    ]);
  });

  it('a name sort key orders as the Vietnamese comparison does (binary order, for the store)', () => {
    const names = [
      ...syntheticPeople(3000, 11).map((p) => p.fullName),
      'Nguyễn Văn An',
      'Nguyễn Văn Ăn',
      'Nguyễn Văn Ân',
      'Nguyễn Văn Anh',
      'Đỗ Văn Tỏi',
      'Dương Văn Tỏi',
      'Lê Thị Ơn',
      'Lê Thị Ôn',
      'Lê Thị On',
      'Lê Thị Ư',
      'Lê Thị Uyên',
      'Lê Ân',
    ];
    const bin = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    const byKey = [...names].sort((a, b) => bin(vietnameseNameSortKey(a), vietnameseNameSortKey(b)));
    // equal under the comparison (tones only) may come in any order: compare the keys' sequence
    const expected = [...names].sort(compareVietnameseNames);
    for (let i = 0; i < names.length; i++) expect(compareVietnameseNames(byKey[i]!, expected[i]!)).toBe(0);
    // the letters the Latin order gets wrong
    const order = ['Nguyễn Văn An', 'Nguyễn Văn Anh', 'Nguyễn Văn Ăn', 'Nguyễn Văn Ân'].map(
      vietnameseNameSortKey,
    );
    expect([...order].sort(bin)).toEqual(order);
    expect(bin(vietnameseNameSortKey('Dương Văn Tỏi'), vietnameseNameSortKey('Đỗ Văn Tỏi'))).toBe(-1);
    expect(vietnameseNameSortKey('Lê Thị Ôn') < vietnameseNameSortKey('Lê Thị Ơn')).toBe(true);
    expect(vietnameseNameSortKey('Lê Thị Uyên') < vietnameseNameSortKey('Lê Thị Ư')).toBe(true);
  });

  it('synthetic people are valid, unique and use the tone marks', () => {
    const people = syntheticPeople(2000, 7);
    expect(new Set(people.map((p) => p.bhxhCode)).size).toBe(2000);
    const text = people
      .map((p) => p.fullName)
      .join(' ')
      .normalize('NFD');
    for (const mark of ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323']) expect(text).toContain(mark);
    expect(people.some((p) => p.fullName.includes('Đ'))).toBe(true);
  });
});
