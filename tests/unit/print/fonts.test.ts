// The shared fonts and cached font files must never cost a letter: composed letters before their
// plain bases (the fontkit glyph-cache pitfall), letters outside the canonical Vietnamese set (their
// own subset), and the same text printed again from the cache.

import { describe, expect, it } from 'vitest';
import { renderMau01, templateById } from '../../../electron/workstation/print/index.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { demoDossiers } from './demoDossiers.js';
import { flat, pdfText, POPPLER, POPPLER_REASON } from './pdfTools.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

describe('embedded fonts', () => {
  it.skipIf(!POPPLER)(
    t('composed letters first, then their bases, then letters outside the set'),
    async () => {
      const [base] = demoDossiers();
      if (!base) throw new Error('no demo dossier');
      const template = templateById('mau01-2020');
      const names = [
        'Ệ Ự Ở Ẵ Ỡ Ữ Ậ Ộ', // composed letters: their bases enter the subset as components
        'E U O A Ơ Ư Â Ô', // the bases themselves, in a later document
        'Jürgen SStraße Ωmega Łódź', // outside the canonical set: appended to the subset
        'Ệ Ự Ở Ẵ Ỡ Ữ Ậ Ộ', // again: now from the cached font file
      ];
      for (const fullName of names) {
        const text = flat(
          pdfText(await renderMau01({ ...base, fullName, certificate: null }, null, template)),
        );
        expect(text).toContain(`Tên cơ quan/tổ chức/cá nhân: ${fullName}`);
        expect(text).toContain('Mã số bảo hiểm xã hội: 0113098765');
      }
    },
  );
});
