import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { expectNoAxeViolations, launchChromium } from './browser.ts';

describe('a secretary in Chromium', () => {
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

  it('logs in, finds a patient by name, opens the record, and every page passes axe', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
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
