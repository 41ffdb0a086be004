import { describe, expect, it } from 'vitest';
import {
  compareNames,
  compareVietnameseNames,
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
