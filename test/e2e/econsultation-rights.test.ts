import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PATIENT } from '../../src/demo/demo-data.ts';
import { demoPatientLogsIn, expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser } from './browser.ts';

describe.runIf(hasChromium)('an e-konsultation both ways, then the right removed, in Chromium', () => {
  const env = useServerAndBrowser();

  async function patientLogsIn(page: Page) {
    await demoPatientLogsIn(page, env.url, { email: DEMO_PATIENT.email, password: DEMO_PASSWORD });
    await page
      .getByRole('region', { name: 'Lægerne Søndergade' })
      .getByRole('link', { name: /E-konsultation/ })
      .click();
    await page.getByRole('heading', { name: 'Ny e-konsultation', level: 2 }).waitFor();
  }

  it('the patient writes, the secretary answers, the patient reads; without the right the patient reads but cannot answer', async () => {
    const patient = await newPage(env.browser);
    await patientLogsIn(patient);
    await patient.getByLabel('Overskrift').fill('Ondt i knæet');
    await patient.getByLabel('Besked').fill('Mit knæ har gjort ondt i en uge. Hvad skal jeg gøre?');
    await patient.getByRole('button', { name: 'Send' }).click();
    await patient.getByRole('region', { name: 'Ondt i knæet' }).waitFor();
    await expectNoAxeViolations(patient);

    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: 'E-konsultationer' }).click();
    await staff.getByRole('row', { name: /Ondt i knæet.*1 ulæst/ }).waitFor();
    await staff.getByRole('button', { name: 'Ondt i knæet' }).click();
    const thread = staff.getByRole('region', { name: 'Ondt i knæet' });
    await thread.getByLabel('Besvar').fill('Læg is på og kom forbi, hvis det ikke bliver bedre.');
    await thread.getByRole('button', { name: 'Send' }).click();
    await thread.getByText('Læg is på').waitFor();
    await expectNoAxeViolations(staff);

    // The thread's own address (?thread=…) shows it again after a reload.
    await patient.reload();
    const patientThread = patient.getByRole('region', { name: 'Ondt i knæet' });
    await patientThread.getByText('Læg is på og kom forbi').waitFor();
    expect(await patientThread.getByLabel('Besvar').count()).toBe(1);

    await staff.getByRole('link', { name: 'Patienter' }).click();
    await staff.getByRole('link', { name: 'Anna Nielsen' }).click();
    await staff.getByRole('heading', { name: 'Patienthovedet' }).waitFor();
    await staff.keyboard.press('Alt+KeyP');
    const form = staff.getByRole('region', { name: 'Patientportal' });
    await form.getByRole('checkbox', { name: 'E-konsultation' }).uncheck();
    await form.getByRole('button', { name: 'Gem ændringer' }).click();
    await form.getByText('Gemt.').waitFor();

    await patient.reload();
    await patient.getByRole('region', { name: 'Ondt i knæet' }).getByText('Læg is på og kom forbi').waitFor();
    expect(await patient.getByLabel('Besvar').count()).toBe(0);
    expect(await patient.getByLabel('Overskrift').count()).toBe(0);
    await patient.getByText('Klinikken har slået funktionen fra for dig. Du kan stadig se din historik.').waitFor();
    await expectNoAxeViolations(patient);
  }, 120_000);
});
