// Runs last: the workstation's log of the whole e2e run (every spec before this one, WS_LOG_DIR in
// playwright.config.ts) holds no demo person's name, ID number, BHXH code, phone or e-mail, and no
// registry person's either (the reader and camera specs scan their cards). It must hold the run itself
// (hundreds of calls), so an empty or missing log cannot pass.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { E2E_LOG_DIR } from '../../playwright.config.js';
import { loadDemo } from '../fixtures/demo.js';

test("the e2e run's log holds no personal data of the fixture people", () => {
  const files = readdirSync(E2E_LOG_DIR).filter((f) => f.endsWith('.log'));
  expect(files.length).toBeGreaterThan(0);
  const text = files.map((f) => readFileSync(path.join(E2E_LOG_DIR, f), 'utf8')).join('\n');
  const lines = text.split('\n').filter(Boolean);
  // Every line is JSON, and the run's calls are there.
  for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  const calls = lines.filter((l) => l.includes('"msg":"call"'));
  expect(calls.length).toBeGreaterThan(100);
  expect(text).toContain('"method":"decisions.record"');

  const demo = loadDemo();
  const values = new Set<string>();
  for (const d of demo.dossiers)
    for (const v of [d.fullName, d.idNumber, d.bhxhCode, d.mobile, d.email, d.contactPerson])
      if (v) values.add(v);
  for (const p of demo.registry)
    for (const v of [p.fullName, (p as { idNumber?: string }).idNumber, p.bhxhCode]) if (v) values.add(v);
  const found = [...values].filter(
    (v) => v.length >= 7 && (text.includes(v) || text.includes(v.toUpperCase())),
  );
  expect(found).toEqual([]);
});
