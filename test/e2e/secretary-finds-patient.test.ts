import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { expectNoAxeViolations, hasChromium, newPage, useServerAndBrowser } from './browser.ts';

describe.runIf(hasChromium)('a secretary in Chromium', () => {
  const env = useServerAndBrowser();

  it('logs in, finds a patient by name, opens the record, and every page passes axe', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Log ind for klinikpersonale');
    await expectNoAxeViolations(page);

    await page.getByLabel('E-mail').fill('sekretaer@soendergade.dk');
    await page.getByLabel('Adgangskode').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('heading', { level: 1, name: 'Patienter' }).waitFor();
    await page.getByRole('cell', { name: 'Anna Nielsen' }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByLabel('Søg på navn eller CPR-nummer').fill('anna niel');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '1 patient fundet.' }).waitFor();
    const rows = page.getByRole('row');
    expect(await rows.count()).toBe(2); // header + Anna
    expect(await page.getByRole('cell', { name: '010138-xxxx' }).count()).toBe(1);

    // A search by CPR number finds her too, and the number is in no URL: not the address bar, not a request.
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.getByLabel('Søg på navn eller CPR-nummer').fill('010138-0000');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '1 patient fundet.' }).waitFor();
    expect(requested.some((url) => url.includes('/patients/search'))).toBe(true);
    for (const url of [page.url(), ...requested]) expect(url).not.toMatch(/010138/);
    // Back to the name search: the term lives in the history entry, so Back restores its result.
    await page.goBack();
    await page.getByRole('status').filter({ hasText: '1 patient fundet.' }).waitFor();

    await page.getByRole('link', { name: 'Anna Nielsen' }).click();
    await page.getByRole('heading', { level: 2, name: 'Patienthovedet' }).waitFor();
    const header = page.getByRole('region', { name: 'Patienthovedet' });
    const text = await header.textContent();
    expect(text).toContain('010138-0000');
    expect(text).toContain('Søndergade 1, 8000 Aarhus C');
    expect(text).toContain('20000000');
    expect(text).toContain('anna.nielsen0@example.dk');
    await expectNoAxeViolations(page);
  });
});
