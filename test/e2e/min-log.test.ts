import { describe, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PATIENT } from '../../src/demo/demo-data.ts';
import { demoPatientLogsIn, expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser } from './browser.ts';

describe.runIf(hasChromium)('Min log in Chromium', () => {
  const env = useServerAndBrowser();

  it('shows the patient that the secretary read their e-konsultation and changed a right, by name', async () => {
    const patient = await newPage(env.browser);
    await demoPatientLogsIn(patient, env.url, { email: DEMO_PATIENT.email, password: DEMO_PASSWORD });
    // The patient writes through the API of their own session (the function pages are tested elsewhere).
    const clinicId = await patient.evaluate(async () => {
      const me = (await (await fetch('/api/patient/me')).json()) as { clinics: { id: string }[] };
      return me.clinics[0]!.id;
    });
    const csrf = await patient.evaluate(async () => ((await (await fetch('/api/patient/session')).json()) as { csrfToken: string }).csrfToken);
    await patient.evaluate(
      async ([id, token]) => {
        await fetch(`/api/patient/clinics/${id}/econsultations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token! },
          body: JSON.stringify({ subject: 'Knæet igen', body: 'Det gør stadig ondt.' }),
        });
      },
      [clinicId, csrf],
    );

    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: 'E-konsultationer' }).click();
    await staff.getByRole('button', { name: 'Knæet igen' }).click();
    await staff.getByRole('region', { name: 'Knæet igen' }).getByText('Det gør stadig ondt.').waitFor();
    await staff.getByRole('link', { name: 'Patienter' }).click();
    await staff.getByRole('link', { name: 'Anna Nielsen' }).click();
    await staff.getByRole('heading', { name: 'Patienthovedet' }).waitFor();
    await staff.keyboard.press('Alt+KeyP');
    const form = staff.getByRole('region', { name: 'Patientportal' });
    await form.getByRole('checkbox', { name: 'E-tidsbestilling' }).uncheck();
    await form.getByRole('button', { name: 'Gem ændringer' }).click();
    await form.getByText('Gemt.').waitFor();

    await patient.goto(`${env.url}/portal/profile`);
    await patient.getByRole('link', { name: /Min log/ }).click();
    await patient.getByRole('heading', { name: 'Min log' }).waitFor();
    const log = patient.getByRole('list', { name: 'Min log' });
    await log.getByText("så din e-konsultation 'Knæet igen'").waitFor();
    await log.getByRole('listitem').filter({ hasText: 'ændrede dine rettigheder: E-tidsbestilling fjernet' }).getByText('Sofie Sekretær').waitFor();
    await log.getByRole('listitem').filter({ hasText: "så din e-konsultation 'Knæet igen'" }).getByText('Sofie Sekretær').waitFor();
    await expectNoAxeViolations(patient);
  }, 120_000);
});
