import { readFileSync } from 'node:fs';
import { errors } from '../../errors.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';

// NIST 800-63B with a second factor: length, a blocklist, no composition rules.
const COMMON = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#')),
);

export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}

/** Patients' and staff's passwords follow the same rules (checkPassword); a patient's also must not hold the CPR number. */
export function checkPatientPassword(password: string, context: { cpr: string; email: string | null }): void {
  checkPassword(password, context);
}

/** Throws a field error naming why the password is refused; the message never echoes it. */
export function checkPassword(password: string, context: { cpr?: string | null; email: string | null }): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw errors.validation('password', {
      da: `Adgangskoden skal have ${PASSWORD_MIN_LENGTH} til ${PASSWORD_MAX_LENGTH} tegn.`,
      en: `The password must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
    });
  }
  if (isCommonPassword(password)) {
    throw errors.validation('password', {
      da: 'Adgangskoden er blandt de mest brugte. Vælg en anden.',
      en: 'The password is among the most common ones. Choose another.',
    });
  }
  // Only spaces, or one character repeated, is no secret whatever its length.
  if (password.trim() === '' || new Set(password).size === 1) {
    throw errors.validation('password', {
      da: 'Adgangskoden må ikke kun være mellemrum eller det samme tegn gentaget.',
      en: 'The password must not be only spaces or one character repeated.',
    });
  }
  const lower = password.toLowerCase();
  const digits = password.replace(/\D/g, '');
  const email = context.email?.toLowerCase();
  const localPart = email?.split('@')[0];
  const cpr = context.cpr;
  if (cpr && (digits.includes(cpr) || lower.includes(cpr.slice(0, 6) + '-' + cpr.slice(6)))) {
    throw errors.validation('password', { da: 'Adgangskoden må ikke indeholde dit CPR-nummer.', en: 'The password must not contain your CPR number.' });
  }
  if (email && (lower.includes(email) || (localPart && localPart.length >= 4 && lower.includes(localPart)))) {
    throw errors.validation('password', { da: 'Adgangskoden må ikke indeholde din e-mailadresse.', en: 'The password must not contain your e-mail address.' });
  }
}
