import { describe, expect, it } from 'vitest';
import {
  hashOneTimePassword,
  hashPassword,
  OTP_COST,
  oneTimePassword,
  verifyPassword,
} from '../../../server/passwords.js';

describe('password hashes', () => {
  it('a one-time password is stored as scrypt at its own cost, salted, and verifies', async () => {
    const otp = oneTimePassword();
    expect(otp).toMatch(/^[A-HJ-NP-Z2-9]{12}$/u);
    const a = hashOneTimePassword(otp);
    const b = hashOneTimePassword(otp);
    expect(a.startsWith(`scrypt$${OTP_COST.N}$${OTP_COST.r}$${OTP_COST.p}$`)).toBe(true);
    expect(a).not.toBe(b);
    expect(await verifyPassword(otp, a)).toBe(true);
    expect(await verifyPassword(otp.toLowerCase(), a)).toBe(false);
    expect(await verifyPassword(`${otp}X`, a)).toBe(false);
  });

  it('a hash made at one cost still verifies after the costs change (the parameters are stored)', async () => {
    const h = await hashPassword('Bhxh@2020', { N: 1024, r: 1, p: 1 });
    expect(h.startsWith('scrypt$1024$1$1$')).toBe(true);
    expect(await verifyPassword('Bhxh@2020', h)).toBe(true);
    expect(await verifyPassword('Bhxh@2021', h)).toBe(false);
    expect(await verifyPassword('Bhxh@2020', 'bcrypt$x')).toBe(false);
  });
});
