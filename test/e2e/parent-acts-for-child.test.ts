import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { ageOn } from '../../src/features/mitid/claims.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser } from './browser.ts';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
/** The demo's Emma Hansen (src/demo/demo-data.ts), born 12 July 2017: her age today, as the portal shows it. */
const emmaAge = ageOn('2017-07-12', new Date());

describe.runIf(hasChromium)('a parent acts for a child under 15 (issue 15), in Chromium', () => {
  const env = useServerAndBrowser();

  it('at 390×844 Mette logs in with MitID, switches to Emma, books a time for her; the secretary sees who booked for whom; axe finds nothing', async () => {
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);

    await page.goto(`${env.url}/portal/login`);
    await page.getByRole('link', { name: 'Log ind med MitID' }).click();
    await page.getByRole('button', { name: /Mette Hansen/ }).click();
    const children = page.getByRole('region', { name: 'Dine børn under 15' });
    await children.getByText(`Emma Hansen (${emmaAge} år)`).waitFor();
    await expectNoAxeViolations(page);

    await children.getByRole('button', { name: 'Handl for Emma' }).click();
    await page.getByRole('status').getByText(`Du handler for Emma (${emmaAge} år)`).waitFor();
    // Acting for Emma, the home page shows her clinic and no longer offers to switch.
    const clinic = page.getByRole('region', { name: 'Lægerne Søndergade' });
    await clinic.waitFor();
    await page.getByRole('heading', { name: 'Klinikker for Emma Hansen' }).waitFor();
    expect(await page.getByRole('region', { name: 'Dine børn under 15' }).count()).toBe(0);
    await expectNoAxeViolations(page);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'parent-acting-for-child.png'), fullPage: true });

    await clinic.locator('[data-function="booking"]').getByRole('link').click();
    const choose = page.getByRole('region', { name: 'Vælg en tid' });
    await choose.waitFor();
    await page.getByRole('status').getByText(`Du handler for Emma (${emmaAge} år)`).waitFor();
    await expectNoAxeViolations(page);
    await choose.getByRole('button', { name: 'Næste uge' }).click();
    await choose.locator('.slot').first().click();
    await choose.getByRole('button', { name: 'Book tid' }).click();
    await choose.getByText(/er booket\./).waitFor();
    await page
      .getByRole('region', { name: 'Dine tider' })
      .locator('strong', { hasText: / kl\. / })
      .waitFor();
    await expectNoAxeViolations(page);

    // An e-konsultation for Emma.
    await page.getByRole('navigation', { name: 'Funktioner' }).getByRole('link', { name: 'E-konsultation' }).click();
    // The page has loaded the child's threads before the form is filled, so a late load cannot reset it.
    await page.getByRole('region', { name: 'Dine e-konsultationer' }).waitFor();
    await page.getByLabel('Overskrift').fill('Ondt i øret');
    await page.getByLabel('Besked').fill('Emma har haft ondt i øret siden i går.');
    await page.getByRole('button', { name: 'Send' }).click();
    // Sent, the page opens the new thread in place of the list (which shows it only until then, so
    // waiting for it in the list raced the thread's opening and failed now and then).
    await page.getByRole('region', { name: 'Ondt i øret' }).getByText('Emma har haft ondt i øret siden i går.').waitFor();
    await expectNoAxeViolations(page);

    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: 'Tidsbestilling' }).click();
    await staff.getByRole('cell', { name: 'for Emma Hansen, booket af Mette Hansen (mor)' }).waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByRole('link', { name: 'E-konsultationer' }).click();
    const row = staff.getByRole('row', { name: /Ondt i øret/ });
    await row.getByText('Emma Hansen').waitFor();
    await row.getByText('skrevet af Mette Hansen (mor)').waitFor();
    await expectNoAxeViolations(staff);
  }, 180_000);

  it('Mette asks for Forældreadgang for Oscar; Loginbestillinger shows "anmodet af forælder: Mette Hansen"; after Opret she can act for him', async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.url}/portal/login`);
    await page.getByRole('link', { name: 'Log ind med MitID' }).click();
    await page.getByRole('button', { name: /Mette Hansen/ }).click();
    const ask = page.getByRole('region', { name: 'Anmod om forældreadgang' });
    await ask.getByLabel('Barnets CPR-nummer').fill('020219-4017');
    await ask.getByLabel('Barnets fulde navn').fill('Oscar Hansen');
    await ask.getByRole('button', { name: 'Send anmodning' }).click();
    await ask.getByText('Anmodningen om adgang for Oscar er sendt til klinikken.').waitFor();
    await page.reload();
    await page.getByText('forældreadgang for Oscar Hansen').waitFor();
    await expectNoAxeViolations(page);

    const staff = await newPage(env.browser);
    await staff.goto(env.url);
    await staff.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await staff.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await staff.getByRole('button', { name: 'Log ind' }).click();
    await staff.getByRole('link', { name: /Loginbestillinger/ }).click();
    const row = staff.getByRole('row', { name: /Oscar Hansen/ });
    await row.getByText('anmodet af forælder: Mette Hansen').waitFor();
    expect(await row.textContent()).toContain('020219-xxxx');
    await expectNoAxeViolations(staff);
    await row.getByRole('button', { name: 'Behandl anmodningen fra Oscar Hansen' }).click();
    await staff.getByRole('region', { name: 'Anmodning fra Oscar Hansen' }).getByRole('button', { name: 'Opret' }).click();
    await staff.getByText('Oprettet.', { exact: false }).first().waitFor();

    await page.reload();
    await page.getByRole('region', { name: 'Dine børn under 15' }).getByRole('button', { name: 'Handl for Oscar' }).waitFor();
    await expectNoAxeViolations(page);
  }, 180_000);
});
