import { createHash, generateKeyPairSync } from 'node:crypto';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { LOA_PREFIX } from './claims.ts';

/**
 * A MitID test broker: a real OpenID Provider (oidc-provider) issuing the claims a MitID broker
 * issues, with a page to pick or type a test person. It runs only when no real broker is
 * configured and never in production (see main.ts).
 */
export interface TestPerson {
  cpr: string;
  name: string;
  birthDate: string;
  loa: 'Low' | 'Substantial' | 'High';
}

export const TEST_PERSONS: TestPerson[] = [
  { cpr: '0708614365', name: 'Mads Testesen', birthDate: '1961-08-07', loa: 'Substantial' },
  { cpr: '1105824562', name: 'Lise Prøvesen', birthDate: '1982-05-11', loa: 'High' },
  { cpr: '2212994321', name: 'Anders Andetsted', birthDate: '1999-12-22', loa: 'Substantial' },
  { cpr: '0303154012', name: 'Lille Barnesen', birthDate: '2015-03-03', loa: 'Substantial' },
  // The demo's parent (src/demo/demo-data.ts DEMO_FAMILY): has a login and may act for Emma Hansen.
  { cpr: '0304851236', name: 'Mette Hansen', birthDate: '1985-04-03', loa: 'Substantial' },
  { cpr: '1509703876', name: 'Svend Svagsikring', birthDate: '1970-09-15', loa: 'Low' },
];

export interface TestBrokerOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
const uuidFor = (cpr: string) => {
  const h = createHash('sha256').update(`mitid-test:${cpr}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function page(uid: string, error = ''): string {
  const presets = TEST_PERSONS.map(
    (p) => `<li><form method="post" action="/interaction/${uid}">
      <input type="hidden" name="cpr" value="${p.cpr}"><input type="hidden" name="name" value="${escape(p.name)}">
      <input type="hidden" name="birthDate" value="${p.birthDate}"><input type="hidden" name="loa" value="${p.loa}">
      <button type="submit">${escape(p.name)} (${p.cpr.slice(0, 6)}-${p.cpr.slice(6)}, født ${p.birthDate}, ${p.loa})</button></form></li>`,
  ).join('');
  return `<!doctype html><html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>MitID testbroker</title><style>body{font-family:system-ui,sans-serif;margin:0}header{background:#0060e6;color:#fff;padding:1rem}
main{padding:1rem;max-width:40rem}label{display:block;margin-top:.6rem;font-weight:600}input,select{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;margin-top:.5rem;padding:.45rem .8rem;background:#0060e6;color:#fff;border:0;border-radius:4px;cursor:pointer}
ul{list-style:none;padding:0}.error{color:#a4161a;font-weight:600}</style></head>
<body><header><p><strong>MitID TESTBROKER</strong> – kun til udvikling og test, aldrig i drift. / Test broker for development and tests only.</p></header>
<main><h1>Vælg en testperson</h1>${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<ul>${presets}</ul>
<h2>Eller skriv en testperson</h2>
<form method="post" action="/interaction/${uid}">
<label for="cpr">CPR-nummer</label><input id="cpr" name="cpr" required pattern="[0-9]{6}-?[0-9]{4}">
<label for="name">Navn</label><input id="name" name="name" required>
<label for="birthDate">Fødselsdato</label><input id="birthDate" name="birthDate" type="date" required>
<label for="loa">Sikringsniveau (LoA)</label><select id="loa" name="loa"><option>Substantial</option><option>High</option><option>Low</option></select>
<button type="submit">Log ind som testperson</button></form></main></body></html>`;
}

export async function startTestBroker(options: TestBrokerOptions): Promise<{ issuer: string; close: () => Promise<void> }> {
  const people = new Map<string, TestPerson>();
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  if (!key.d) throw new Error('test broker: the generated RSA key has no private part');
  const cookieKey = key.d.slice(0, 32);

  const provider = new Provider(issuer, {
    // In memory, as the broker's people are: a store of its own, passed explicitly, so the start-up
    // log carries no "development-only adapter, you MUST change it" warning meant for real providers.
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [{ ...key, kid: 'test-broker', use: 'sig', alg: 'RS256' }] },
    pkce: { required: () => true }, // oidc-provider 9 supports only S256
    scopes: ['openid', 'mitid', 'ssn'],
    claims: {
      openid: ['sub'],
      mitid: ['mitid.uuid', 'mitid.identity_name', 'mitid.date_of_birth', 'loa', 'ial', 'aal'],
      ssn: ['dk.cpr'],
    },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [cookieKey] },
    ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, IdToken: 600, AccessToken: 600 },
    findAccount(_ctx, sub) {
      const person = people.get(sub);
      if (!person) return undefined;
      const level = `${LOA_PREFIX}${person.loa}`;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          'mitid.uuid': sub,
          'mitid.identity_name': person.name,
          'mitid.date_of_birth': person.birthDate,
          'dk.cpr': person.cpr,
          loa: level,
          ial: level,
          aal: level,
        }),
      };
    },
    // The test broker is a first-party login page: consent is implied.
    async loadExistingGrant(ctx) {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) throw new Error('test broker: loadExistingGrant without a client or a logged-in session');
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid mitid ssn');
      await grant.save();
      return grant;
    },
  });

  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const uid = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    if (uid === undefined) return void handle(req, res);
    void (async () => {
      try {
        await provider.interactionDetails(req, res);
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(uid));
          return;
        }
        const form = await readForm(req);
        const cpr = (form.get('cpr') ?? '').replace('-', '');
        const person: TestPerson = {
          cpr,
          name: (form.get('name') ?? '').trim(),
          birthDate: form.get('birthDate') ?? '',
          loa: (['Low', 'Substantial', 'High'].includes(form.get('loa') ?? '') ? form.get('loa') : 'Substantial') as TestPerson['loa'],
        };
        if (!/^\d{10}$/.test(cpr) || !person.name || !/^\d{4}-\d{2}-\d{2}$/.test(person.birthDate)) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page(uid, 'Udfyld CPR-nummer, navn og fødselsdato.'));
          return;
        }
        const accountId = uuidFor(cpr);
        people.set(accountId, person);
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`Interaction failed: ${(error as Error).message}`);
      }
    })();
  });

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
