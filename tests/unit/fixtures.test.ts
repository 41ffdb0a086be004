import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_DEMO_PATH, SHARED_DEMO_PATH, loadDemo } from '../fixtures/demo.js';

describe('demo fixtures', () => {
  it('the bundled copy equals ../shared/fixtures/demo.json', () => {
    if (!existsSync(SHARED_DEMO_PATH)) throw new Error(`missing ${SHARED_DEMO_PATH}`);
    expect(readFileSync(BUNDLED_DEMO_PATH, 'utf8')).toBe(readFileSync(SHARED_DEMO_PATH, 'utf8'));
  });
  it('holds the seed dossiers', () => {
    const demo = loadDemo();
    expect(demo.dossiers.map((d) => d.dossierNumber)).toContain('00086.GD/2020/00115');
    expect(demo.dossiers.find((d) => d.dossierNumber === '00087.GD/2020/00115')?.mobile).toBe('1231231');
    for (const d of demo.dossiers) expect(d.fullName).toBe(d.fullName.normalize('NFC'));
  });
});
