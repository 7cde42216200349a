import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

describe.runIf(hasChromium)('a secretary creates a portal login and the patient activates it, in Chromium', () => {
  const env = useServerAndBrowser();

  it('Alt+P on the record, Opret, mailed link, password, mailed code, granted functions', async () => {
    const email = 'jens.patient@example.test';
    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: 'Jens Sørensen' }).click();
    await staff.getByRole('heading', { name: 'Patienthovedet' }).waitFor();

    await staff.keyboard.press('Alt+KeyP');
    const form = staff.getByRole('region', { name: 'Patientportal' });
    await form.getByRole('checkbox', { name: 'E-tidsbestilling' }).waitFor();
    await expectNoAxeViolations(staff);
    await form.getByLabel('E-mail').fill(email);
    await form.getByRole('checkbox', { name: 'E-receptfornyelse' }).uncheck();
    await staff.keyboard.press('Alt+KeyP');
    await form.getByText('Afventer aktivering').waitFor();
    expect(await form.getByText('Oprettet af Sofie Sekretær').count()).toBe(1);
    await expectNoAxeViolations(staff);

    const activationMail = await waitForMail(env.url, email, /portal\/activate#token=/);
    const link = /(http\S+portal\/activate#token=\S+)/.exec(activationMail)![1]!;
    const patient = await newPage(env.browser);
    await patient.goto(link);
    await patient.getByText('Lægerne Søndergade').waitFor();
    await expectNoAxeViolations(patient);
    await patient.getByLabel('Adgangskode').fill('en lang og hemmelig sætning');
    await patient.getByRole('button', { name: 'Aktivér' }).click();
    await patient
      .getByText('Dit login er aktiveret')
      .waitFor()
      .catch(async (e: unknown) => {
        throw new Error(`${String(e)}\n${await patient.locator('main').innerText()}`);
      });
    await patient.getByRole('link', { name: 'Gå til log ind' }).click();

    await patient.getByLabel('CPR-nummer eller e-mail').fill('120675-1133');
    await patient.getByLabel('Adgangskode').fill('en lang og hemmelig sætning');
    await patient.getByRole('button', { name: 'Log ind' }).click();
    await patient.getByLabel('Sikkerhedskode').waitFor();
    await expectNoAxeViolations(patient);
    const codeMail = await waitForMail(env.url, email, /sikkerhedskode er: \d{8}/);
    await patient.getByLabel('Sikkerhedskode').fill(/(\d{8})/.exec(codeMail)![1]!);
    await patient.getByRole('button', { name: 'Bekræft' }).click();

    const clinic = patient.getByRole('region', { name: 'Lægerne Søndergade' });
    await clinic.waitFor();
    expect(await clinic.locator('[data-function="econsultation"]').getAttribute('data-open')).toBe('true');
    expect(await clinic.locator('[data-function="booking"]').getAttribute('data-open')).toBe('true');
    expect(await clinic.locator('[data-function="renewal"]').count()).toBe(0);
    await clinic.getByText('Klinikken har ikke åbnet for receptfornyelse.').waitFor();
    await expectNoAxeViolations(patient);

    await staff.reload();
    await staff.getByRole('heading', { name: 'Patienthovedet' }).waitFor();
    await staff.keyboard.press('Alt+KeyP');
    await staff.getByText('Aktiv bruger af Patientportalen').waitFor();
  }, 120_000);
});
