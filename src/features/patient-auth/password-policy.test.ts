import { describe, expect, it } from 'vitest';
import { checkPatientPassword, isCommonPassword } from './password-policy.ts';

const context = { cpr: '0101901234', email: 'karen.hansen@example.dk' };
const refusal = (password: string) => {
  try {
    checkPatientPassword(password, context);
    return null;
  } catch (error) {
    return (error as { messages: { en: string } }).messages.en;
  }
};

describe('patient password rules (NIST 800-63B)', () => {
  it('ships a list of 10,000 common passwords', () => {
    expect(isCommonPassword('password')).toBe(true);
    expect(isCommonPassword('BASEBALL')).toBe(true);
    expect(isCommonPassword('en gul cykel på taget')).toBe(false);
  });

  it('accepts 12 to 128 characters without composition rules', () => {
    expect(refusal('alle små bogstaver her')).toBeNull();
    expect(refusal('a'.repeat(11) + 'b')).toBeNull();
    expect(refusal('kort kode')).toMatch(/12 to 128/);
    expect(refusal('x'.repeat(129))).toMatch(/12 to 128/);
  });

  it('refuses a common password even when long enough', () => {
    expect(refusal('Unbelievable')).toMatch(/most common/);
    expect(refusal('unbelievable!')).toBeNull();
  });

  it('refuses a password that contains the CPR number or the e-mail', () => {
    expect(refusal('min kode 0101901234')).toMatch(/CPR/);
    expect(refusal('min kode 010190-1234')).toMatch(/CPR/);
    expect(refusal('KAREN.HANSEN@example.dk!')).toMatch(/e-mail/);
    expect(refusal('karen.hansen og mere tekst')).toMatch(/e-mail/);
  });

  it('refuses a password of only whitespace or one repeated character, whatever its length', () => {
    expect(refusal(' '.repeat(12))).toMatch(/only spaces/);
    expect(refusal('\t \u00a0'.repeat(5))).toMatch(/only spaces/);
    expect(refusal('a'.repeat(20))).toMatch(/one character repeated/);
    expect(refusal('æ'.repeat(12))).toMatch(/one character repeated/);
    expect(refusal('ab'.repeat(10))).toBeNull();
  });
});
