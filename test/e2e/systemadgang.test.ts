import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, useServerAndBrowser } from './browser.ts';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

describe.runIf(hasChromium)('a clinic admin gives the clinic system access in Systemadgang, in Chromium at 390×844', () => {
  const env = useServerAndBrowser();

  it('creates an integration, sees the secret once, the secret gets a token over HTTP, and after revoking the token stops working; axe finds nothing', async () => {
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(env.url);
    await page.getByLabel('E-mail').fill('admin@soendergade.dk');
    await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('link', { name: 'Systemadgang' }).click();
    await page.getByRole('heading', { name: 'Systemadgang', level: 1 }).waitFor();

    await page.getByLabel('Navn (fx systemets navn)').fill('Vores EPJ');
    await page.getByRole('checkbox', { name: /Læse patienter/ }).check();
    await page.getByRole('checkbox', { name: /Oprette og opdatere patienter/ }).check();
    await page.getByRole('button', { name: 'Opret' }).click();
    const once = page.getByRole('region', { name: 'Gem hemmeligheden nu' });
    await once.waitFor();
    await once.getByText('Hemmeligheden vises kun denne ene gang').waitFor();
    const clientId = await once.getByLabel('Klient-id').inputValue();
    const secret = await once.getByLabel('Hemmelighed (client_secret)').inputValue();
    const tokenUrl = await once.getByLabel('Adresse til adgangsnøgler (token URL)').inputValue();
    expect(secret).toMatch(/^pps_/);
    expect(new URL(tokenUrl).pathname).toBe('/oauth/token');
    await expectNoAxeViolations(page);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'systemadgang.png'), fullPage: true });

    await once.getByRole('button', { name: 'Jeg har gemt hemmeligheden' }).click();
    await once.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    // The clinic system's side, over real HTTP: a token from the secret, then a call with it.
    const tokenAnswer = await fetch(`${env.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(tokenAnswer.status).toBe(200);
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
    const clinicId = await page.evaluate(async () => ((await (await fetch('/api/session')).json()) as { activeClinicId: string }).activeClinicId);
    const patients = () => fetch(`${env.url}/api/clinics/${clinicId}/patients`, { headers: { authorization: `Bearer ${token}` } });
    expect((await patients()).status).toBe(200);

    await page.reload();
    const card = page.getByRole('region', { name: /Vores EPJ/ });
    await card.getByText('Aktiv', { exact: true }).waitFor();
    expect(await card.textContent()).not.toContain('Aldrig'); // it has got a token
    await card.getByRole('button', { name: 'Tilbagekald' }).click();
    const confirm = card.getByRole('alertdialog');
    await confirm.getByText(/Systemet mister adgangen med det samme/).waitFor();
    await expectNoAxeViolations(page);
    await confirm.getByRole('button', { name: 'Ja, tilbagekald' }).click();
    await card.getByText('"Vores EPJ" er tilbagekaldt.').waitFor();
    await card.getByText(/^Tilbagekaldt/).waitFor();
    expect((await patients()).status).toBe(401);
    await expectNoAxeViolations(page);
    await context.close();
  }, 180_000);
});
