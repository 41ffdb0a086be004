// The workstation's per-machine settings: defaults, then the per-machine file in the user-data folder
// (written by Cài đặt), then a system-wide file an administrator places (ProgramData on Windows,
// /etc on Linux), which wins and whose keys the screen cannot change. Every layer is checked with the
// contract's schema (contract/workstationSettings.ts), so a hand-edited file gets the same Vietnamese
// sentences as the screen. Other parts read the settings through the context: `ctx.settings.get()`.
// No Electron import.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SETTING_KEYS,
  SYSTEM_ONLY_KEYS,
  SettingsFileSchema,
  SettingsPatchSchema,
  SettingsSchema,
  settingsFieldMessages,
  type SettingKey,
  type Settings,
  type SettingSource,
  type SettingsPatch,
  type SettingsView,
} from '../../contract/workstationSettings.js';
import { fail } from './errors.js';

export type { Settings, SettingKey } from '../../contract/workstationSettings.js';

/** A system-wide file that cannot be used: the app does not start on guesses about what it meant. */
export class SettingsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Tệp cài đặt của quản trị viên ${file} không dùng được: ${problems.join(' ')}`);
    this.name = 'SettingsFileError';
  }
}

/** Where an administrator puts the system-wide file on each operating system. */
export function defaultSystemSettingsFile(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32')
    return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'BHXH GDDT', 'settings.json');
  if (platform === 'darwin') return '/Library/Application Support/BHXH GDDT/settings.json';
  return '/etc/bhxh-gddt/settings.json';
}

export const DEFAULT_RETENTION_DAYS = 7;

/**
 * Tên máy trạm until someone sets one: "Máy <host name>", the name Cài đặt shows and the end-of-day
 * reconciliation prints (and its file name carries), so the screen and the sheet never disagree.
 */
export function defaultWorkstationName(): string {
  const name = os.hostname().trim();
  return name ? `Máy ${name}`.slice(0, 100) : 'Máy trạm';
}

export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    serviceUrl: 'http://127.0.0.1:8480',
    proxy: { mode: 'system' },
    esclUrls: [],
    workstationName: defaultWorkstationName(),
    defaultPrinter: '',
    imageRetentionDays: DEFAULT_RETENTION_DAYS,
    updateUrl: '',
    allowBasicTextKeychain: false,
    ...overrides,
  };
}

export type SettingsStoreOptions = {
  /** The per-machine file (Cài đặt writes it). */
  userFile: string;
  /** The administrator's system-wide file; null for none (tests, the browser host). */
  systemFile: string | null;
  /** Values before either file (e.g. SERVICE_URL of a development run). */
  defaults?: Partial<Settings>;
  /** Told about a per-machine file that had to be set aside or a value that was dropped. */
  onProblem?: (message: string) => void;
};

type Layer = { values: Partial<Settings>; locked: boolean };

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/u, '')) as unknown;
}

/** The system-wide file: all or nothing. */
function readSystem(file: string | null): Layer {
  if (!file || !existsSync(file)) return { values: {}, locked: false };
  let raw: unknown;
  try {
    raw = readJson(file);
  } catch (err) {
    throw new SettingsFileError(file, [`Không đọc được JSON (${(err as Error).message}).`]);
  }
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = settingsFieldMessages(parsed.error.issues);
    throw new SettingsFileError(
      file,
      Object.entries(fields).map(([k, v]) => `${k}: ${v}`),
    );
  }
  const { locked, ...values } = parsed.data;
  return { values, locked: locked === true };
}

/** The per-machine file: what is valid is kept, the rest dropped and reported; a broken file set aside. */
function readUser(file: string, report: (m: string) => void): Partial<Settings> {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = readJson(file);
  } catch {
    const aside = `${file}.hong`;
    renameSync(file, aside);
    report(`Tệp cài đặt ${file} hỏng (không phải JSON): đã chuyển sang ${aside}, dùng cài đặt mặc định.`);
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    report(`Tệp cài đặt ${file} không phải một đối tượng JSON: bỏ qua.`);
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const shape = SettingsSchema.shape[key as SettingKey] as
      (typeof SettingsSchema.shape)[SettingKey] | undefined;
    if (SYSTEM_ONLY_KEYS.includes(key as SettingKey)) {
      report(`Tệp cài đặt ${file}: "${key}" chỉ có hiệu lực trong tệp cài đặt của quản trị viên; bỏ qua.`);
      continue;
    }
    if (!shape) {
      report(`Tệp cài đặt ${file}: bỏ qua mục không biết "${key}".`);
      continue;
    }
    const parsed = shape.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else
      report(`Tệp cài đặt ${file}: bỏ qua "${key}" (${parsed.error.issues[0]?.message ?? 'không hợp lệ'}).`);
  }
  return out as Partial<Settings>;
}

/** The effective settings and where each came from; `ctx.settings` is one of these. */
export class SettingsStore {
  private base: Settings;
  private user: Partial<Settings>;
  private system: Layer;
  private readonly listeners = new Set<(s: Settings) => void>();
  private readonly report: (m: string) => void;

  constructor(private readonly options: SettingsStoreOptions) {
    this.report = options.onProblem ?? (() => undefined);
    this.base = defaultSettings(options.defaults);
    this.system = readSystem(options.systemFile);
    this.user = readUser(options.userFile, this.report);
    // A default that breaks the rules (an http:// SERVICE_URL to another machine) is refused at start.
    const effective = SettingsSchema.safeParse(this.compose());
    if (!effective.success) {
      const fields = settingsFieldMessages(effective.error.issues);
      throw new SettingsFileError(
        options.systemFile ?? options.userFile,
        Object.entries(fields).map(([k, v]) => `${k}: ${v}`),
      );
    }
  }

  private compose(): Settings {
    return { ...this.base, ...this.user, ...this.system.values };
  }

  /** The settings in force now (a fresh object; change them with `update`). */
  get(): Settings {
    return structuredClone(this.compose());
  }

  /** Settings the screen may not change. */
  locked(): SettingKey[] {
    if (this.system.locked) return [...SETTING_KEYS];
    return SETTING_KEYS.filter((k) => k in this.system.values || SYSTEM_ONLY_KEYS.includes(k));
  }

  sources(): Record<SettingKey, SettingSource> {
    const out = {} as Record<SettingKey, SettingSource>;
    for (const k of SETTING_KEYS)
      out[k] = k in this.system.values ? 'system' : k in this.user ? 'user' : 'default';
    return out;
  }

  view(canEdit: boolean, guarded: SettingKey[] = []): SettingsView {
    return {
      settings: this.get(),
      sources: this.sources(),
      locked: this.locked(),
      files: { user: this.options.userFile, system: this.options.systemFile },
      canEdit: canEdit && this.locked().length < SETTING_KEYS.length,
      guarded,
    };
  }

  /** The settings as they would be with this patch (checked, nothing written). */
  preview(input: SettingsPatch): Settings {
    const checked = SettingsPatchSchema.safeParse(input);
    if (!checked.success) {
      fail('validation_failed', 'Cài đặt không hợp lệ.', {
        fields: settingsFieldMessages(checked.error.issues),
      });
    }
    const patch = checked.data;
    const locked = this.locked().filter((k) => k in patch);
    if (locked.length > 0) {
      fail('forbidden', 'Quản trị viên đã đặt mục này cho toàn máy: không đổi được ở đây.', {
        fields: Object.fromEntries(locked.map((k) => [k, 'Quản trị viên đã đặt cho toàn máy.'])),
      });
    }
    const next = SettingsSchema.safeParse({ ...this.base, ...this.user, ...patch, ...this.system.values });
    if (!next.success) {
      fail('validation_failed', 'Cài đặt không hợp lệ.', {
        fields: settingsFieldMessages(next.error.issues),
      });
    }
    return next.data;
  }

  /** Writes the patch to the per-machine file (atomically) and tells the listeners. */
  update(input: SettingsPatch): Settings {
    this.preview(input);
    const patch = SettingsPatchSchema.parse(input);
    const user = { ...this.user, ...patch };
    // Text kept NFC, as everywhere (the workstation's name is Vietnamese).
    if (typeof user.workstationName === 'string')
      user.workstationName = user.workstationName.normalize('NFC').trim();
    mkdirSync(path.dirname(this.options.userFile), { recursive: true });
    const tmp = `${this.options.userFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(user, null, 2)}\n`, { mode: 0o644 });
    renameSync(tmp, this.options.userFile);
    this.user = user;
    const now = this.get();
    for (const l of this.listeners) l(now);
    return now;
  }

  /** Called with the new settings after every change. Returns the unsubscribe function. */
  onChange(listener: (s: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
