import { useI18n, type Lang } from './i18n.tsx';

/** Texts of "Hent mine data" in the profile. Kept apart so parallel work on other texts merges cleanly. */
const da = {
  title: 'Hent mine data',
  intro:
    'Få alt, hvad Patientportal har om dig, som en ZIP-fil: dit login, dine klinikker og rettigheder, loginbestillinger, e-konsultationer med vedhæftede filer, tider, medicinliste, receptfornyelser og Min log. Den indeholder en side, du kan læse i din browser, og de samme data som JSON-filer.',
  mailNotice: 'Vi samler dine data i baggrunden og sender dig en e-mail, når de er klar. De kan hentes i 24 timer.',
  ask: 'Hent mine data',
  askAgain: 'Bed om nye data',
  pending: 'Forbereder dine data …',
  ready: (until: string) => `Klar til download indtil ${until}.`,
  expired: 'Udløbet. Bed om dine data igen, hvis du stadig vil hente dem.',
  failed: 'Det lykkedes ikke at samle dine data. Prøv igen.',
  download: (size: string) => `Download (ZIP, ${size})`,
};

type Texts = typeof da;

const en: Texts = {
  title: 'Download my data',
  intro:
    'Get everything Patientportal holds about you as a ZIP file: your login, your clinics and rights, login requests, e-consultations with attachments, appointments, medication list, renewal requests and My log. It contains a page you can read in your browser and the same data as JSON files.',
  mailNotice: 'We gather your data in the background and e-mail you when it is ready. It can be downloaded for 24 hours.',
  ask: 'Download my data',
  askAgain: 'Ask for new data',
  pending: 'Preparing your data …',
  ready: (until: string) => `Ready to download until ${until}.`,
  expired: 'Expired. Ask for your data again if you still want it.',
  failed: 'Your data could not be gathered. Please try again.',
  download: (size: string) => `Download (ZIP, ${size})`,
};

const texts: Record<Lang, Texts> = { da, en };

export function useExportTexts(): Texts {
  return texts[useI18n().lang];
}
