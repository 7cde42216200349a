import { AppError } from '../../errors.ts';

const FUNCTION_NAMES = {
  econsultation: { da: 'e-konsultation', en: 'e-consultation' },
  booking: { da: 'e-tidsbestilling', en: 'online booking' },
  renewal: { da: 'e-receptfornyelse', en: 'prescription renewal' },
} as const;

/** Why a fuldmagt cannot be given or used right now: each a stable code and a message the person can act on. */
export const fuldmagtErrors = {
  mitidRequired: () =>
    new AppError(403, 'mitid_required', {
      da: 'Log ind med MitID for at give, modtage eller bruge en fuldmagt.',
      en: 'Log in with MitID to give, receive or use a power of attorney.',
    }),
  confirmWithMitid: () =>
    new AppError(403, 'reauthentication_required', {
      da: 'Bekræft fuldmagten med MitID først.',
      en: 'Confirm the power of attorney with MitID first.',
    }),
  revoked: (giverName: string) =>
    new AppError(403, 'fuldmagt_revoked', {
      da: `${giverName} har tilbagekaldt fuldmagten. Du kan ikke længere handle for ${giverName}.`,
      en: `${giverName} has revoked the power of attorney. You can no longer act for ${giverName}.`,
    }),
  ended: (giverName: string) =>
    new AppError(403, 'fuldmagt_ended', {
      da: `Fuldmagten fra ${giverName} er ophørt.`,
      en: `The power of attorney from ${giverName} has ended.`,
    }),
  expired: (giverName: string, until: string) =>
    new AppError(403, 'fuldmagt_expired', {
      da: `Fuldmagten fra ${giverName} udløb ${until}. ${giverName} kan give en ny.`,
      en: `The power of attorney from ${giverName} expired on ${until}. ${giverName} can give a new one.`,
    }),
  clinicNotCovered: (giverName: string) =>
    new AppError(403, 'fuldmagt_clinic_not_covered', {
      da: `Fuldmagten fra ${giverName} gælder ikke denne klinik.`,
      en: `The power of attorney from ${giverName} does not cover this clinic.`,
    }),
  clinicRefuses: () =>
    new AppError(403, 'fuldmagt_not_accepted', {
      da: 'Klinikken modtager ikke fuldmagter i Patientportal. Kontakt klinikken.',
      en: 'The clinic does not accept powers of attorney in the patient portal. Contact the clinic.',
    }),
  giverLeft: (giverName: string) =>
    new AppError(403, 'fuldmagt_giver_not_patient', {
      da: `${giverName} har ikke længere adgang til klinikken i Patientportal, så fuldmagten gælder ikke der.`,
      en: `${giverName} no longer has access to the clinic in the patient portal, so the power of attorney does not apply there.`,
    }),
  functionNotGranted: (giverName: string, fn: keyof typeof FUNCTION_NAMES | null) =>
    new AppError(403, 'fuldmagt_function_not_granted', {
      da: `Fuldmagten fra ${giverName} omfatter ikke ${fn ? FUNCTION_NAMES[fn].da : 'dette'}.`,
      en: `The power of attorney from ${giverName} does not include ${fn ? FUNCTION_NAMES[fn].en : 'this'}.`,
    }),
  notAdult: () =>
    new AppError(
      400,
      'fuldmagt_receiver_not_adult',
      { da: 'En fuldmagt kan kun gives til en voksen (18 år eller ældre).', en: 'A power of attorney can only be given to an adult (18 or older).' },
      'receiverCpr',
    ),
  toYourself: () =>
    new AppError(
      400,
      'fuldmagt_to_yourself',
      { da: 'Du kan ikke give dig selv fuldmagt.', en: 'You cannot give yourself a power of attorney.' },
      'receiverCpr',
    ),
  badUntil: () =>
    new AppError(
      400,
      'validation_failed',
      { da: 'Slutdatoen skal ligge fra i morgen og højst 2 år frem.', en: 'The end date must be from tomorrow and at most 2 years ahead.' },
      'until',
    ),
  notYourClinic: () =>
    new AppError(
      400,
      'validation_failed',
      { da: 'Vælg kun klinikker, hvor du selv er patient.', en: 'Choose only clinics where you are a patient.' },
      'clinicIds',
    ),
  wrongState: () =>
    new AppError(409, 'fuldmagt_state_changed', {
      da: 'Fuldmagten er allerede ændret. Genindlæs siden.',
      en: 'The power of attorney has already changed. Reload the page.',
    }),
};
