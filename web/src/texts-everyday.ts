import { useI18n, type Lang } from './i18n.tsx';

type Fn = 'econsultation' | 'booking' | 'renewal';

/**
 * Texts of the patient's function pages, the profile's re-authentication and the staff form's
 * corrections (issue 13). Kept apart from i18n.tsx so parallel work on that file merges cleanly.
 */
const da = {
  tabs: 'Funktioner',
  clinicHome: 'Oversigt',
  fnTitle: { econsultation: 'E-konsultation', booking: 'Tidsbestilling', renewal: 'Receptfornyelse' } as Record<Fn, string>,
  fnLead: {
    econsultation: 'Skriv til klinikken og læs svar.',
    booking: 'Book og aflys tider.',
    renewal: 'Bed om fornyelse af din medicin.',
  } as Record<Fn, string>,
  readOnly: 'Klinikken har slået funktionen fra for dig. Du kan stadig se din historik.',
  notOffered: (names: string) => `Klinikken har ikke åbnet for ${names}.`,
  unreadCount: (n: number) => (n === 1 ? '1 ulæst besked' : `${n} ulæste beskeder`),
  newBadge: 'Ny',
  threads: 'Dine e-konsultationer',
  newThread: 'Ny e-konsultation',
  charsLeft: (n: number, max: number) => `${n} af ${max} tegn tilbage`,
  sent: 'Sendt.',
  backToThreads: 'Alle e-konsultationer',
  image: (name: string) => `Billede: ${name}`,
  yourTimes: 'Dine tider',
  chooseTime: 'Vælg en tid',
  prevWeek: 'Forrige uge',
  nextWeek: 'Næste uge',
  week: (n: number) => `Uge ${n}`,
  freeOnDay: (n: number) => (n === 0 ? 'ingen ledige' : n === 1 ? '1 ledig' : `${n} ledige`),
  noTimesThisDay: 'Ingen ledige tider denne dag.',
  confirmBooking: (when: string, who: string) => `Book tid ${when} hos ${who}?`,
  bookYes: 'Book tid',
  bookNo: 'Fortryd',
  booked: (when: string) => `Tiden ${when} er booket.`,
  addToCalendar: 'Føj til kalender (.ics)',
  cancelled: 'Tiden er aflyst.',
  medicationState: {
    can: 'Kan fornyes',
    requested: 'Fornyelse anmodet',
    approved: 'Fornyelse godkendt',
    rejected: 'Fornyelse afvist',
    notOnline: 'Kan ikke fornyes online',
  },
  renewRequested: 'Anmodningen er sendt til klinikken.',
  // Profile
  confirmWithMitid: 'Bekræft med MitID',
  mitidNeeded: 'Du har ikke valgt en adgangskode, så du bekræfter med MitID. Du kommer tilbage hertil bagefter.',
  mitidConfirmed: 'Du har bekræftet med MitID. Gør handlingen færdig inden 5 minutter.',
  deleteNow: 'Slet mit login nu',
  stepupErrors: {
    stepup_other_person: 'MitID-loginnet var en anden persons. Prøv igen med dit eget MitID.',
    stepup_failed: 'Bekræftelsen med MitID mislykkedes. Prøv igen.',
  } as Record<string, string>,
  // Login page: a MitID login of a person whose request waits
  waitingTitle: 'Din anmodning afventer klinikken',
  waitingAt: (clinic: string, since: string) => `Din anmodning om adgang venter hos ${clinic} siden ${since}.`,
  waitingReason: {
    manual_clinic: 'Klinikken godkender selv alle anmodninger.',
    not_own_doctor: 'Den blev ikke godkendt automatisk, fordi klinikken ikke er registreret som din egen læge.',
    registry_unavailable: 'Den blev ikke godkendt automatisk, fordi vi ikke kunne slå op, hvem der er din egen læge.',
    no_mitid_clinic: 'Klinikken bekræfter selv din identitet.',
  } as Record<string, string>,
  waitingMail: 'Du får en e-mail, når klinikken har behandlet den.',
  // Staff form
  correctEmail: 'Ret e-mail og send nyt link',
  emailCorrected: 'E-mail rettet. Nyt aktiveringslink sendt; det gamle virker ikke længere.',
  portalBadge: { none: 'Ingen portaladgang', pending_activation: 'Afventer aktivering', active: 'Portal aktiv', stopped: 'Portal spærret' } as Record<
    string,
    string
  >,
  historyEmailCorrected: 'E-mail rettet, nyt link sendt',
  rightsAdded: (names: string) => `tilføjet: ${names}`,
  rightsRemoved: (names: string) => `fjernet: ${names}`,
  replyOn: 'ønsker svar elektronisk',
  replyOff: 'ønsker ikke svar elektronisk',
};

