/**
 * Danish CPR numbers: DDMMYY-SSSS. Modulus 11 is deliberately not checked: numbers without it
 * have been issued since 2007. The 7th digit and the year give the century.
 */
export interface CprInfo {
  cpr: string;
  birthDate: Date;
  sex: 'male' | 'female';
}

export function normalizeCpr(input: string): string | null {
  const digits = input.trim().replace(/^(\d{6})[-\s]?(\d{4})$/, '$1$2');
  return /^\d{10}$/.test(digits) ? digits : null;
}

function century(yy: number, seventh: number): number {
  if (seventh <= 3) return 1900;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 : 1900;
  return yy <= 57 ? 2000 : 1800;
}

export function parseCpr(input: string): CprInfo | null {
  const cpr = normalizeCpr(input);
  if (!cpr) return null;
  const day = Number(cpr.slice(0, 2));
  const month = Number(cpr.slice(2, 4));
  const yy = Number(cpr.slice(4, 6));
  const year = century(yy, Number(cpr[6])) + yy;
  const birthDate = new Date(Date.UTC(year, month - 1, day));
  if (birthDate.getUTCMonth() !== month - 1 || birthDate.getUTCDate() !== day) return null;
  return { cpr, birthDate, sex: Number(cpr[9]) % 2 === 1 ? 'male' : 'female' };
}

export const formatCpr = (cpr: string) => `${cpr.slice(0, 6)}-${cpr.slice(6)}`;
export const maskCpr = (cpr: string) => `${cpr.slice(0, 6)}-xxxx`;
