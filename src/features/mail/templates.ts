/**
 * Every mail is in Danish with an English translation below it, because the recipient's language
 * is not known. No template takes a CPR number or health data: mails only say that something
 * happened and link back to the portal.
 */
export interface RenderedMail {
  subject: string;
  text: string;
}

interface Bilingual {
  subject: { da: string; en: string };
  da: string;
  en: string;
}

function render(m: Bilingual): RenderedMail {
  return {
    subject: `${m.subject.da} / ${m.subject.en}`,
    text: `${m.da}\n\n----- English -----\n\n${m.en}\n`,
  };
}

export const templates = {
  staffSetPassword: (p: { name: string; link: string; validDays: number }) =>
    render({
      subject: { da: 'Vælg din adgangskode til Patientportal', en: 'Choose your Patientportal password' },
      da:
        `Hej ${p.name}\n\nDer er oprettet en medarbejderbruger til dig i Patientportal.\n` +
        `Vælg din adgangskode her (linket virker i ${p.validDays} dage og kun én gang):\n\n${p.link}\n\n` +
        `Hvis du ikke ventede denne mail, kan du se bort fra den.`,
      en:
        `Hello ${p.name}\n\nA staff account has been created for you in Patientportal.\n` +
        `Choose your password here (the link works for ${p.validDays} days and only once):\n\n${p.link}\n\n` +
        `If you did not expect this mail, you can ignore it.`,
    }),
  patientActivation: (p: { clinicName: string; link: string; validDays: number }) =>
    render({
      subject: { da: `Aktivér din adgang til ${p.clinicName} i Patientportal`, en: `Activate your access to ${p.clinicName} in Patientportal` },
      da:
        `Hej\n\n${p.clinicName} har givet dig adgang til Patientportal.\n` +
        `Vælg din adgangskode her for at aktivere adgangen (linket virker i ${p.validDays} dage og kun én gang):\n\n${p.link}\n\n` +
        `Har du ikke bedt om adgang, så kontakt klinikken.`,
      en:
        `Hello\n\n${p.clinicName} has given you access to Patientportal.\n` +
        `Choose your password here to activate it (the link works for ${p.validDays} days and only once):\n\n${p.link}\n\n` +
        `If you did not ask for access, please contact the clinic.`,
    }),
  patientClinicAdded: (p: { clinicName: string; link: string }) =>
    render({
      subject: { da: `${p.clinicName} er tilføjet i Patientportal`, en: `${p.clinicName} was added in Patientportal` },
      da: `Hej\n\n${p.clinicName} har givet dig adgang i Patientportal. Du logger ind som du plejer:\n\n${p.link}`,
      en: `Hello\n\n${p.clinicName} has given you access in Patientportal. Log in as usual:\n\n${p.link}`,
    }),
  patientLoginCode: (p: { code: string; validMinutes: number }) =>
    render({
      subject: { da: 'Din sikkerhedskode til Patientportal', en: 'Your Patientportal security code' },
      da: `Din sikkerhedskode er: ${p.code}\n\nKoden virker i ${p.validMinutes} minutter. Har du ikke prøvet at logge ind, så skift din adgangskode.`,
      en: `Your security code is: ${p.code}\n\nThe code works for ${p.validMinutes} minutes. If you did not try to log in, change your password.`,
    }),
  patientPasswordReset: (p: { link: string; validMinutes: number }) =>
    render({
      subject: { da: 'Vælg en ny adgangskode til Patientportal', en: 'Choose a new Patientportal password' },
      da: `Hej\n\nVælg en ny adgangskode her (linket virker i ${p.validMinutes} minutter og kun én gang):\n\n${p.link}\n\nHar du ikke bedt om det, kan du se bort fra mailen.`,
      en: `Hello\n\nChoose a new password here (the link works for ${p.validMinutes} minutes and only once):\n\n${p.link}\n\nIf you did not ask for this, you can ignore this mail.`,
    }),
  patientPasswordChanged: (p: { link: string }) =>
    render({
      subject: { da: 'Din adgangskode til Patientportal er skiftet', en: 'Your Patientportal password was changed' },
      da: `Hej\n\nDin adgangskode er netop skiftet, og du er logget ud alle steder. Var det ikke dig, så kontakt din klinik straks.\n\n${p.link}`,
      en: `Hello\n\nYour password was just changed and you were logged out everywhere. If this was not you, contact your clinic at once.\n\n${p.link}`,
    }),
  patientEmailVerify: (p: { link: string; validMinutes: number }) =>
    render({
      subject: { da: 'Bekræft din nye e-mailadresse', en: 'Confirm your new e-mail address' },
      da: `Hej\n\nBekræft at Patientportal skal bruge denne adresse (linket virker i ${p.validMinutes} minutter):\n\n${p.link}`,
      en: `Hello\n\nConfirm that Patientportal should use this address (the link works for ${p.validMinutes} minutes):\n\n${p.link}`,
    }),
  patientLoginDeleted: (p: { link: string }) =>
    render({
      subject: { da: 'Dit login til Patientportal er slettet', en: 'Your Patientportal login was deleted' },
      da:
        'Hej\n\nDit login til Patientportal er slettet efter dit ønske. Dine klinikkers journaler er ikke berørt. Du kan altid bede en klinik om adgang igen.\n\n' +
        p.link,
      en:
        'Hello\n\nYour Patientportal login was deleted as you asked. Your clinics keep their records. You can ask a clinic for access again at any time.\n\n' +
        p.link,
    }),
  registrationEmailCode: (p: { code: string; clinicName: string }) =>
    render({
      subject: { da: 'Bekræft din e-mailadresse', en: 'Confirm your e-mail address' },
      da: `Din kode til tilmelding hos ${p.clinicName} er: ${p.code}\n\nSkriv koden på tilmeldingssiden.`,
      en: `Your code for registering with ${p.clinicName} is: ${p.code}\n\nEnter the code on the registration page.`,
    }),
  loginRequestApproved: (p: { clinicName: string; link: string }) =>
    render({
      subject: { da: `Du har fået adgang hos ${p.clinicName}`, en: `You have been given access at ${p.clinicName}` },
      da: `Hej\n\n${p.clinicName} har godkendt din anmodning om adgang til Patientportal. Log ind her:\n\n${p.link}`,
      en: `Hello\n\n${p.clinicName} has approved your request for Patientportal access. Log in here:\n\n${p.link}`,
    }),
  loginRequestRejected: (p: { clinicName: string; reason: string | null }) =>
    render({
      subject: { da: `Svar på din anmodning hos ${p.clinicName}`, en: `Answer to your request at ${p.clinicName}` },
      da:
        `Hej\n\n${p.clinicName} har afvist din anmodning om adgang til Patientportal.` +
        (p.reason ? `\n\nBegrundelse: ${p.reason}` : '') +
        '\n\nKontakt klinikken, hvis du har spørgsmål.',
      en:
        `Hello\n\n${p.clinicName} has declined your request for Patientportal access.` +
        (p.reason ? `\n\nReason: ${p.reason}` : '') +
        '\n\nContact the clinic if you have questions.',
    }),
  econsultationAnswered: (p: { clinicName: string; link: string }) =>
    render({
      subject: { da: `Nyt svar fra ${p.clinicName}`, en: `New answer from ${p.clinicName}` },
      da: `Hej\n\nDu har fået et svar på din e-konsultation fra ${p.clinicName}. Log ind for at læse det:\n\n${p.link}`,
      en: `Hello\n\nYou have an answer to your e-consultation from ${p.clinicName}. Log in to read it:\n\n${p.link}`,
    }),
  webhookDisabled: (p: { integrationName: string; url: string; link: string }) =>
    render({
      subject: { da: `Webhook for ${p.integrationName} er slået fra`, en: `Webhook of ${p.integrationName} was disabled` },
      da:
        `Hej\n\nPatientportal har ikke kunnet levere hændelser til ${p.url} (systemadgangen "${p.integrationName}") i et døgn, ` +
        `så webhooken er slået fra. Klinikkens system får ikke længere besked om nye hændelser, før leverandøren registrerer den igen.\n\n` +
        `Se leveringsloggen under E-moduler -> Systemadgang:\n\n${p.link}`,
      en:
        `Hello\n\nPatientportal could not deliver events to ${p.url} (the integration "${p.integrationName}") for a day, ` +
        `so the webhook was disabled. The clinic system hears of no new events until the vendor registers it again.\n\n` +
        `See the delivery log under E-moduler -> Systemadgang:\n\n${p.link}`,
    }),
  patientLoginStopped: (p: { failures: number; link: string }) =>
    render({
      subject: { da: 'Dit login til Patientportal er stoppet', en: 'Your Patientportal login was stopped' },
      da:
        `Hej\n\nNogen har prøvet en forkert adgangskode til dit login ${String(p.failures)} gange i træk fra en browser, du ikke har logget ind fra før. ` +
        'Derfor er login med adgangskode stoppet fra nye browsere. Fra en browser, hvor du har logget ind før, kan du stadig logge ind.\n\n' +
        `Vælg en ny adgangskode for at logge ind andre steder igen:\n\n${p.link}\n\nVar det ikke dig, der prøvede, så har en anden forsøgt at gætte din adgangskode.`,
      en:
        `Hello\n\nSomeone tried a wrong password for your login ${String(p.failures)} times in a row from a browser you have not logged in from before. ` +
        'Password login from new browsers is therefore stopped. From a browser where you have logged in before, you can still log in.\n\n' +
        `Choose a new password to log in elsewhere again:\n\n${p.link}\n\nIf it was not you, someone else has tried to guess your password.`,
    }),
  patientDataExportReady: (p: { link: string; validHours: number }) =>
    render({
      subject: { da: 'Dine data er klar', en: 'Your data is ready' },
      da:
        `Hej\n\nDe data, du bad om at hente fra Patientportal, er klar. Log ind og hent dem under Profil inden for ${String(p.validHours)} timer. ` +
        `Af hensyn til dit privatliv står de ikke i denne mail.\n\n${p.link}\n\nHar du ikke bedt om dine data, så skift din adgangskode.`,
      en:
        `Hello\n\nThe data you asked to download from Patientportal is ready. Log in and download it under Profile within ${String(p.validHours)} hours. ` +
        `To protect your privacy it is not in this mail.\n\n${p.link}\n\nIf you did not ask for your data, change your password.`,
    }),
  patientEmailChanged: (p: { link: string }) =>
    render({
      subject: { da: 'Din e-mailadresse i Patientportal er skiftet', en: 'Your e-mail address in Patientportal was changed' },
      da: `Hej\n\nDit login til Patientportal bruger fra nu af en anden e-mailadresse, og sikkerhedskoder sendes dertil. Var det ikke dig, så kontakt din klinik straks.\n\n${p.link}`,
      en: `Hello\n\nYour Patientportal login now uses another e-mail address, and security codes go there. If this was not you, contact your clinic at once.\n\n${p.link}`,
    }),
  // Fuldmagt mails name the two persons and the last day, never clinics or functions (no health content).
  fuldmagtGiven: (p: { receiverName: string; until: string; link: string }) =>
    render({
      subject: { da: 'Du har givet en fuldmagt i Patientportal', en: 'You have given a power of attorney in Patientportal' },
      da:
        `Hej\n\nDu har givet ${p.receiverName} fuldmagt i Patientportal til og med ${p.until}. Den gælder, når ${p.receiverName} har accepteret den.\n` +
        `Du kan se og tilbagekalde den under Profil -> Fuldmagter:\n\n${p.link}\n\nVar det ikke dig, så tilbagekald fuldmagten og kontakt din klinik.`,
      en:
        `Hello\n\nYou have given ${p.receiverName} a power of attorney in Patientportal until ${p.until}. It applies once ${p.receiverName} has accepted it.\n` +
        `You can see and revoke it under Profile -> Powers of attorney:\n\n${p.link}\n\nIf this was not you, revoke it and contact your clinic.`,
    }),
  fuldmagtOffered: (p: { giverName: string; until: string; link: string }) =>
    render({
      subject: { da: 'Du har fået en fuldmagt i Patientportal', en: 'You have been given a power of attorney in Patientportal' },
      da: `Hej\n\n${p.giverName} har givet dig fuldmagt i Patientportal til og med ${p.until}. Log ind med MitID for at acceptere eller afvise den:\n\n${p.link}`,
      en: `Hello\n\n${p.giverName} has given you a power of attorney in Patientportal until ${p.until}. Log in with MitID to accept or decline it:\n\n${p.link}`,
    }),
  fuldmagtAccepted: (p: { giverName: string; receiverName: string; link: string }) =>
    render({
      subject: { da: 'En fuldmagt i Patientportal er accepteret', en: 'A power of attorney in Patientportal was accepted' },
      da: `Hej\n\n${p.receiverName} har accepteret fuldmagten fra ${p.giverName} og kan nu handle for ${p.giverName} i Patientportal.\n\n${p.link}`,
      en: `Hello\n\n${p.receiverName} has accepted the power of attorney from ${p.giverName} and can now act for ${p.giverName} in Patientportal.\n\n${p.link}`,
    }),
  fuldmagtEnded: (p: { giverName: string; receiverName: string; how: 'revoked' | 'declined' | 'given_up'; link: string }) =>
    render({
      subject: { da: 'En fuldmagt i Patientportal er ophørt', en: 'A power of attorney in Patientportal has ended' },
      da: `Hej\n\n${
        { revoked: `${p.giverName} har tilbagekaldt`, declined: `${p.receiverName} har afvist`, given_up: `${p.receiverName} har frasagt sig` }[p.how]
      } fuldmagten fra ${p.giverName} til ${p.receiverName}. ${p.receiverName} kan ikke længere handle for ${p.giverName} i Patientportal.\n\n${p.link}`,
      en: `Hello\n\n${
        { revoked: `${p.giverName} has revoked`, declined: `${p.receiverName} has declined`, given_up: `${p.receiverName} has given up` }[p.how]
      } the power of attorney from ${p.giverName} to ${p.receiverName}. ${p.receiverName} can no longer act for ${p.giverName} in Patientportal.\n\n${p.link}`,
    }),
} satisfies Record<string, (params: never) => RenderedMail>;

export type TemplateName = keyof typeof templates;
