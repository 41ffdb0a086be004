// Where the local store's encryption key comes from. In Electron the key is sealed by the OS keychain
// (safeStorage, supplied by electron/main.ts as a KeySealer); in the development host and tests it is a
// key file readable only by its owner (0600). Either way the key never appears in logs or in the store.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type KeyProvider = { /** 32 random bytes, the same on every start. */ loadKey(): Buffer };

/** Encrypts and decrypts small secrets with the OS keychain (Electron's safeStorage). */
export type KeySealer = { seal(plain: Buffer): Buffer; unseal(sealed: Buffer): Buffer };

function writePrivate(file: string, content: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // wx: never overwrite a key another process just created
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

/** A key file with 0600 permissions (development host, tests). */
export function keyFileProvider(file: string): KeyProvider {
  return {
    loadKey() {
      if (!existsSync(file)) {
        try {
          writePrivate(file, Buffer.from(randomBytes(32).toString('hex')));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
        throw new Error(`Tệp khóa ${path.basename(file)} đang cho người khác đọc: cần quyền 0600.`);
      }
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
      if (key.length !== 32) throw new Error('Tệp khóa của kho dữ liệu cục bộ không hợp lệ.');
      return key;
    },
  };
}

/** A key sealed by the OS keychain and stored sealed (Electron). */
export function sealedKeyProvider(file: string, sealer: KeySealer): KeyProvider {
  return {
    loadKey() {
      if (!existsSync(file)) {
        try {
          writePrivate(file, sealer.seal(randomBytes(32)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      const key = sealer.unseal(readFileSync(file));
      if (key.length !== 32) throw new Error('Khóa của kho dữ liệu cục bộ không hợp lệ.');
      return key;
    },
  };
}
