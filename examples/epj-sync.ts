/**
 * A small clinic-system (EPJ) client of Patientportal, typed from the server's OpenAPI document.
 *
 *   PP_URL=http://localhost:3000 PP_CLIENT_ID=... PP_CLIENT_SECRET=... PP_CLINIC_ID=... npx tsx examples/epj-sync.ts
 *
 * The integration needs the scopes patients:write, portal:write and events:read. It gets a token
 * (client_secret_basic), registers a webhook on a local HTTP server it starts, upserts 1,000
 * patients in one bulk request, gives the first of them a login (Opret, as the Patientportal form
 * does), waits for the signed `portal_access.changed` event, and removes its webhook again.
 * Running it twice is safe: the second run answers `unchanged` for every patient.
 *
 * Its types are the ones `npm run build` generates from the server's OpenAPI document for the web
 * UI (web/src/api-types.ts), so a change of the API that this client uses breaks `npm run typecheck`.
 * A vendor outside this repository generates its own: `npx openapi-typescript $PP_URL/api/docs/json -o api.ts`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import createClient from 'openapi-fetch';
import { Webhook } from 'standardwebhooks';
import type { paths } from '../web/src/api-types.ts';

export interface EpjSyncOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  clinicId: string;
  patients?: number;
  /** How long to wait for the webhook delivery. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  /** The Standard Webhooks signature checked out with the webhook's secret. */
  verified: boolean;
  type: string | null;
}

export interface EpjSyncResult {
  counts: Record<string, number>;
  patientId: string;
  externalId: string;
  loginCreated: boolean;
  webhookSecret: string;
  deliveries: Delivery[];
}

/** A CPR number valid in form (DDMMYY-SSSS) per index; the portal checks the date, not modulus 11. */
const cprOf = (i: number) => `${String((i % 28) + 1).padStart(2, '0')}0170-${String(5000 + Math.floor(i / 28)).padStart(4, '0')}`;

const fail = (what: string, error: unknown): never => {
  throw new Error(`${what} failed: ${JSON.stringify(error)}`);
};

const single = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));

export async function runEpjSync(o: EpjSyncOptions): Promise<EpjSyncResult> {
  const log = o.log ?? (() => undefined);
  const total = o.patients ?? 1000;

  // 1. A token by client credentials (RFC 6749 §4.4) with client_secret_basic.
  const basic = Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64');
  const tokenClient = createClient<paths>({ baseUrl: o.baseUrl });
  const token = await tokenClient.POST('/oauth/token', {
    body: { grant_type: 'client_credentials' },
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
  });
  if (!token.data) return fail('token', token.error);
  log(`token: ${token.data.scope}`);
  const api = createClient<paths>({ baseUrl: o.baseUrl, headers: { authorization: `Bearer ${token.data.access_token}` } });

  // 2. The webhook receiver: a local HTTP server that checks each delivery's signature.
  const deliveries: Delivery[] = [];
  let verifier: Webhook | undefined;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = single(req.headers);
      let type: string | null = null;
      let verified: boolean;
      try {
        if (!verifier) throw new Error('no secret yet');
        type = (verifier.verify(body, headers) as { type?: string }).type ?? null;
        verified = true;
      } catch {
        verified = false;
      }
      deliveries.push({ headers, body, verified, type });
      log(`webhook: ${type ?? 'unverified delivery'}`);
      res.writeHead(verified ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/patientportal-hooks`;

  let webhookId: string | undefined;
  try {
    const hook = await api.POST('/api/webhooks', { body: { url: hookUrl, eventTypes: ['portal_access.changed'] } });
    if (!hook.data) return fail('webhook registration', hook.error);
    webhookId = hook.data.id;
    const webhookSecret = hook.data.secret;
    verifier = new Webhook(webhookSecret);

    // 3. Upsert the patients in one bulk request (a JSON array; NDJSON works too).
    const lines = Array.from({ length: total }, (_, i) => ({
      externalId: `EPJ-EXAMPLE-${String(i + 1)}`,
      cpr: cprOf(i),
      givenName: `Patient ${String(i + 1)}`,
      familyName: 'Eksempel',
      postalCode: '8000',
      city: 'Aarhus C',
      email: `patient${String(i + 1)}@example.dk`,
    }));
    const bulk = await api.POST('/api/clinics/{clinicId}/patients/bulk', { params: { path: { clinicId: o.clinicId } }, body: lines });
    if (!bulk.data || typeof bulk.data === 'string') return fail('bulk upsert', bulk.error);
    const counts: Record<string, number> = {};
    for (const r of bulk.data.results) counts[r.result] = (counts[r.result] ?? 0) + 1;
    log(`bulk: ${JSON.stringify(counts)}`);
    const first = bulk.data.results[0];
    if (first?.patientId === undefined || first.externalId === null) return fail('bulk upsert of the first patient', first);

    // 4. Opret: give the first patient a login, as the Patientportal form does.
    const portal = await api.POST('/api/clinics/{clinicId}/patients/{patientId}/portal', {
      params: { path: { clinicId: o.clinicId, patientId: first.patientId } },
      body: { email: lines[0]?.email ?? '', rights: ['econsultation', 'booking', 'renewal'], wantsElectronicReply: true },
    });
    // A second run finds the login made by the first: the portal refuses Opret then, and no event comes.
    const loginCreated = portal.response.status === 201;
    log(loginCreated ? 'opret: activation link mailed' : `opret: ${JSON.stringify(portal.error)}`);

    // 5. Wait for the signed event of that change.
    const deadline = Date.now() + (o.timeoutMs ?? 30_000);
    while (loginCreated && !deliveries.some((d) => d.verified && d.type === 'portal_access.changed')) {
      if (Date.now() > deadline) throw new Error('no portal_access.changed webhook arrived in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { counts, patientId: first.patientId, externalId: first.externalId, loginCreated, webhookSecret, deliveries };
  } finally {
    // A webhook left pointing at a receiver that is gone would fail for a day and mail the clinic admins.
    if (webhookId) await api.DELETE('/api/webhooks/{webhookId}', { params: { path: { webhookId } } });
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  const result = await runEpjSync({
    baseUrl: process.env.PP_URL ?? 'http://localhost:3000',
    clientId: env('PP_CLIENT_ID'),
    clientSecret: env('PP_CLIENT_SECRET'),
    clinicId: env('PP_CLINIC_ID'),
    log: (line) => {
      console.log(line);
    },
  });
  console.log(`done: patient ${result.externalId} = ${result.patientId}; ${String(result.deliveries.length)} webhook deliveries`);
}
