import { sql, type Kysely } from 'kysely';

// Forældremyndighed as the default custody source knows it: one row per child and custody holder,
// filled by `npx patientportal custody:import`, read by the child's CPR (the primary key's prefix).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table custody_holders (
    child_cpr text not null check (child_cpr ~ '^[0-9]{10}$'),
    holder_cpr text not null check (holder_cpr ~ '^[0-9]{10}$'),
    primary key (child_cpr, holder_cpr)
  )`.execute(db);
}
