// The workstation's per-machine settings (Cài đặt) and the support methods of the typed workstation API:
// the settings' shape and rules (https for any service that is not on this machine, a proxy given as
// system / none / explicit / PAC), and the methods the Cài đặt screen calls. Merged into `Inputs` /
// `Outputs` by contract/workstation.ts. The same schema checks the files an administrator writes by
// hand (the per-machine file and the system-wide one, electron/workstation/settings.ts), so a mistake
// there gets the same Vietnamese sentence as one typed in the screen.

import { z } from 'zod';
import { zodIssueMessage } from './issues.js';

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http may reach (the service on this machine). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/gu, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/u.test(h);
}

/**
 * Why a service (or update) address cannot be used, or null: it must be an absolute http(s) URL without
 * credentials, and https unless it points at this machine (personal data and passwords cross it).
 */
export function serviceUrlProblem(value: string, what = 'Địa chỉ dịch vụ trung tâm'): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${what} không hợp lệ: cần dạng https://máy-chủ[:cổng].`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${what} phải bắt đầu bằng https://.`;
  if (url.username || url.password) return `${what} không được chứa tên đăng nhập hay mật khẩu.`;
  if (url.search || url.hash) return `${what} không được có phần ?… hay #….`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `${what} phải dùng https:// (chỉ máy chủ trên chính máy này, 127.0.0.1, mới được dùng http://).`;
  return null;
}

const text = (max: number) => z.string().max(max);
const httpUrl = (what: string) =>
  text(500).superRefine((v, ctx) => {
    const problem = serviceUrlProblem(v, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A proxy URL: http(s)://host:port (PAC files may also be file:// on the machine). */
const proxyUrl = text(500).superRefine((v, ctx) => {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Địa chỉ proxy không hợp lệ: cần dạng http://máy-proxy:cổng.' });
  }
});
const pacUrl = text(500).superRefine((v, ctx) => {
  try {
    const u = new URL(v);
    if (!['http:', 'https:', 'file:'].includes(u.protocol)) throw new Error('protocol');
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'Địa chỉ tệp PAC không hợp lệ: cần http://…, https://… hoặc file://….',
    });
  }
});

/**
 * How the workstation reaches the service: `system` the operating system's proxy settings (in Node: the
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables), `none` directly, `fixed` through one proxy, `pac` by
 * a proxy auto-configuration file (Electron's network stack only).
 */
export const ProxySetting = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('system') }).strict(),
  z.object({ mode: z.literal('none') }).strict(),
  z
    .object({
      mode: z.literal('fixed'),
      url: proxyUrl,
      /** hosts that bypass the proxy, comma-separated (e.g. "*.bhxh.local,10.0.0.0/8") */
      bypass: text(1000).default(''),
    })
    .strict(),
  z.object({ mode: z.literal('pac'), pacUrl }).strict(),
]);
export type ProxySetting = z.infer<typeof ProxySetting>;

export const MAX_RETENTION_DAYS = 90;

