import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

export type Lang = 'da' | 'en';

const da = {
  appName: 'Patientportal',
  skipToContent: 'Gå til indhold',
  language: 'Sprog',
  otherLanguage: 'English',
  loginTitle: 'Log ind for klinikpersonale',
  email: 'E-mail',
  password: 'Adgangskode',
  login: 'Log ind',
  loggingIn: 'Logger ind …',
  logout: 'Log ud',
  clinic: 'Klinik',
  mainMenu: 'Hovedmenu',
  patients: 'Patienter',
  clinics: 'Klinikker',
  searchPatients: 'Søg på navn eller CPR-nummer',
  search: 'Søg',
  name: 'Navn',
  cpr: 'CPR-nummer',
  birthDate: 'Fødselsdato',
  noPatients: 'Ingen patienter fundet.',
  patientsFound: (n: number) => (n === 1 ? '1 patient fundet.' : `${n} patienter fundet.`),
  loading: 'Henter …',
  patientHeader: 'Patienthovedet',
  address: 'Adresse',
  phone: 'Telefon',
  backToPatients: 'Tilbage til patientlisten',
  notRecorded: 'Ikke oplyst',
  sex: 'Køn',
  male: 'Mand',
  female: 'Kvinde',
  specialty: 'Speciale',
  almen_praksis: 'Almen praksis',
  speciallaege: 'Speciallæge',
  ydernummer: 'Ydernummer',
  usesMitid: 'Anvender MitID',
  yes: 'Ja',
  no: 'Nej',
  patientCount: 'Patienter',
  staffCount: 'Medarbejdere',
  failedMails: 'Post der ikke kunne leveres',
  noFailedMails: 'Ingen fejlet post.',
  recipient: 'Modtager',
  error: 'Fejl',
  retry: 'Send igen',
  attempts: 'Forsøg',
  setPasswordTitle: 'Vælg adgangskode',
  newPassword: 'Ny adgangskode (mindst 12 tegn)',
  repeatPassword: 'Gentag adgangskode',
  passwordsDiffer: 'De to adgangskoder er ikke ens.',
  save: 'Gem',
  passwordSaved: 'Din adgangskode er gemt. Du kan nu logge ind.',
  goToLogin: 'Gå til log ind',
  missingToken: 'Linket er ufuldstændigt. Åbn linket fra mailen igen.',
  notFound: 'Siden findes ikke.',
  supportArea: 'Support',
  noClinic: 'Du er ikke tilknyttet en klinik.',
};

type Dict = typeof da;

const en: Dict = {
  appName: 'Patientportal',
  skipToContent: 'Skip to content',
  language: 'Language',
  otherLanguage: 'Dansk',
  loginTitle: 'Log in for clinic staff',
  email: 'E-mail',
  password: 'Password',
  login: 'Log in',
  loggingIn: 'Logging in …',
  logout: 'Log out',
  clinic: 'Clinic',
  mainMenu: 'Main menu',
  patients: 'Patients',
  clinics: 'Clinics',
  searchPatients: 'Search by name or CPR number',
  search: 'Search',
  name: 'Name',
  cpr: 'CPR number',
  birthDate: 'Date of birth',
  noPatients: 'No patients found.',
  patientsFound: (n: number) => (n === 1 ? '1 patient found.' : `${n} patients found.`),
  loading: 'Loading …',
  patientHeader: 'Patient header',
  address: 'Address',
  phone: 'Phone',
  backToPatients: 'Back to the patient list',
  notRecorded: 'Not recorded',
  sex: 'Sex',
  male: 'Male',
  female: 'Female',
  specialty: 'Specialty',
  almen_praksis: 'General practice',
  speciallaege: 'Specialist',
  ydernummer: 'Provider number',
  usesMitid: 'Uses MitID',
  yes: 'Yes',
  no: 'No',
  patientCount: 'Patients',
  staffCount: 'Staff',
  failedMails: 'Mail that could not be delivered',
  noFailedMails: 'No failed mail.',
  recipient: 'Recipient',
  error: 'Error',
  retry: 'Send again',
  attempts: 'Attempts',
  setPasswordTitle: 'Choose a password',
  newPassword: 'New password (at least 12 characters)',
  repeatPassword: 'Repeat password',
  passwordsDiffer: 'The two passwords differ.',
  save: 'Save',
  passwordSaved: 'Your password is saved. You can log in now.',
  goToLogin: 'Go to log in',
  missingToken: 'The link is incomplete. Open the link from the mail again.',
  notFound: 'The page does not exist.',
  supportArea: 'Support',
  noClinic: 'You are not attached to a clinic.',
};

const dictionaries: Record<Lang, Dict> = { da, en };

interface I18n {
  lang: Lang;
  t: Dict;
  setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'da'));
  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('lang', lang);
  }, [lang]);
  return <I18nContext.Provider value={{ lang, t: dictionaries[lang], setLang }}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
