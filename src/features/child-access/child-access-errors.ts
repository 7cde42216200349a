import { AppError } from '../../errors.ts';

/** Why a parent may not act for a child right now: each a stable code and a message the parent can act on. */
export const childAccessErrors = {
  custodyUnavailable: () =>
    new AppError(503, 'custody_unavailable', {
      da: 'Vi kan ikke slå forældremyndighed op lige nu. Prøv igen om lidt.',
      en: 'We cannot look up parental custody right now. Try again in a moment.',
    }),
  custodyEnded: (childName: string) =>
    new AppError(403, 'custody_ended', {
      da: `Du står ikke længere som indehaver af forældremyndigheden over ${childName}, så du kan ikke handle for barnet.`,
      en: `You are no longer listed as holding custody of ${childName}, so you cannot act for the child.`,
    }),
  turned15: (childName: string) =>
    new AppError(403, 'child_turned_15', {
      da: `${childName} er fyldt 15 og bestemmer nu selv. ${childName} kan selv oprette et login.`,
      en: `${childName} has turned 15 and now decides for themselves. ${childName} can register on their own.`,
    }),
  clinicDoesNotAllow: () =>
    new AppError(403, 'parent_access_off', {
      da: 'Klinikken lader ikke forældre handle for børn under 15 i Patientportalen.',
      en: 'The clinic does not let parents act for children under 15 in the patient portal.',
    }),
  mitidRequired: () =>
    new AppError(403, 'mitid_required', {
      da: 'Log ind med MitID for at handle for dit barn.',
      en: 'Log in with MitID to act for your child.',
    }),
  notUnder15: () =>
    new AppError(400, 'child_not_under_15', {
      da: 'Forældreadgang gælder kun børn under 15 år.',
      en: 'Parent access is only for children under 15.',
    }),
};
