// The workstation's settings: defaults < the per-machine file < the administrator's system-wide file,
// each file checked with the contract's schema (Vietnamese sentences), the https rule for any service
// not on this machine, and Cài đặt unable to change what the system-wide file fixes.
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost, serviceUrlProblem } from '../../../contract/workstationSettings.js';
import { WsFailure } from '../../../electron/workstation/errors.js';
import { SettingsFileError, SettingsStore } from '../../../electron/workstation/settings.js';
import { defaultWorkstationName, workstationNameOf } from '../../../electron/workstation/workstation.js';

const dirs: string[] = [];
function folder(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ws-settings-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function failure(fn: () => unknown): WsFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof WsFailure) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the https rule', () => {
  it('accepts https anywhere and http only on this machine', () => {
    expect(serviceUrlProblem('https://tnhs.baohiemxahoi.gov.vn')).toBeNull();
    expect(serviceUrlProblem('https://10.0.0.5:8443/')).toBeNull();
    for (const local of [
      'http://127.0.0.1:8480',
      'http://localhost:8480',
      'http://[::1]:8480',
      'http://127.8.9.10',
    ])
      expect(serviceUrlProblem(local)).toBeNull();
    expect(serviceUrlProblem('http://10.0.0.5:8480')).toMatch(/phải dùng https:\/\//u);
    expect(serviceUrlProblem('http://tnhs.local')).toMatch(/https/u);
    expect(serviceUrlProblem('ftp://x')).toMatch(/https/u);
    expect(serviceUrlProblem('https://user:pw@x.vn')).toMatch(/mật khẩu/u);
    expect(serviceUrlProblem('không phải địa chỉ')).toMatch(/không hợp lệ/u);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
  });
});

