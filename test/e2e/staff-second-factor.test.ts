import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser } from './browser.ts';

describe.runIf(hasChromium)('staff second factor in Chromium', () => {
  const env = useServerAndBrowser();

  /** The clinic admin turns the requirement on in E-moduler (once: later tests find it on). */
  async function adminRequiresSecondFactor() {
    const login = await fetch(`${env.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@soendergade.dk', password: DEMO_PASSWORD }),
    });
    const session = (await login.json()) as { secondFactor?: unknown };
    if (session.secondFactor) return; // required already (an earlier test)
    const page = await newPage(env.browser);
    await page.goto(env.url);
    await page.getByLabel('E-mail').fill('admin@soendergade.dk');
    await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patienter' }).waitFor();
    await page.getByRole('link', { name: 'E-moduler' }).click();
    const section = page.getByRole('region', { name: 'To-trinsbekræftelse for personale' });
    const box = section.getByLabel('Kræv to-trinsbekræftelse af klinikkens personale');
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await section.getByRole('button', { name: 'Gem' }).click();
    await section.getByRole('status').filter({ hasText: 'Gemt.' }).waitFor();
    await expectNoAxeViolations(page);
    await page.reload();
    expect(
      await page.getByRole('region', { name: 'To-trinsbekræftelse for personale' }).getByLabel('Kræv to-trinsbekræftelse af klinikkens personale').isChecked(),
    ).toBe(true);
    await page.close();
  }

  it('makes a secretary set up an authenticator at the first login once the clinic requires it, shows the recovery codes, then asks for a code at the next login', async () => {
    await adminRequiresSecondFactor();
    const page = await newPage(env.browser);
    const logIn = async () => {
      await page.goto(env.url);
      await page.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
      await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Log ind' }).click();
    };
    await logIn();
    await page.getByRole('heading', { level: 1, name: 'Opsæt to-trinsbekræftelse' }).waitFor();
    const secret = (await page.locator('code').first().textContent())!.replace(/\s/g, '');
    await expectNoAxeViolations(page);
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    await page.getByLabel('Kode').fill(totp.generate());
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dine gendannelseskoder' }).waitFor();
    expect(await page.getByRole('listitem').count()).toBe(10);
    const recovery = (await page.getByRole('listitem').first().textContent())!;
    await page.getByRole('button', { name: 'Jeg har gemt koderne – fortsæt' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patienter' }).waitFor();

    await page.context().clearCookies();
    await logIn();
    await page.getByRole('heading', { level: 1, name: 'To-trinsbekræftelse' }).waitFor();
    await page.getByRole('button', { name: 'Brug en gendannelseskode i stedet' }).click();
    await page.getByLabel('Gendannelseskode').fill(recovery);
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patienter' }).waitFor();
  });

  it('lets the clinic admin add a passkey at the first login and log in with it the next time (DevTools virtual authenticator)', async () => {
    await adminRequiresSecondFactor();
    const page = await newPage(env.browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    const logIn = async () => {
      await page.goto(env.url);
      await page.getByLabel('E-mail').fill('admin@soendergade.dk');
      await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Log ind' }).click();
    };
    await logIn();
    await page.getByRole('heading', { level: 1, name: 'Opsæt to-trinsbekræftelse' }).waitFor();
    await page.getByRole('button', { name: 'Opret en passkey på denne enhed' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dine gendannelseskoder' }).waitFor();
    await page.getByRole('button', { name: 'Jeg har gemt koderne – fortsæt' }).click();
    await page.getByRole('button', { name: 'Log ud' }).waitFor();

    await page.context().clearCookies();
    await logIn();
    await page.getByRole('heading', { level: 1, name: 'To-trinsbekræftelse' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Log ind med passkey' }).click();
    await page.getByRole('button', { name: 'Log ud' }).waitFor();
  });
});
