// The rules of a safe start, with no Electron import so they are tested in Node
// (tests/unit/electron/shell.test.ts); main.ts applies them. Whether the OS keychain may hold the
// store key (Linux's `basic_text` backend encrypts with a password written in Chromium's source: it
// protects nothing, so it is refused unless the administrator's system-wide settings allow it), and
// what each start-up failure tells the officer: a Vietnamese title, what happened and what to do.

import { SettingsFileError } from '../workstation/settings.js';
import { NewerStoreError } from '../workstation/workstation.js';

export type StartupProblem = { title: string; message: string };

/** A failure that already carries the sentence the officer should read. */
export class StartupError extends Error {
  constructor(readonly problem: StartupProblem) {
    super(problem.message);
    this.name = 'StartupError';
  }
}

export type KeychainState = {
  platform: NodeJS.Platform;
  /** safeStorage.isEncryptionAvailable() */
  available: boolean;
  /** safeStorage.getSelectedStorageBackend() on Linux, null elsewhere */
  backend: string | null;
  /** the administrator's `allowBasicTextKeychain` */
  allowBasicText: boolean;
};

const CALL_IT = 'Liên hệ bộ phận kỹ thuật của cơ quan.';

/** Why the store key cannot be kept safely here, or null. */
export function keychainProblem(k: KeychainState): StartupProblem | null {
  if (!k.available) {
    return {
      title: 'Không dùng được kho khoá của hệ điều hành',
      message:
        k.platform === 'linux'
          ? `Máy trạm cần kho khoá của hệ điều hành (GNOME Keyring hoặc KWallet) để bảo vệ dữ liệu, nhưng không có. Đăng nhập vào phiên làm việc có kho khoá rồi mở lại ứng dụng. ${CALL_IT}`
          : `Máy trạm cần kho khoá của hệ điều hành để bảo vệ dữ liệu, nhưng không dùng được. Đăng nhập lại Windows rồi mở lại ứng dụng. ${CALL_IT}`,
    };
  }
  if (
    k.platform === 'linux' &&
    (k.backend === 'basic_text' || k.backend === 'unknown') &&
    !k.allowBasicText
  ) {
    return {
      title: 'Kho khoá của hệ điều hành không an toàn',
      message: `Máy này không có GNOME Keyring hay KWallet: khoá bảo vệ dữ liệu máy trạm sẽ không được bảo vệ. Ứng dụng không chạy như vậy. Cài và mở khoá kho khoá (gnome-keyring, libsecret) rồi mở lại; hoặc quản trị viên cho phép trong tệp cài đặt toàn máy (allowBasicTextKeychain). ${CALL_IT}`,
    };
  }
  return null;
}

/** The sentence for an error that stopped the start. */
export function startupProblem(err: unknown): StartupProblem {
  if (err instanceof StartupError) return err.problem;
  if (err instanceof SettingsFileError) {
    return {
      title: 'Tệp cài đặt của quản trị viên không hợp lệ',
      message: `${err.file}: ${err.problems.join(' ')} Sửa tệp này (hoặc xoá để dùng cài đặt của máy) rồi mở lại ứng dụng. ${CALL_IT}`,
    };
  }
  if (err instanceof NewerStoreError) {
    return { title: 'Dữ liệu máy trạm thuộc phiên bản mới hơn', message: err.message };
  }
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (e?.code === 'SQLITE_NOTADB' || e?.code === 'SQLITE_CORRUPT') {
    return {
      title: 'Không mở được kho dữ liệu máy trạm',
      message: `Kho dữ liệu máy trạm bị hỏng hoặc khoá không khớp (có thể do hồ sơ người dùng Windows đã đổi). Không xoá tệp nào; ${CALL_IT}`,
    };
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return {
      title: 'Không ghi được thư mục dữ liệu',
      message: `Ứng dụng không có quyền ghi vào thư mục dữ liệu của mình (${e.code}). ${CALL_IT}`,
    };
  }
  if (e?.code === 'ENOSPC') {
    return {
      title: 'Ổ đĩa đã đầy',
      message: `Ổ đĩa chứa dữ liệu máy trạm đã đầy. Giải phóng dung lượng rồi mở lại ứng dụng. ${CALL_IT}`,
    };
  }
  return {
    title: 'Máy trạm không khởi động được',
    message: `Đã có lỗi không mong đợi khi khởi động. Mở lại ứng dụng; nếu vẫn lỗi, dùng tệp nhật ký trong thư mục dữ liệu của ứng dụng (thư mục logs) và ${CALL_IT.toLowerCase()}`,
  };
}
