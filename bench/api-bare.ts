/**
 * bench:api's baseline: a bare Fastify server (no logger, no hooks, no auth, no schema) with one
 * route that runs the same search (searchPatients, the same Kysely query on the same pool) and
 * answers the same JSON. Started by bench/api.ts in a process of its own; PORT and DATABASE_URL.
 */
import Fastify from 'fastify';
import { openDatabase } from '../src/db/database.ts';
import { maskCpr, parseCpr } from '../src/features/patients/cpr.ts';
import { searchPatients } from '../src/features/patients/patients.repository.ts';

const db = openDatabase({ url: process.env.DATABASE_URL ?? '' });
const app = Fastify();

app.post<{ Params: { clinicId: string }; Body: { q?: string } }>('/api/clinics/:clinicId/patients/search', async (request) => {
  const rows = await searchPatients(db, { clinicId: request.params.clinicId, query: request.body.q ?? '', limit: 50 });
  return {
    patients: rows.map((p) => ({
      id: p.id,
      name: `${p.given_name} ${p.family_name}`,
      maskedCpr: maskCpr(p.cpr),
      birthDate: parseCpr(p.cpr)?.birthDate.toISOString().slice(0, 10) ?? null,
    })),
  };
});

process.on('SIGTERM', () => {
  void app.close().then(() => db.destroy());
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
