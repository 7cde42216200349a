import { sql, type Kysely } from 'kysely';

// "Hent mine data" built safely at any size (see src/features/data-export/data-export.ts):
// - attempts: how many times a worker claimed the export. The claim commits on its own before the
//   build starts, so a build that kills its process still counts; after 3 the export is failed
//   instead of being claimed by the next process (a poison export cannot take down every process).
// - claimed_until: a short lease set with the claim. It covers the moment between the claim's commit
//   and the build transaction locking the row; after that the row lock keeps other workers off, and
//   a process that dies drops its lock, so the export is claimed again once the lease has run out.
// - replaced_at: a ready export replaced by a newer one. It can no longer be downloaded from then
//   on, but its parts stay for an hour so a download already streaming them finishes whole.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table data_exports add column attempts integer not null default 0`.execute(db);
  await sql`alter table data_exports add column claimed_until timestamptz`.execute(db);
  await sql`alter table data_exports add column replaced_at timestamptz`.execute(db);
}