/** Every setting, as the workstation uses it (defaults filled in). */
export const SettingsSchema = z
  .object({
    /** The central dossier service, e.g. https://tnhs.baohiemxahoi.gov.vn */
    serviceUrl: httpUrl('Địa chỉ dịch vụ trung tâm'),
    proxy: ProxySetting,
    /** eSCL (AirScan) network scanners, e.g. https://192.168.1.20/eSCL (http allowed on the office LAN) */
    esclUrls: z
      .array(
        text(500).refine((v) => /^https?:\/\/[^\s/]+/u.test(v), {
          message: 'Địa chỉ máy quét eSCL không hợp lệ: cần dạng http://máy-quét/eSCL.',
        }),
      )
      .max(20),
    /** Tên máy trạm: shown on the reconciliation sheet and in support exports, e.g. "Quầy 3 — BHXH Ba Đình" */
    workstationName: text(100).refine((v) => v.trim().length > 0, {
      message: 'Tên máy trạm không được để trống.',
    }),
    /** The printer the print dialog starts on ("" = the system's default printer). */
    defaultPrinter: text(200),
    /** Days a mobile desk keeps ID images after every step is confirmed (0 = delete at once). */
    imageRetentionDays: z
      .number()
      .int({ message: 'Thời gian lưu ảnh phải là số ngày nguyên.' })
      .min(0, { message: 'Thời gian lưu ảnh không được âm.' })
      .max(MAX_RETENTION_DAYS, { message: `Thời gian lưu ảnh tối đa ${MAX_RETENTION_DAYS} ngày.` }),
    /** Where update files are published (electron-updater's generic provider); "" = no updates. */
    updateUrl: z.union([z.literal(''), httpUrl('Địa chỉ cập nhật')]),
    /**
     * Linux only: run on a keychain that protects nothing (Electron's `basic_text` backend, a password
     * written in Chromium's source). Off unless an administrator decides otherwise.
     */
    allowBasicTextKeychain: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** What a settings file may hold: any subset, checked field by field (the system-wide one may lock all). */
export const SettingsFileSchema = SettingsSchema.partial()
  .extend({
    /** System-wide file only: every setting is read-only in Cài đặt, not just those it gives. */
    locked: z.boolean().optional(),
  })
  .strict();
export type SettingsFile = z.infer<typeof SettingsFileSchema>;

/** Where each effective value came from. */
export type SettingSource = 'default' | 'user' | 'system';

export type SettingsView = {
  settings: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** Settings the screen may not change (given by the system-wide file, or all when it says `locked`). */
  locked: SettingKey[];
  files: { user: string; system: string | null };
  /** Whether the signed-in user (or nobody, on the sign-in screen) may change anything here. */
  canEdit: boolean;
  /**
   * Settings the sign-in screen may no longer change because someone has already signed in on this
   * machine (GUARDED_KEYS): a signed-in supervisor, or the system-wide file, changes them.
   */
  guarded: SettingKey[];
};

export type ConnectionStep = { step: 'proxy' | 'service'; ok: boolean; message: string };

export type ConnectionCheck = {
  ok: boolean;
  /** What was tried, in Vietnamese, in order ("Proxy: …", "Dịch vụ trung tâm: …"). */
  steps: ConnectionStep[];
  serviceUrl: string;
  /** How the request went: "trực tiếp", "qua proxy http://…", "theo tệp PAC …", "theo cài đặt hệ thống". */
  route: string;
  ms: number | null;
};

/** What Cài đặt may change: everything but the keychain rule, which only the system-wide file sets. */
export const SettingsPatchSchema = SettingsSchema.omit({ allowBasicTextKeychain: true }).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
/**
 * At the dispatcher a patch is only an object: the settings store checks it field by field
 * (SettingsPatchSchema), so each refused field gets its own sentence under its own name.
 */
const patch = z.record(z.string().max(64), z.unknown()).transform((v) => v as SettingsPatch);
/** Settings only the administrator's system-wide file may give. */
export const SYSTEM_ONLY_KEYS: readonly SettingKey[] = ['allowBasicTextKeychain'];

/**
 * Where officers' passwords and the app's own updates go. Anyone at a machine's sign-in screen may set
 * them while nobody has signed in there yet (a new machine must reach its service first); after that
 * only a signed-in supervisor may, or someone at an unattended counter could point the next officer's
 * sign-in, or the next update, at a server of their own.
 */
export const GUARDED_KEYS: readonly SettingKey[] = ['serviceUrl', 'proxy', 'updateUrl'];

export const SettingsInputs = {
  'settings.get': z.object({}).strict(),
  /** Change the per-machine file (only the keys given; settings fixed system-wide are refused). */
  'settings.update': z.object({ patch }).strict(),
  /** Reach the service's /health with these settings (unsaved ones from the screen, or the saved ones). */
  'settings.testConnection': z.object({ patch: patch.default({}) }).strict(),
  /** Xuất nhật ký hỗ trợ: a zip of the logs, the app's version and its settings (no personal data). */
  'support.exportLogs': z.object({}).strict(),
  /** Updates (Cập nhật): where they stand, look for one, fetch and verify it, restart into it. */
  'update.status': z.object({}).strict(),
  'update.check': z.object({}).strict(),
  'update.download': z.object({}).strict(),
  /** Restart now into the downloaded, verified update; refused while the outbox is being sent. */
  'update.install': z.object({}).strict(),
} as const;

export type UpdateState =
  /** no update URL set, or not the installed app (the browser host, a development run) */
  | 'unavailable'
  | 'idle'
  | 'checking'
  | 'none'
  | 'available'
  | 'downloading'
  /** downloaded and its sha512 (and, on Windows, its signature) checked: the officer may restart */
  | 'ready'
  | 'error';

export type UpdateStatus = {
  state: UpdateState;
  current: string;
  /** the version found on the update server */
  version: string | null;
  releaseDate: string | null;
  /** 0–100 while downloading */
  percent: number | null;
  /** Vietnamese: what happened, what to do (errors, why unavailable) */
  message: string | null;
};

export type SupportExport = {
  fileName: string;
  bytes: number;
  /** Electron: where the officer saved it (null when the save dialog was closed); HTTP: null. */
  savedTo: string | null;
  /** HTTP host: the zip as a data URL for the browser to download; Electron: null. */
  dataUrl: string | null;
  /** The files the zip holds. */
  entries: string[];
};

/**
 * The refused fields of a settings check, each with its sentence: this schema's own sentences (the
 * https rule, the retention limits…) where it has one, the shared ones (contract/issues.ts) otherwise.
 */
export function settingsFieldMessages(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const own = issue.code === 'custom' || /[À-ỹ]/u.test(issue.message);
    fields[issue.path.map(String).join('.') || '_'] ??= own ? issue.message : zodIssueMessage(issue);
  }
  return fields;
}

export type SettingsOutputs = {
  'update.status': UpdateStatus;
  'update.check': UpdateStatus;
  'update.download': UpdateStatus;
  'update.install': UpdateStatus;
  'settings.get': SettingsView;
  'settings.update': SettingsView;
  'settings.testConnection': ConnectionCheck;
  'support.exportLogs': SupportExport;
};

export type UpdateEvent = { type: 'update.status'; status: UpdateStatus };
