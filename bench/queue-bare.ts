/**
 * bench:queue's floor: a bare Fastify server (no logger, hooks, auth, schema or security headers)
 * with the Loginbestillinger page's statement (listOpenRequests, the same prepared statement on the
 * same pool, its rows answered as JSON) and the approval's (approveNewLoginAtOnce, for the staff
 * user and clinic the environment names). What the page and an approval cost with nothing of the
 * product around them. Started by bench/queue.ts in a process of its own; PORT, DATABASE_URL,
 * CLINIC_ID, CLINIC_NAME and STAFF_ID.
 */
import Fastify from 'fastify';
import { openDatabase } from '../src/db/database.ts';
import type { PortalFunction } from '../src/db/schema.ts';
import { approveNewLoginAtOnce } from '../src/features/login-requests/approval.repository.ts';
import { listOpenRequests } from '../src/features/login-requests/queue.repository.ts';

const env = (name: string) => process.env[name] ?? '';
const db = openDatabase({ url: env('DATABASE_URL') });
const app = Fastify();

app.get<{ Querystring: { clinicId: string; cursor?: string } }>('/api/login-requests', async (request) => {
  const { rows, nextCursor } = await listOpenRequests(db, [request.query.clinicId], request.query.cursor);
  return { open: rows, nextCursor };
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