describe('SettingsStore', () => {
  it('layers defaults, the per-machine file and the system-wide file, the last winning', () => {
    const dir = folder();
    const userFile = path.join(dir, 'user', 'settings.json');
    const systemFile = path.join(dir, 'system.json');
    const s0 = new SettingsStore({ userFile, systemFile, defaults: { serviceUrl: 'http://127.0.0.1:9' } });
    expect(s0.get().serviceUrl).toBe('http://127.0.0.1:9');
    expect(s0.get().imageRetentionDays).toBe(7);
    expect(s0.sources().serviceUrl).toBe('default');

    s0.update({ serviceUrl: 'https://user.example.vn', workstationName: '  Quầy 3 — BHXH Ba Đình ' });
    const written = JSON.parse(readFileSync(userFile, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({
      serviceUrl: 'https://user.example.vn',
      workstationName: 'Quầy 3 — BHXH Ba Đình',
    });

    writeFileSync(
      systemFile,
      JSON.stringify({ serviceUrl: 'https://system.example.vn', imageRetentionDays: 3 }),
    );
    const s1 = new SettingsStore({ userFile, systemFile, defaults: { serviceUrl: 'http://127.0.0.1:9' } });
    expect(s1.get()).toMatchObject({
      serviceUrl: 'https://system.example.vn',
      imageRetentionDays: 3,
      workstationName: 'Quầy 3 — BHXH Ba Đình',
    });
    expect(s1.sources()).toMatchObject({ serviceUrl: 'system', workstationName: 'user', proxy: 'default' });
    expect(s1.locked().sort()).toEqual(['allowBasicTextKeychain', 'imageRetentionDays', 'serviceUrl']);
    // Cài đặt cannot change what the administrator fixed; the file stays as it was.
    const refused = failure(() => s1.update({ serviceUrl: 'https://other.example.vn' }));
    expect(refused.error.code).toBe('forbidden');
    expect(refused.error.fields?.serviceUrl).toMatch(/toàn máy/u);
    expect(JSON.parse(readFileSync(userFile, 'utf8'))).toEqual(written);
  });

  it('a system-wide file that says locked makes every setting read-only', () => {
    const dir = folder();
    const systemFile = path.join(dir, 'system.json');
    writeFileSync(systemFile, JSON.stringify({ locked: true }));
    const s = new SettingsStore({ userFile: path.join(dir, 'u.json'), systemFile });
    expect(s.view(true).canEdit).toBe(false);
    expect(failure(() => s.update({ workstationName: 'Quầy 1' })).error.code).toBe('forbidden');
  });

  it('refuses bad values with Vietnamese sentences and writes nothing', () => {
    const dir = folder();
    const userFile = path.join(dir, 'settings.json');
    const s = new SettingsStore({ userFile, systemFile: null });
    const bad = failure(() =>
      s.update({
        serviceUrl: 'http://10.1.2.3:8480',
        imageRetentionDays: 400,
        proxy: { mode: 'fixed', url: 'không phải url', bypass: '' },
        workstationName: '   ',
      }),
    );
    expect(bad.error.code).toBe('validation_failed');
    expect(bad.error.fields).toMatchObject({
      serviceUrl: expect.stringMatching(/https/u),
      imageRetentionDays: expect.stringMatching(/tối đa 90 ngày/u),
      'proxy.url': expect.stringMatching(/proxy/u),
      workstationName: expect.stringMatching(/trống/u),
    });
    expect(existsSync(userFile)).toBe(false);
  });

  it('sets a broken per-machine file aside, keeps the valid values of a partly wrong one', () => {
    const dir = folder();
    const userFile = path.join(dir, 'settings.json');
    writeFileSync(userFile, '{ not json');
    const problems: string[] = [];
    const s = new SettingsStore({ userFile, systemFile: null, onProblem: (m) => problems.push(m) });
    expect(s.get().proxy).toEqual({ mode: 'system' });
    expect(existsSync(`${userFile}.hong`)).toBe(true);
    expect(problems[0]).toMatch(/hỏng/u);

    writeFileSync(
      userFile,
      JSON.stringify({ workstationName: 'Quầy 2', imageRetentionDays: -1, colour: 'đỏ' }),
    );
    const s2 = new SettingsStore({ userFile, systemFile: null, onProblem: (m) => problems.push(m) });
    expect(s2.get().workstationName).toBe('Quầy 2');
    expect(s2.get().imageRetentionDays).toBe(7);
    expect(problems.join(' ')).toMatch(/imageRetentionDays/u);
    expect(problems.join(' ')).toMatch(/colour/u);
  });

  it('refuses to start on a system-wide file it cannot use, or an http service elsewhere', () => {
    const dir = folder();
    const systemFile = path.join(dir, 'system.json');
    writeFileSync(systemFile, JSON.stringify({ serviceUrl: 'http://tnhs.example.vn' }));
    expect(() => new SettingsStore({ userFile: path.join(dir, 'u.json'), systemFile })).toThrow(
      SettingsFileError,
    );
    writeFileSync(systemFile, '\uFEFF{"updateUrl": "https://tnhs.example.vn/capnhat"}');
    expect(new SettingsStore({ userFile: path.join(dir, 'u.json'), systemFile }).get().updateUrl).toBe(
      'https://tnhs.example.vn/capnhat',
    );
    expect(
      () =>
        new SettingsStore({
          userFile: path.join(dir, 'u2.json'),
          systemFile: null,
          defaults: { serviceUrl: 'http://192.168.1.9:8480' },
        }),
    ).toThrow(/https/u);
  });

  it('tells its listeners of a change', () => {
    const dir = folder();
    const s = new SettingsStore({ userFile: path.join(dir, 's.json'), systemFile: null });
    const seen: number[] = [];
    const off = s.onChange((v) => seen.push(v.imageRetentionDays));
    s.update({ imageRetentionDays: 14 });
    off();
    s.update({ imageRetentionDays: 21 });
    expect(seen).toEqual([14]);
  });

  it("names the reconciliation's desk after Cài đặt once set, else the host's fallback, else Máy <host>", () => {
    const dir = folder();
    const s = new SettingsStore({ userFile: path.join(dir, 's.json'), systemFile: null });
    expect(workstationNameOf(s)).toBe(defaultWorkstationName());
    expect(defaultWorkstationName()).toMatch(/^Máy /u);
    // Cài đặt shows the name the sheet prints until one is saved.
    expect(s.get().workstationName).toBe(defaultWorkstationName());
    expect(workstationNameOf(s, () => ' Quầy thử ')).toBe('Quầy thử');
    expect(workstationNameOf(s, () => '  ')).toBe(defaultWorkstationName());
    s.update({ workstationName: 'Quầy 3 — BHXH Ba Đình' });
    expect(workstationNameOf(s, () => 'Quầy thử')).toBe('Quầy 3 — BHXH Ba Đình');
  });
});
