import { expect } from 'vitest';
import { MitidBrowser } from './mitid-browser.ts';
import type { TestApp } from './test-app.ts';
import type { TestPerson } from '../../src/features/mitid/test-broker.ts';

export const GRETE: TestPerson = { cpr: '0505481234', name: 'Grete Jensen', birthDate: '1948-05-05', loa: 'Substantial' };
export const JENS: TestPerson = { cpr: '1203701235', name: 'Jens Jensen', birthDate: '1970-03-12', loa: 'High' };
export const STRANGER: TestPerson = { cpr: '2208651239', name: 'Fremmed Person', birthDate: '1965-08-22', loa: 'Substantial' };

export type Send = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => ReturnType<MitidBrowser['app_']>;

/** A person with a login, logged in with MitID through the test broker, sending as their browser would. */
export async function mitidSession(t: TestApp, who: TestPerson) {
  const browser = new MitidBrowser(t.app);
  expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal');
  const csrf = (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken;
  const send: Send = (method, url, body) => browser.app_(method, url, body, method === 'GET' ? {} : { 'x-csrf-token': csrf });
  return { browser, send, who };
}
export type MitidSession = Awaited<ReturnType<typeof mitidSession>>;

/** The giver drafts, confirms with a MitID step-up, and the offer exists: returns its id. */
export async function giveFuldmagt(giver: MitidSession, input: { clinicIds: string[]; functions: string[]; until?: string }, receiver = JENS) {
  const drafted = await giver.send('POST', '/api/patient/fuldmagter', { receiverCpr: receiver.cpr, receiverName: receiver.name, ...input });
  expect(drafted.statusCode, drafted.body).toBe(201);
  const { id } = drafted.json<{ id: string }>();
  expect(await giver.browser.login({ purpose: 'stepup', action: 'give_fuldmagt' }, giver.who)).toBe('/portal/profile?stepup=give_fuldmagt');
  const confirmed = await giver.send('POST', `/api/patient/fuldmagter/${id}/confirm`);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return id;
}

/** The receiver accepts and switches to act under it. */
export async function acceptAndAct(receiver: MitidSession, id: string) {
  expect((await receiver.send('POST', `/api/patient/fuldmagter/${id}/accept`)).statusCode).toBe(200);
  const switched = await receiver.send('PUT', '/api/patient/acting-for', { fuldmagtId: id });
  expect(switched.statusCode, switched.body).toBe(200);
  return switched.json<{ actingForFuldmagt: { giverName: string } | null }>();
}
