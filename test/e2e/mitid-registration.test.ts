import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

describe.runIf(hasChromium)('a MitID test person registers at the automatic demo clinic, in Chromium', () => {
  const env = useServerAndBrowser();

  it('logs in with MitID, confirms the e-mail and lands in the portal with the offered functions', async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.url}/portal/register/laegehuset-aaparken`);
    await page.getByRole('heading', { name: 'Tilmeld dig Patientportal hos Lægehuset Åparken' }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Log ind med MitID' }).click();
    await page.getByRole('heading', { name: 'Vælg en testperson' }).waitFor();
    await page.getByRole('button', { name: /Mads Testesen/ }).click();

    await page.getByText('Du er logget ind med MitID som Mads Testesen.').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('E-mail').fill('mads@example.test');
    await page.getByLabel('Telefonnummer').fill('22 33 44 55');
    await page.getByRole('button', { name: 'Send kode' }).click();
    const mail = await waitForMail(env.url, 'mads@example.test', /er: \d{6}/);
    await page.getByLabel('Kode fra e-mailen').fill(/er: (\d{6})/.exec(mail)![1]!);
    await page.getByRole('button', { name: 'Tilmeld' }).click();

    const clinic = page.getByRole('region', { name: 'Lægehuset Åparken' });
    await clinic.waitFor();
    for (const f of ['econsultation', 'booking', 'renewal']) {
      expect(await clinic.locator(`[data-function="${f}"]`).getAttribute('data-open')).toBe('true');
    }
    await expectNoAxeViolations(page);
  }, 120_000);
});
