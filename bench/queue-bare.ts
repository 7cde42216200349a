/**
 * bench:queue's floor for the Loginbestillinger page: a bare Fastify server (no logger, hooks,
 * auth, schema or security headers) with one route that runs the page's statement (listOpenRequests,
 * the same prepared statement on the same pool) and answers its rows as JSON. What the page costs
 * with nothing of the product around it. Started by bench/queue.ts in a process of its own; PORT
 * and DATABASE_URL.
 */
import Fastify from 'fastify';
import { openDatabase } from '../src/db/database.ts';
import { listOpenRequests } from '../src/features/login-requests/queue.repository.ts';

const db = openDatabase({ url: process.env.DATABASE_URL ?? '' });
const app = Fastify();

app.get<{ Querystring: { clinicId: string; cursor?: string } }>('/api/login-requests', async (request) => {
  const { rows, nextCursor } = await listOpenRequests(db, [request.query.clinicId], request.query.cursor);
  return { open: rows, nextCursor };
});
app.get('/health', () => ({ ok: true }));

process.on('SIGTERM', () => {
  void app.close().then(() => db.destroy());
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
