import { useI18n, type Lang } from './i18n.tsx';

/** Texts of acting for a child (issue 15), kept apart so parallel work on i18n.tsx merges cleanly. */
const da = {
  yourChildren: 'Dine børn under 15',
  actFor: (name: string) => `Handl for ${name}`,
  childLine: (name: string, age: number) => `${name} (${age} år)`,
  actingFor: (name: string, age: number) => `Du handler for ${name} (${age} år)`,
  backToSelf: 'Tilbage til dig selv',
  clinicsOf: (name: string) => `Klinikker for ${name}`,
  askTitle: 'Anmod om forældreadgang',
  askLead: 'Har du forældremyndighed over et barn under 15, kan du bede en af dine klinikker om adgang til at handle for barnet. Klinikken svarer på e-mail.',
  askClinic: 'Klinik',
  childCpr: 'Barnets CPR-nummer',
  childName: 'Barnets fulde navn',
  askSend: 'Send anmodning',
  askSent: (name: string) => `Anmodningen om adgang for ${name} er sendt til klinikken.`,
  askAlreadyOpen: (name: string) => `Klinikken har allerede en anmodning om adgang for ${name}.`,
  requestedByParent: (parent: string) => `anmodet af forælder: ${parent}`,
  parentRequestReason: 'Forældreadgang for barn under 15',
  parentAccessFor: (name: string) => `forældreadgang for ${name}`,
  turned15: (name: string) => `${name} er fyldt 15 og bestemmer nu selv.`,
  custodyUnavailable: 'Vi kan ikke slå forældremyndighed op lige nu. Prøv igen om lidt.',
  mitidNeeded: 'Log ind med MitID for at handle for dine børn under 15.',
  wroteFor: (actor: string) => `skrevet af ${actor}`,
  bookedFor: (patient: string, actor: string) => `for ${patient}, booket af ${actor}`,
  parentsMayAct: 'Forældre kan handle for børn under 15',
  parentAccess: 'Forældreadgang',
  parentAccessLead: 'Forældre med forældremyndighed kan bruge de valgte funktioner for barnet. Barnet får ikke selv et login.',
  parentAccessOn: (holders: number) => `Forældreadgang er givet. Forældremyndighed: ${holders} indehaver(e) fundet.`,
  grantParentAccess: 'Giv forældreadgang',
  saveParentAccess: 'Gem forældreadgang',
  endParentAccess: 'Fjern forældreadgang',
};
type Texts = typeof da;

const en: Texts = {
  yourChildren: 'Your children under 15',
  actFor: (name) => `Act for ${name}`,
  childLine: (name, age) => `${name} (${age} years)`,
  actingFor: (name, age) => `You are acting for ${name} (${age} years)`,
  backToSelf: 'Back to yourself',
  clinicsOf: (name) => `Clinics for ${name}`,
  askTitle: 'Ask for parent access',
  askLead: 'If you hold custody of a child under 15, you can ask one of your clinics for access to act for the child. The clinic answers by e-mail.',
  askClinic: 'Clinic',
  childCpr: 'The child’s CPR number',
  childName: 'The child’s full name',
  askSend: 'Send request',
  askSent: (name) => `The request for access for ${name} has been sent to the clinic.`,
  askAlreadyOpen: (name) => `The clinic already has a request for access for ${name}.`,
  requestedByParent: (parent) => `requested by parent: ${parent}`,
  parentRequestReason: 'Parent access for a child under 15',
  parentAccessFor: (name) => `parent access for ${name}`,
  turned15: (name) => `${name} has turned 15 and now decides for themselves.`,
  custodyUnavailable: 'We cannot look up parental custody right now. Try again in a moment.',
  mitidNeeded: 'Log in with MitID to act for your children under 15.',
  wroteFor: (actor) => `written by ${actor}`,
  bookedFor: (patient, actor) => `for ${patient}, booked by ${actor}`,
  parentsMayAct: 'Parents may act for children under 15',
  parentAccess: 'Parent access',
  parentAccessLead: 'Parents with custody can use the chosen functions for the child. The child gets no login of its own.',
  parentAccessOn: (holders) => `Parent access is given. Custody: ${holders} holder(s) found.`,
  grantParentAccess: 'Give parent access',
  saveParentAccess: 'Save parent access',
  endParentAccess: 'Remove parent access',
};

const texts: Record<Lang, Texts> = { da, en };

export function useActingTexts(): Texts {
  return texts[useI18n().lang];
}
