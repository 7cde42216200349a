import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PATIENT } from '../../src/demo/demo-data.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { expectNoAxeViolations, launchChromium, waitForMail } from './browser.ts';

describe('an e-konsultation both ways, then the right removed, in Chromium', () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-e2e-'));
    server = await startServerProcess({ DATA_DIR: dir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function patientLogsIn(page: Page) {
    await page.goto(`${server.url}/portal/login`);
    await page.getByLabel('CPR-nummer eller e-mail').fill(DEMO_PATIENT.email);
    await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByLabel('Sikkerhedskode').waitFor();
    const mail = await waitForMail(server.url, DEMO_PATIENT.email, /sikkerhedskode er: \d{8}/);
    await page.getByLabel('Sikkerhedskode').fill(/(\d{8})/.exec(mail)![1]!);
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await page.getByRole('link', { name: /Åbn/ }).click();
    await page.getByRole('heading', { name: 'E-konsultation', level: 2 }).waitFor();
  }

  it('the patient writes, the secretary answers, the patient reads; without the right the patient reads but cannot answer', async () => {
    const patient = await (await browser.newContext()).newPage();
    patient.setDefaultTimeout(15_000);
    await patientLogsIn(patient);
    await patient.getByLabel('Overskrift').fill('Ondt i knæet');
    await patient.getByLabel('Besked').fill('Mit knæ har gjort ondt i en uge. Hvad skal jeg gøre?');
    await patient.getByRole('button', { name: 'Send' }).click();
    await patient.getByRole('region', { name: 'Ondt i knæet' }).waitFor();
    await expectNoAxeViolations(patient);

    const staff = await (await browser.newContext()).newPage();
    staff.setDefaultTimeout(15_000);
    await staff.goto(server.url);
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

    await patient.reload();
    await patient.getByRole('button', { name: 'Ondt i knæet' }).click();
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
    await patient.getByRole('button', { name: 'Ondt i knæet' }).click();
    await patient.getByRole('region', { name: 'Ondt i knæet' }).getByText('Læg is på og kom forbi').waitFor();
    expect(await patient.getByLabel('Besvar').count()).toBe(0);
    expect(await patient.getByLabel('Overskrift').count()).toBe(0);
    expect(await patient.getByRole('region', { name: 'E-konsultation' }).textContent()).toContain('Ikke tilgængelig');
    await expectNoAxeViolations(patient);
  }, 120_000);
});
