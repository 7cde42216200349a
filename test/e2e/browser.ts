import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createEmptyDatabase } from '../helpers/databases.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests need Debian's Chromium (.ci/run installs it). On a developer machine without it
 * they are skipped with a warning; in CI (CI=true) a missing browser fails them instead.
 */
export const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!hasChromium) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary).toEqual([]);
}

/** Waits for a mail to `to` on the development mail page's JSON and returns its text. */
export async function waitForMail(baseUrl: string, to: string, matching: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mails = (await (await fetch(`${baseUrl}/dev/mail.json`)).json()) as { to: string[]; text: string }[];
    const found = mails.find((m) => m.to.includes(to) && matching.test(m.text));
    if (found) return found.text;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${matching}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * One server process on a fresh data dir (the demo loaded) and one Chromium for a test file.
 * Call in the describe body; read `.url` and `.browser` inside the tests. With `ownDatabase`, the
 * server runs on a fresh database of the test PostgreSQL instead of the embedded one, and `.db`
 * opens it, so a test can add people with the factories next to the demo.
 */
export function useServerAndBrowser(options: { ownDatabase?: boolean } = {}) {
  const state = {} as { url: string; browser: Browser; server: ServerProcess; dir: string; db: Database };
  // What beforeAll got to start before a failure, so afterAll stops only that.
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let database: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    state.dir = mkdtempSync(path.join(tmpdir(), 'pp-e2e-'));
    if (options.ownDatabase) database = await createEmptyDatabase('e2e');
    server = await startServerProcess({ DATA_DIR: state.dir, ...(database ? { DATABASE_URL: database.url } : {}) });
    state.server = server;
    state.url = server.url;
    if (database) state.db = db = openDatabase({ url: database.url, poolSize: 2 });
    browser = await launchChromium();
    state.browser = browser;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.destroy();
    await database?.drop();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}

/** A new browser context's page with a short default timeout, so a failing step names itself. */
export async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** The demo patient logs in with password and the mailed code, and is on the portal's front page. */
export async function demoPatientLogsIn(page: Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/portal/login`);
  await page.getByLabel('CPR-nummer eller e-mail').fill(who.email);
  await page.getByLabel('Adgangskode').fill(who.password);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.getByLabel('Sikkerhedskode').waitFor();
  const mail = await waitForMail(baseUrl, who.email, /sikkerhedskode er: \d{8}/);
  const code = /(\d{8})/.exec(mail)?.[1];
  if (!code) throw new Error('no security code in the mail');
  await page.getByLabel('Sikkerhedskode').fill(code);
  await page.getByRole('button', { name: 'Bekræft' }).click();
  await page.getByRole('button', { name: 'Log ud' }).waitFor();
}