type Texts = typeof da;

const en: Texts = {
  tabs: 'Functions',
  clinicHome: 'Overview',
  fnTitle: { econsultation: 'E-consultation', booking: 'Booking', renewal: 'Prescription renewal' },
  fnLead: { econsultation: 'Write to the clinic and read answers.', booking: 'Book and cancel times.', renewal: 'Ask for your medicine to be renewed.' },
  readOnly: 'The clinic has turned this function off for you. You can still see your history.',
  notOffered: (names: string) => `The clinic has not opened ${names} for you.`,
  unreadCount: (n: number) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  newBadge: 'New',
  threads: 'Your e-consultations',
  newThread: 'New e-consultation',
  charsLeft: (n: number, max: number) => `${n} of ${max} characters left`,
  sent: 'Sent.',
  backToThreads: 'All e-consultations',
  image: (name: string) => `Image: ${name}`,
  yourTimes: 'Your times',
  chooseTime: 'Choose a time',
  prevWeek: 'Previous week',
  nextWeek: 'Next week',
  week: (n: number) => `Week ${n}`,
  freeOnDay: (n: number) => (n === 0 ? 'none free' : `${n} free`),
  noTimesThisDay: 'No free times this day.',
  confirmBooking: (when: string, who: string) => `Book ${when} with ${who}?`,
  bookYes: 'Book time',
  bookNo: 'Cancel',
  booked: (when: string) => `Booked: ${when}.`,
  addToCalendar: 'Add to calendar (.ics)',
  cancelled: 'The time is cancelled.',
  medicationState: {
    can: 'Can be renewed',
    requested: 'Renewal requested',
    approved: 'Renewal approved',
    rejected: 'Renewal rejected',
    notOnline: 'Cannot be renewed online',
  },
  renewRequested: 'The request has been sent to the clinic.',
  confirmWithMitid: 'Confirm with MitID',
  mitidNeeded: 'You have not chosen a password, so you confirm with MitID. You come back here afterwards.',
  mitidConfirmed: 'You have confirmed with MitID. Finish within 5 minutes.',
  deleteNow: 'Delete my login now',
  stepupErrors: {
    stepup_other_person: "The MitID login was another person's. Try again with your own MitID.",
    stepup_failed: 'Confirming with MitID failed. Please try again.',
  },
  waitingTitle: 'Your request awaits the clinic',
  waitingAt: (clinic: string, since: string) => `Your request for access has been waiting at ${clinic} since ${since}.`,
  waitingReason: {
    manual_clinic: 'The clinic approves every request itself.',
    not_own_doctor: 'It was not approved automatically because the clinic is not registered as your own doctor.',
    registry_unavailable: 'It was not approved automatically because we could not look up your own doctor.',
    no_mitid_clinic: 'The clinic confirms your identity itself.',
  },
  waitingMail: 'You will get an e-mail when the clinic has handled it.',
  correctEmail: 'Correct e-mail and send a new link',
  emailCorrected: 'E-mail corrected. A new activation link was sent; the old one no longer works.',
  portalBadge: { none: 'No portal access', pending_activation: 'Awaiting activation', active: 'Portal active', stopped: 'Portal blocked' },
  historyEmailCorrected: 'E-mail corrected, new link sent',
  rightsAdded: (names: string) => `added: ${names}`,
  rightsRemoved: (names: string) => `removed: ${names}`,
  replyOn: 'wants electronic answers',
  replyOff: 'does not want electronic answers',
};

const texts: Record<Lang, Texts> = { da, en };

export function useTexts(): Texts {
  return texts[useI18n().lang];
}
