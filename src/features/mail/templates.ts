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
} satisfies Record<string, (params: never) => RenderedMail>;

export type TemplateName = keyof typeof templates;
