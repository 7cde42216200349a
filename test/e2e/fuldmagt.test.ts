import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import type { TestPerson } from '../../src/features/mitid/test-broker.ts';
import { buildPatient, buildPortalLogin } from '../helpers/factories.ts';
import { GRETE, JENS } from '../helpers/fuldmagt.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

const PHONE = { width: 390, height: 844 };
const CLINIC = 'Lægerne Søndergade';

/** At the MitID test broker's page: types the test person in, as a tester would, and submits. */
async function asTestPerson(page: Page, person: TestPerson): Promise<void> {
  await page.getByRole('heading', { name: 'Vælg en testperson' }).waitFor();
  await page.getByLabel('CPR-nummer').fill(person.cpr);
  await page.getByLabel('Navn').fill(person.name);
  await page.getByLabel('Fødselsdato').fill(person.birthDate);
  await page.getByLabel('Sikringsniveau (LoA)').selectOption(person.loa);
  await page.getByRole('button', { name: 'Log ind som testperson' }).click();
}

async function logsInWithMitid(page: Page, baseUrl: string, person: TestPerson): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.goto(`${baseUrl}/portal/login`);
  await page.getByRole('link', { name: 'Log ind med MitID' }).click();
  await asTestPerson(page, person);
  await page.getByRole('button', { name: 'Log ud' }).waitFor();
}

/** The last day of the fuldmagt: 60 days from today, as the date field takes it. */
const lastDay = () => new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);

