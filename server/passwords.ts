// Password hashing with scrypt (node:crypto). The stored form names its parameters, so costs can rise
// later without breaking old hashes. Staff passwords (chosen by people) use a high cost; one-time
// passwords of citizens' accounts are 12 random characters (60 bits), must be changed at the first
// login, and are hashed in every approval, so their cost is low: N=64, r=1 (0.02 ms on the 2-core
// machine; 0.06 ms at N=256, 0.29 ms at N=1024). Stretching guards guessable secrets; a 60-bit random
// one is guarded by its size: 2^59 tries at 20 µs are about 360,000 CPU-years, and a GPU's
// thousandfold speed still leaves centuries, for a secret replaced at its first use.

import {
  randomBytes,
  randomInt,
  scrypt as scryptCb,
  scryptSync,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

export const STAFF_COST = { N: 16384, r: 8, p: 1 } as const;
export const OTP_COST = { N: 64, r: 1, p: 1 } as const;

export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = STAFF_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, { ...cost, maxmem: 64 * 1024 * 1024 });
  return encodeHash(cost, salt, key);
}

/** The stored form: its parameters, salt and key. */
const encodeHash = (cost: { N: number; r: number; p: number }, salt: Buffer, key: Buffer): string =>
  `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;

/** A one-time password's hash, computed at once (0.02 ms at OTP_COST) rather than on the thread pool. */
export function hashOneTimePassword(otp: string): string {
  const salt = randomBytes(16);
  return encodeHash(OTP_COST, salt, scryptSync(otp.normalize('NFC'), salt, 32, OTP_COST));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  const key = await scrypt(password.normalize('NFC'), salt, expected.length, {
    N,
    r,
    p,
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// No 0/O, 1/I/l: the person types it from an SMS.
const OTP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function oneTimePassword(length = 12): string {
  let s = '';
  for (let i = 0; i < length; i++) s += OTP_ALPHABET[randomInt(OTP_ALPHABET.length)];
  return s;
}
