import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PATIENT } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

/** Screenshots of the patient pages at 390×844, for a reviewer (named in the README). */
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

async function phone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
/** No page longer than a few screens at 390×844. */
async function expectFewScreens(page: Page, screens = 4) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height).toBeLessThanOrEqual(844 * screens);
}

async function registerWithMitid(page: Page, url: string, clinicSlug: string, person: RegExp, email: string) {
  await page.goto(`${url}/portal/register/${clinicSlug}`);
  await page.getByRole('link', { name: 'Log ind med MitID' }).click();
  await page.getByRole('button', { name: person }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Telefonnummer').fill('22 33 44 55');
  await page.getByRole('button', { name: 'Send kode' }).click();
  const mail = await waitForMail(url, email, /er: \d{6}/);
  await page.getByLabel('Kode fra e-mailen').fill(/er: (\d{6})/.exec(mail)![1]!);
  await page.getByRole('button', { name: 'Tilmeld' }).click();
}

describe.runIf(hasChromium)('everyday use (issue 13), in Chromium', () => {
  const env = useServerAndBrowser();

  it('a MitID-only patient deletes their login: the profile asks for MitID, not a password, and returns to the action', async () => {
    const page = await newPage(env.browser);
    await registerWithMitid(page, env.url, 'laegehuset-aaparken', /Mads Testesen/, 'mads@example.test');
    await page.getByRole('region', { name: 'Lægehuset Åparken' }).waitFor();
    await page.getByRole('link', { name: 'Profil' }).click();
    // The phone given at registration is in the profile.
    expect(await page.getByLabel('Telefonnummer').inputValue()).toBe('22 33 44 55');
    const remove = page.getByRole('form', { name: 'Slet mit login' });
    expect(await remove.getByLabel('Din adgangskode').count()).toBe(0);
    await remove.getByText('Du har ikke valgt en adgangskode, så du bekræfter med MitID.').waitFor();
    await expectNoAxeViolations(page);

    await remove.getByRole('link', { name: 'Bekræft med MitID' }).click();
    const pick = page.getByRole('button', { name: /Mads Testesen/ });
    // The broker may remember the person; then it returns at once.
    await Promise.race([pick.click(), page.waitForURL(/stepup=delete_login/)]);
    await page.waitForURL(/\/portal\/profile\?stepup=delete_login/);
    await remove.getByText('Du har bekræftet med MitID.').waitFor();
    await remove.getByRole('button', { name: 'Slet mit login nu' }).click();
    await page.getByRole('heading', { name: 'Log ind på Patientportal' }).waitFor();
    await waitForMail(env.url, 'mads@example.test', /slettet/i);
  }, 120_000);

  it('a queued MitID patient who logs in sees the request waiting at the named clinic since a date, and why', async () => {
    const page = await newPage(env.browser);
    await registerWithMitid(page, env.url, 'laegehuset-aaparken', /Lise Prøvesen/, 'lise@example.test');
    await page.getByText('Din anmodning afventer klinikken').first().waitFor();

    const later = await newPage(env.browser);
    await later.goto(`${env.url}/portal/login`);
    await later.getByRole('link', { name: 'Log ind med MitID' }).click();
    await later.getByRole('button', { name: /Lise Prøvesen/ }).click();
    const waiting = later.getByRole('region', { name: 'Din anmodning afventer klinikken' });
    await waiting.waitFor();
    const text = (await waiting.textContent()) ?? '';
    expect(text).toMatch(/venter hos Lægehuset Åparken siden \d{2}\.\d{2}\.\d{4}/);
    expect(text).toContain('ikke er registreret som din egen læge');
    expect(await later.getByText('Du har ikke et login til Patientportal endnu').count()).toBe(0);
    await expectNoAxeViolations(later);
    await shot(later, 'login-waiting');
  }, 120_000);

  it('a secretary corrects the e-mail of a pending login: a new link to the new address, the old one dead, the history says so', async () => {
    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByLabel('Søg på navn eller CPR-nummer').fill('Karen');
    await staff.getByRole('button', { name: 'Søg' }).click();
    await staff.getByRole('table').getByRole('link').first().click();
    await staff.getByRole('heading', { name: /Patienthovedet/ }).waitFor();
    await staff.getByTestId('portal-badge').getByText('Ingen portaladgang').waitFor();
    // Danish dates in the record.
    expect(await staff.locator('.facts').textContent()).toMatch(/\d{2}\.\d{2}\.\d{4}/);

    await staff.keyboard.press('Alt+KeyP');
    const form = staff.getByRole('region', { name: 'Patientportal' });
    await form.getByLabel('E-mail').fill('karen@exmaple.dk');
    await staff.keyboard.press('Alt+KeyP');
    await form.getByText('Afventer aktivering').first().waitFor();
    await staff.getByTestId('portal-badge').getByText('Afventer aktivering').waitFor();
    const first = await waitForMail(env.url, 'karen@exmaple.dk', /activate#token=/);

    await form.getByLabel('E-mail').fill('karen@example.dk');
    await form.getByRole('button', { name: 'Ret e-mail og send nyt link' }).click();
    await form.getByText('E-mail rettet. Nyt aktiveringslink sendt').waitFor();
    await form.getByRole('listitem').filter({ hasText: 'E-mail rettet, nyt link sendt af' }).waitFor();
    const second = await waitForMail(env.url, 'karen@example.dk', /activate#token=/);
    await expectNoAxeViolations(staff);

    const token = (mail: string) => /activate#token=([A-Za-z0-9_-]+)/.exec(mail)![1]!;
    const inspect = (t: string) =>
      fetch(`${env.url}/api/patient/activation/inspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: t }),
      });
    expect((await inspect(token(first))).status).toBe(410);
    expect((await inspect(token(second))).status).toBe(200);
  }, 120_000);

  it('at 390×844 a patient logs in, opens the clinic, books through the day view with a confirmation, and writes an e-konsultation; axe finds nothing', async () => {
    const page = await phone(env.browser);
    await page.goto(`${env.url}/portal/login`);
    await page.getByRole('heading', { name: 'Log ind på Patientportal' }).waitFor();
    await expectNoAxeViolations(page);
    await shot(page, 'patient-login');
    await page.getByLabel('CPR-nummer eller e-mail').fill(DEMO_PATIENT.email);
    await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByLabel('Sikkerhedskode').waitFor();
    const mail = await waitForMail(env.url, DEMO_PATIENT.email, /sikkerhedskode er: \d{8}/);
    await page.getByLabel('Sikkerhedskode').fill(/(\d{8})/.exec(mail)![1]!);
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await page.getByRole('region', { name: 'Lægerne Søndergade' }).waitFor();
    await expectNoAxeViolations(page);
    await shot(page, 'patient-home');

    await page.getByRole('link', { name: 'Lægerne Søndergade' }).click();
    const tabs = page.getByRole('navigation', { name: 'Funktioner' });
    await tabs.waitFor();
    await page.getByText('1 ulæst besked').waitFor();
    await expectNoAxeViolations(page);
    await expectFewScreens(page);
    await shot(page, 'clinic-home');

    await tabs.getByRole('link', { name: 'Tidsbestilling' }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/clinics\/[0-9a-f-]{36}\/booking$/);
    const mine = page.getByRole('region', { name: 'Dine tider' });
    const choose = page.getByRole('region', { name: 'Vælg en tid' });
    await choose.waitFor();
    // "Dine tider" comes first.
    const order = await page.evaluate(() => [...document.querySelectorAll('section h2')].map((h) => h.textContent));
    expect(order.indexOf('Dine tider')).toBeLessThan(order.indexOf('Vælg en tid'));
    // A weekday heading in Danish, and no times on Saturdays or Sundays in a general practice.
    await choose.getByRole('heading', { level: 3, name: /^(Mandag|Tirsdag|Onsdag|Torsdag|Fredag) \d{1,2}\. [a-zæøå]+$/ }).waitFor();
    const strip = choose.getByRole('group', { name: /^Uge \d+$/ });
    expect(await strip.getByRole('button').count()).toBe(7);
    expect(await strip.getByRole('button', { name: /^lør\..*ingen ledige$/ }).count()).toBe(1);
    await expectNoAxeViolations(page);
    await expectFewScreens(page);
    await shot(page, 'booking');

    await choose.getByRole('button', { name: 'Næste uge' }).click();
    await strip.getByRole('button', { name: /^tirs\./ }).click();
    await choose.getByRole('heading', { level: 3, name: /^Tirsdag / }).waitFor();
    await choose.locator('.slot').first().click();
    const question = choose.getByText(/^Book tid tirsdag \d{2}\.\d{2} kl\. \d{2}\.\d{2} hos Læge (Birgit Holm|Jonas Krogh)\?$/);
    await question.waitFor();
    expect(await question.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectNoAxeViolations(page);
    await shot(page, 'booking-confirm');
    await choose.getByRole('button', { name: 'Book tid' }).click();
    await choose.getByText(/^Tiden tirsdag \d{2}\.\d{2} kl\. \d{2}\.\d{2} er booket\./).waitFor();
    await mine.locator('strong', { hasText: /^tirsdag \d{2}\.\d{2} kl\./ }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), choose.getByRole('link', { name: 'Føj til kalender (.ics)' }).click()]);
    const ics = readFileSync(await download.path(), 'utf8');
    expect(ics).toContain('BEGIN:VEVENT');
    expect(ics).toMatch(/SUMMARY:Konsultation – Læge/);
    await shot(page, 'booking-booked');

    await tabs.getByRole('link', { name: 'E-konsultation' }).click();
    const list = page.getByRole('region', { name: 'Dine e-konsultationer' });
    await list.getByRole('link', { name: /Spørgsmål om blodtryk.*1 ulæst besked/ }).waitFor();
    await page.getByLabel('Besked').fill('Hej');
    await page.getByText('397 af 400 tegn tilbage').waitFor();
    await expectNoAxeViolations(page);
    await expectFewScreens(page);
    await shot(page, 'econsultation');
    await list.getByRole('link', { name: /Spørgsmål om blodtryk/ }).click();
    const thread = page.getByRole('region', { name: 'Spørgsmål om blodtryk' });
    await thread.getByText('dit blodtryk ser fint ud').waitFor();
    await expectNoAxeViolations(page);
    await shot(page, 'econsultation-thread');
    // Shown, then marked read with a POST: the list no longer marks it.
    await page.getByRole('link', { name: 'Alle e-konsultationer' }).click();
    await list.getByRole('link', { name: /Spørgsmål om blodtryk/ }).waitFor();
    expect(await list.getByText('1 ulæst besked').count()).toBe(0);

    await tabs.getByRole('link', { name: 'Receptfornyelse' }).click();
    const meds = page.getByRole('region', { name: 'Medicin' });
    await meds.getByText('Kan fornyes').first().waitFor();
    await meds.getByRole('button', { name: /Forny Amlodipin/ }).click();
    // The confirmation appears beside the button that was pressed.
    await meds.getByRole('listitem').filter({ hasText: 'Amlodipin' }).getByText('Anmodningen er sendt til klinikken.').waitFor();
    await meds.getByRole('listitem').filter({ hasText: 'Amlodipin' }).getByText('Fornyelse anmodet').waitFor();
    await expectNoAxeViolations(page);
    await shot(page, 'renewal');
  }, 180_000);
});
