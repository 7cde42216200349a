import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

describe.runIf(hasChromium)('a registration at the manual demo clinic is approved from Loginbestillinger, in Chromium', () => {
  const env = useServerAndBrowser();

  it('queues; in the table, by keyboard alone, the secretary expands the row, unticks E-tidsbestilling and approves; the patient sees exactly the ticked functions', async () => {
    const patient = await newPage(env.browser);
    await patient.goto(`${env.url}/portal/register/laegerne-soendergade`);
    await patient.getByRole('link', { name: 'Log ind med MitID' }).click();
    await patient.getByRole('button', { name: /Anders Andetsted/ }).click();
    await patient.getByLabel('E-mail').fill('anders@example.test');
    await patient.getByRole('button', { name: 'Send kode' }).click();
    const mail = await waitForMail(env.url, 'anders@example.test', /er: \d{6}/);
    await patient.getByLabel('Kode fra e-mailen').fill(/er: (\d{6})/.exec(mail)![1]!);
    await patient.getByRole('button', { name: 'Tilmeld' }).click();
    await patient.getByText('Din anmodning afventer klinikken').waitFor();

    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: /Loginbestillinger/ }).click();
    // One dense row a request; everything from here is done by keyboard alone.
    const row = staff.getByRole('row', { name: /Anders Andetsted/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('221299-xxxx');
    expect(await row.textContent()).toContain('Bekræftet med MitID');
    await expectNoAxeViolations(staff);
    const expand = row.getByRole('button', { name: 'Behandl anmodningen fra Anders Andetsted' });
    await expand.focus();
    await staff.keyboard.press('Enter');
    expect(await expand.getAttribute('aria-expanded')).toBe('true');
    const act = staff.getByRole('region', { name: 'Anmodning fra Anders Andetsted' });
    await act.waitFor();
    await expectNoAxeViolations(staff);
    const focused = () => staff.evaluate(() => document.activeElement?.getAttribute('id') ?? document.activeElement?.textContent ?? '');
    await staff.keyboard.press('Tab'); // E-konsultation
    await staff.keyboard.press('Tab'); // E-tidsbestilling
    expect(await focused()).toMatch(/-booking$/);
    await staff.keyboard.press('Space');
    expect(await act.getByRole('checkbox', { name: 'E-tidsbestilling' }).isChecked()).toBe(false);
    await staff.keyboard.press('Tab'); // E-receptfornyelse
    await staff.keyboard.press('Tab'); // Opret
    expect(await focused()).toBe('Opret');
    await staff.keyboard.press('Enter');
    await staff.getByText('Oprettet. Patienten har fået besked.').waitFor();
    await staff.getByRole('button', { name: 'Behandlede' }).click();
    await staff.getByRole('cell', { name: /Oprettet \(E-konsultation, E-receptfornyelse\)/ }).waitFor();
    await expectNoAxeViolations(staff);

    await patient.goto(`${env.url}/portal/login`);
    await patient.getByRole('link', { name: 'Log ind med MitID' }).click();
    await patient.getByRole('button', { name: /Anders Andetsted/ }).click();
    const clinic = patient.getByRole('region', { name: 'Lægerne Søndergade' });
    await clinic.waitFor();
    expect(await clinic.locator('[data-function="econsultation"]').getAttribute('data-open')).toBe('true');
    // Never granted and no history: not shown, only named in one quiet line.
    expect(await clinic.locator('[data-function="booking"]').count()).toBe(0);
    await clinic.getByText('Klinikken har ikke åbnet for tidsbestilling.').waitFor();
    expect(await clinic.locator('[data-function="renewal"]').getAttribute('data-open')).toBe('true');
    await patient.getByText('Godkendt').waitFor();
    await expectNoAxeViolations(patient);
  }, 120_000);
});
