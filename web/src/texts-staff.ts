import { useI18n, type Lang } from './i18n.tsx';

/** Texts of the staff screens' table of Loginbestillinger (issue 13), kept apart from i18n.tsx so parallel work merges cleanly. */
const da = {
  open: 'Behandl',
  openWhose: (name: string) => `anmodningen fra ${name}`,
  rights: 'Rettigheder',
  actions: 'Handling',
  details: (name: string) => `Anmodning fra ${name}`,
  endedByClinic: (date: string) => `Adgang slettet af klinikken ${date}`,
  endedByPatient: (date: string) => `Patienten slettede sit login ${date}`,
  noRights: 'Ingen',
  contact: 'Kontakt',
};
type Texts = typeof da;

const en: Texts = {
  open: 'Handle',
  openWhose: (name: string) => `the request from ${name}`,
  rights: 'Rights',
  actions: 'Action',
  details: (name: string) => `Request from ${name}`,
  endedByClinic: (date: string) => `Access deleted by the clinic ${date}`,
  endedByPatient: (date: string) => `The patient deleted their login ${date}`,
  noRights: 'None',
  contact: 'Contact',
};

const texts: Record<Lang, Texts> = { da, en };

export function useStaffTexts(): Texts {
  return texts[useI18n().lang];
}
