import { describe, expect, it } from 'vitest';
import { maskCpr, parseCpr } from './cpr.ts';

describe('CPR numbers', () => {
  it.each([
    ['010190-1234', 1990, 'female'],
    ['0101901233', 1990, 'male'],
    ['010136-4001', 2036, 'male'],
    ['010137-4001', 1937, 'male'],
    ['010157-5000', 2057, 'female'],
    ['010158-5000', 1858, 'female'],
    ['010120-9000', 2020, 'female'],
    ['010199-9000', 1999, 'female'],
  ])('reads %s as born %i, %s', (cpr, year, sex) => {
    const info = parseCpr(cpr)!;
    expect(info.birthDate.getUTCFullYear()).toBe(year);
    expect(info.sex).toBe(sex);
  });

  it('accepts numbers that fail modulus 11 (issued since 2007)', () => {
    expect(parseCpr('010190-1235')).not.toBeNull();
  });

  it.each(['320190-1234', '290221-1234', '0101901', 'abcdef-1234', '010190 12345'])('refuses %s', (cpr) => {
    expect(parseCpr(cpr)).toBeNull();
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseCpr('290220-4000')?.birthDate.toISOString().slice(0, 10)).toBe('2020-02-29');
  });

  it('masks as DDMMYY-xxxx', () => {
    expect(maskCpr('0101901234')).toBe('010190-xxxx');
  });
});