describe.runIf(hasChromium)('a fuldmagt between two adults, in Chromium at 390×844', () => {
  const env = useServerAndBrowser({ ownDatabase: true });

  it('is given with MitID, accepted and used for an e-konsultation, seen by the clinic, and refused after it is revoked', async () => {
    // Two adults with a MitID login at the demo clinic, next to the demo's own patients.
    const clinic = await env.db.selectFrom('clinics').select('id').where('name', '=', CLINIC).executeTakeFirstOrThrow();
    for (const [person, email] of [
      [GRETE, 'grete@example.test'],
      [JENS, 'jens@example.test'],
    ] as const) {
      const [given, family] = person.name.split(' ') as [string, string];
      const patient = await buildPatient(env.db, clinic.id, { cpr: person.cpr, given_name: given, family_name: family });
      await buildPortalLogin(env.db, { cpr: person.cpr, email, clinicId: clinic.id, patientId: patient.id });
    }
    const until = lastDay();

    // 1. Grete gives Jens a fuldmagt for e-konsultation at one clinic and confirms it with MitID.
    const giver = await newPage(env.browser);
    await logsInWithMitid(giver, env.url, GRETE);
    await giver.getByRole('link', { name: 'Profil' }).click();
    const section = giver.getByRole('region', { name: 'Fuldmagter' });
    const form = section.getByRole('form', { name: 'Giv en fuldmagt' });
    await form.getByLabel('Modtagerens CPR-nummer').fill(JENS.cpr);
    await form.getByLabel('Modtagerens navn').fill(JENS.name);
    await form.getByRole('checkbox', { name: CLINIC }).check();
    expect(await form.getByRole('checkbox', { name: 'E-konsultation' }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: 'E-tidsbestilling' }).isChecked()).toBe(false);
    await form.getByLabel('Gælder til og med').fill(until);
    await expectNoAxeViolations(giver);
    await form.getByRole('button', { name: 'Videre: bekræft med MitID' }).click();
    await asTestPerson(giver, GRETE);
    await giver.waitForURL(/\/portal\/profile\?stepup=give_fuldmagt/);
    await section.getByRole('button', { name: 'Bekræft fuldmagten' }).click();
    await section.getByText('afventer modtagerens svar').waitFor();
    await waitForMail(env.url, 'jens@example.test', /Grete Jensen/);
    await expectNoAxeViolations(giver);

    // 2. Jens logs in with MitID, accepts, acts for Grete and writes an e-konsultation for her.
    const receiver = await newPage(env.browser);
    await logsInWithMitid(receiver, env.url, JENS);
    await receiver.getByRole('link', { name: 'Profil' }).click();
    const received = receiver.getByRole('region', { name: 'Fuldmagter' });
    await received.getByText('Fra Grete Jensen').waitFor();
    await expectNoAxeViolations(receiver);
    await received.getByRole('button', { name: 'Acceptér' }).click();
    await received.getByRole('button', { name: 'Handl for Grete Jensen' }).click();
    await receiver.getByText('Du handler for Grete Jensen (fuldmagt)').waitFor();
    const home = receiver.getByRole('region', { name: CLINIC });
    await home.locator('[data-function="econsultation"]').waitFor();
    // Booking is not in the fuldmagt: not offered on the clinic card.
    expect(await home.locator('[data-function="booking"]').count()).toBe(0);
    await expectNoAxeViolations(receiver);

    // A booking page reached by its address is refused by the server, in Danish.
    await receiver.goto(`${env.url}/portal/clinics/${clinic.id}/booking`);
    await receiver.getByRole('alert').filter({ hasText: 'Fuldmagten fra Grete Jensen omfatter ikke e-tidsbestilling.' }).waitFor();
    await expectNoAxeViolations(receiver);
    await receiver.getByRole('link', { name: 'E-konsultation' }).click();

    await receiver.getByLabel('Overskrift').fill('Blodtryk for Grete');
    await receiver.getByLabel('Besked').fill('Grete spørger om blodtryksmålingen.');
    await receiver.getByRole('button', { name: 'Send' }).click();
    await receiver.getByText('Grete spørger om blodtryksmålingen.').waitFor();
    await receiver.getByText('Du handler for Grete Jensen (fuldmagt)').waitFor();
    await expectNoAxeViolations(receiver);
    await receiver.screenshot({ path: 'docs/screenshots/fuldmagt.png', fullPage: false });

    // 3. The secretary sees the message marked as written under the fuldmagt, and the fuldmagt on Grete's record.
    const staff = await newPage(env.browser);
    await staff.setViewportSize(PHONE);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: 'E-konsultationer' }).click();
    await staff.getByRole('button', { name: 'Blodtryk for Grete' }).click();
    const thread = staff.getByRole('region', { name: 'Blodtryk for Grete' });
    await thread.getByText('skrevet af Jens Jensen (fuldmagt)').waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByRole('link', { name: 'Patienter' }).click();
    await staff.getByRole('link', { name: 'Grete Jensen' }).click();
    const onRecord = staff.getByRole('region', { name: 'Fuldmagter' });
    await onRecord.getByText(/^Jens Jensen: E-konsultation, til og med/).waitFor();
    await expectNoAxeViolations(staff);

    // 4. Grete revokes; Jens, still on the thread, is refused at his next action, in Danish.
    await giver.reload();
    await section.getByRole('button', { name: 'Tilbagekald' }).click();
    await section.getByText('(tilbagekaldt)').waitFor();
    await receiver.getByLabel('Besvar').fill('Og hvad med kolesterolet?');
    await receiver.getByRole('button', { name: 'Send' }).click();
    const revoked = 'Grete Jensen har tilbagekaldt fuldmagten. Du kan ikke længere handle for Grete Jensen.';
    await receiver.getByText(revoked).waitFor();
    await expectNoAxeViolations(receiver);
    // Reloaded, the page says the fuldmagt ended (not Jens's own clinics, refused as they would be) and offers the way back.
    await receiver.reload();
    await receiver.getByRole('status').filter({ hasText: 'Fuldmagten fra Grete Jensen gælder ikke længere.' }).waitFor();
    await expectNoAxeViolations(receiver);
    await receiver.getByRole('button', { name: 'Tilbage til dig selv' }).click();
    await receiver.getByRole('region', { name: CLINIC }).locator('[data-function="booking"]').waitFor();
    expect(await receiver.getByText('Fuldmagten fra Grete Jensen gælder ikke længere.').count()).toBe(0);
    await expectNoAxeViolations(receiver);
  }, 240_000);
});
