/**
 * bench:queue's floor: a bare Fastify server (no logger, hooks, auth, schema or security headers)
 * with the Loginbestillinger page's statement (listOpenRequests, the same prepared statement on the
 * same pool, its rows mapped to the route's JSON) and the approval's (approveNewLoginAtOnce, for
 * the staff user and clinic the environment names). What the page and an approval cost with
 * nothing of the product around them. Started by bench/queue.ts in a process of its own; PORT,
 * DATABASE_URL, CLINIC_ID, CLINIC_NAME and STAFF_ID.
 *
 * It runs by Node's own type stripping and takes our code compiled (dist/server, which bench:queue
 * builds first), as the server does, so no loader runs in it. The source's types stay in force.
 */
import Fastify from 'fastify';
import type { PortalFunction } from '../src/db/schema.ts';

const dist = (file: string) => import(new URL(`../dist/server/${file}`, import.meta.url).href);
const { openDatabase } = (await dist('db/database.js')) as typeof import('../src/db/database.ts');
const { openRequestView } = (await dist('features/login-requests/queue-view.js')) as typeof import('../src/features/login-requests/queue-view.ts');
const { approveNewLoginAtOnce } = (await dist(
  'features/login-requests/approval.repository.js',
)) as typeof import('../src/features/login-requests/approval.repository.ts');
const { listOpenRequests } = (await dist('features/login-requests/queue.repository.js')) as typeof import('../src/features/login-requests/queue.repository.ts');

const env = (name: string) => process.env[name] ?? '';
const db = openDatabase({ url: env('DATABASE_URL') });
const app = Fastify();

// The same JSON as the server's page.
app.get<{ Querystring: { clinicId: string; cursor?: string } }>('/api/login-requests', async (request) => {
  const { rows, nextCursor } = await listOpenRequests(db, [request.query.clinicId], request.query.cursor);
  return {
    open: rows.map(openRequestView),
    nextCursor,
  };
});

app.post<{ Params: { requestId: string }; Body: { rights: PortalFunction[] } }>('/api/login-requests/:requestId/approve', async (request) => {
  const patientId = await approveNewLoginAtOnce(db, {
    requestId: request.params.requestId,
    clinics: [{ id: env('CLINIC_ID'), name: env('CLINIC_NAME') }],
    rights: request.body.rights,
    actor: { type: 'staff', id: env('STAFF_ID'), ip: request.ip },
    loginLink: 'http://127.0.0.1/portal/login',
    now: new Date(),
  });
  // bench:queue gives this route only requests the one statement approves.
  if (!patientId) throw new Error(`request ${request.params.requestId} was not approved in one statement`);
  return { patientId };
});

app.get('/health', () => ({ ok: true }));

process.on('SIGTERM', () => {
  void app.close().then(() => db.destroy());
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
