import { useI18n, type Lang } from './i18n.tsx';

/** Texts of the staff second-factor requirement (clinic settings and support), kept apart for clean merges. */
const da = {
  heading: 'To-trinsbekræftelse for personale',
  requireClinic: 'Kræv to-trinsbekræftelse af klinikkens personale',
  requirePlatform: 'Kræv to-trinsbekræftelse af alt personale på alle klinikker',
  explain:
    'Når det er slået til, skal hver medarbejder ud over adgangskoden bruge en kode fra en godkendelsesapp eller en adgangsnøgle. Den, der ikke har sat det op, bliver bedt om det ved næste login.',
  saved: 'Gemt.',
  save: 'Gem',
};
type Texts = typeof da;

const en: Texts = {
  heading: 'Two-step verification for staff',
  requireClinic: "Require two-step verification of the clinic's staff",
  requirePlatform: 'Require two-step verification of all staff at every clinic',
  explain:
    'When on, every staff member needs a code from an authenticator app or a passkey besides the password. Anyone who has not set it up is asked to at their next login.',
  saved: 'Saved.',
  save: 'Save',
};

const texts: Record<Lang, Texts> = { da, en };

export function useSecurityTexts(): Texts {
  return texts[useI18n().lang];
}
