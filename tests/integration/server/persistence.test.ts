// The embedded default keeps its data in a folder and survives a restart; the demo is loaded once.
// The synthetic generator gives valid, numbered dossiers.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBhxhCode, checkCccdAgainstPerson, checkMobile } from '../../../contract/index.js';
import { generateSynthetic } from '../../../server/seed.js';
import { loadDemo } from '../../fixtures/demo.js';
import { startService } from '../../../server/service.js';
import { call, decision, dossierId, signIn } from './helpers.js';

describe('embedded default (PGlite in a folder)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'server-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the demo on first start only and keeps decisions across a restart', async () => {
    const dataDir = path.join(dir, 'server', 'pg');
    const first = await startService({ dataDir, seedDemo: true, background: false });
    const token = await signIn(first.url, '903', 'ttcntt');
    const id = await dossierId(first.url, token, '00006.GD/2020/903');
    const res = await call(first.url, 'POST', `/api/v1/dossiers/${id}/decision`, {
      token,
      json: decision(1),
    });
    expect(res.body.result).toBe('account_issued');
    await first.deliverSms();
    await first.close();

    const second = await startService({ dataDir, seedDemo: true, background: false });
    try {
      const count = await second.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossiers');
      expect(count.rows[0]?.n).toBe(10);
      const t2 = await signIn(second.url, '903', 'ttcntt');
      const d = await call(second.url, 'GET', `/api/v1/dossiers/${id}`, { token: t2 });
      expect(d.body).toMatchObject({ status: 'decided', outcome: 'valid', result: 'account_issued' });
      // the local SMS sink writes beside the database, for the demo to show
      const sms = await call(second.url, 'GET', '/api/v1/dev/sms', {
        token: await signIn(second.url, '903', 'ld903'),
      });
      expect(sms.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('synthetic dossiers', () => {
  it('are valid, carry diacritics and unique numbers per agency and year', async () => {
    const s = await startService({ seedDemo: true, background: false });
    try {
      await generateSynthetic(s.db, {
        count: 500,
        agencies: ['903', '00115', '001'],
        registry: true,
        chunk: 200,
        startIndex: 10,
      });
      const rows = (
        await s.db.query<{
          full_name: string;
          bhxh_code: string;
          id_number: string;
          date_of_birth: string;
          gender: 'Nam' | 'Nữ';
          mobile: string;
          dossier_number: string;
        }>(
          `SELECT full_name, bhxh_code, id_number, date_of_birth, gender, mobile, dossier_number FROM dossiers WHERE NOT legacy`,
        )
      ).rows;
      expect(rows).toHaveLength(500);
      expect(new Set(rows.map((r) => r.dossier_number)).size).toBe(500);
      expect(new Set(rows.map((r) => r.bhxh_code)).size).toBe(500);
      expect(
        rows.filter((r) =>
          /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/iu.test(r.full_name),
        ).length,
      ).toBeGreaterThan(450);
      for (const r of rows) {
        expect(checkBhxhCode(r.bhxh_code).ok).toBe(true);
        expect(checkCccdAgainstPerson(r.id_number, r.date_of_birth, r.gender).ok).toBe(true);
        expect(checkMobile(r.mobile).ok).toBe(true);
        expect(r.dossier_number).toMatch(/^\d{5}\.GD\/20\d{2}\/(903|00115|001)$/u);
      }
      const registry = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_persons');
      // the 500 synthetic people beside the demo's own registry
      expect(registry.rows[0]?.n).toBe(500 + loadDemo().registry.length);
      // every registry person has the ID number of their dossier, consistent with birth date and gender
      const people = (
        await s.db.query<{
          id_number: string;
          date_of_birth: string;
          gender: 'Nam' | 'Nữ';
          dossier_id_number: string | null;
        }>(
          `SELECT r.id_number, r.date_of_birth, r.gender,
                  (SELECT d.id_number FROM dossiers d WHERE d.bhxh_code = r.bhxh_code AND NOT d.legacy LIMIT 1) AS dossier_id_number
             FROM registry_persons r`,
        )
      ).rows;
      expect(people).toHaveLength(500 + loadDemo().registry.length);
      for (const p of people) {
        expect(checkCccdAgainstPerson(p.id_number, p.date_of_birth, p.gender).ok).toBe(true);
        if (p.dossier_id_number !== null) expect(p.id_number).toBe(p.dossier_id_number);
      }
      expect(people.filter((p) => p.dossier_id_number !== null)).toHaveLength(500);
    } finally {
      await s.close();
    }
  });
});
