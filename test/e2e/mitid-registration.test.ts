import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { expectNoAxeViolations, launchChromium, waitForMail } from './browser.ts';

describe('a MitID test person registers at the automatic demo clinic, in Chromium', () => {
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

  it('logs in with MitID, confirms the e-mail and lands in the portal with the offered functions', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/portal/register/laegehuset-aaparken`);
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
    const mail = await waitForMail(server.url, 'mads@example.test', /er: \d{6}/);
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
