import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PATIENT } from '../../src/demo/demo-data.ts';
import { demoPatientLogsIn, expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser, waitForMail } from './browser.ts';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

describe.runIf(hasChromium)('Hent mine data in Chromium', () => {
  const env = useServerAndBrowser();

  it('the patient asks on a phone, sees it ready, gets the mail and downloads the ZIP', async () => {
    const page = await newPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await demoPatientLogsIn(page, env.url, { email: DEMO_PATIENT.email, password: DEMO_PASSWORD });
    await page.goto(`${env.url}/portal/profile`);
    const section = page.getByRole('region', { name: 'Hent mine data' });
    await section.getByRole('button', { name: 'Hent mine data' }).click();
    // The server process's worker builds it in the background; the page looks again by itself.
    await section
      .getByRole('status')
      .getByText(/Klar til download indtil/)
      .waitFor({ timeout: 30_000 });
    const mail = await waitForMail(env.url, DEMO_PATIENT.email, /Dine data|De data, du bad om/);
    expect(mail).toContain('/portal/profile');
    await expectNoAxeViolations(page);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'profile-data-export.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('link', { name: /Download \(ZIP/ }).click()]);
    const file = await download.path();
    const files = unzipSync(new Uint8Array(readFileSync(file)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['index.html', 'account.json', 'econsultations.json']));
    expect(strFromU8(files['index.html']!)).toContain('Dine data fra Patientportal');
    expect(JSON.parse(strFromU8(files['account.json']!))).toMatchObject({ email: DEMO_PATIENT.email });
  }, 180_000);
});
