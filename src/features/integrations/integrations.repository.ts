import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface IntegrationRow {
  id: string;
  name: string;
  kind: 'clinic' | 'vendor';
  scopes: string[];
  public_jwk: Record<string, unknown> | null;
  rate_limit_per_minute: number;
  created_at: Date;
  revoked_at: Date | null;
}

const columns = ['i.id', 'i.name', 'i.kind', 'i.scopes', 'i.public_jwk', 'i.rate_limit_per_minute', 'i.created_at', 'i.revoked_at'] as const;

export async function insertIntegration(
  trx: Kysely<DB>,
  values: {
    name: string;
    kind: 'clinic' | 'vendor';
    scopes: string[];
    publicJwk: Record<string, unknown> | null;
    clinicIds: string[];
    createdBy: string | null;
    now: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('integrations')
    .values({
      name: values.name,
      kind: values.kind,
      scopes: values.scopes,
      public_jwk: values.publicJwk ? JSON.stringify(values.publicJwk) : null,
      created_at: values.now,
      created_by: values.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('integration_clinics')
    .values(values.clinicIds.map((clinicId) => ({ integration_id: row.id, clinic_id: clinicId })))
    .execute();
  return row.id;
}

export async function insertSecret(trx: Kysely<DB>, integrationId: string, secretHash: string, now: Date): Promise<void> {
  await trx.insertInto('integration_secrets').values({ integration_id: integrationId, secret_hash: secretHash, created_at: now }).execute();
}

/** Older secrets keep working until `until` (the overlap of a rotation); the newest has none. */
export async function expireCurrentSecrets(trx: Kysely<DB>, integrationId: string, until: Date): Promise<void> {
  await trx
    .updateTable('integration_secrets')
    .set({ expires_at: until })
    .where('integration_id', '=', integrationId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
    .execute();
}

/** The integration a live secret belongs to, for client_secret_basic. */
export async function findBySecret(db: Database, integrationId: string, secretHash: string, now: Date): Promise<IntegrationRow | undefined> {
  return db
    .selectFrom('integration_secrets as s')
    .innerJoin('integrations as i', 'i.id', 's.integration_id')
    .select(columns)
    .where('s.integration_id', '=', integrationId)
    .where('s.secret_hash', '=', secretHash)
    .where((eb) => eb.or([eb('s.expires_at', 'is', null), eb('s.expires_at', '>', now)]))
    .where('i.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function findActiveIntegration(db: Kysely<DB>, integrationId: string): Promise<IntegrationRow | undefined> {
  return db.selectFrom('integrations as i').select(columns).where('i.id', '=', integrationId).where('i.revoked_at', 'is', null).executeTakeFirst();
}

export async function findIntegrationForClinic(db: Kysely<DB>, integrationId: string, clinicId: string): Promise<IntegrationRow | undefined> {
  return db
    .selectFrom('integrations as i')
    .innerJoin('integration_clinics as g', 'g.integration_id', 'i.id')
    .select(columns)
    .where('i.id', '=', integrationId)
    .where('g.clinic_id', '=', clinicId)
    .executeTakeFirst();
}

/** The clinics an integration is granted now, with their names. */
export async function grantedClinics(db: Kysely<DB>, integrationId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('integration_clinics as g')
    .innerJoin('clinics as c', 'c.id', 'g.clinic_id')
    .select(['c.id', 'c.name'])
    .where('g.integration_id', '=', integrationId)
    .orderBy('c.name')
    .execute();
}

/** A clinic's integrations for Systemadgang: newest first, with their clinics, last token and rotation overlap. */
export async function listForClinic(db: Database, clinicId: string, now: Date) {
  return db
    .selectFrom('integrations as i')
    .innerJoin('integration_clinics as g', 'g.integration_id', 'i.id')
    .select(columns)
    .select(['i.last_token_at'])
    .select((eb) => [
      eb
        .selectFrom('integration_secrets as s')
        .select((e) => e.fn.max('s.created_at').as('at'))
        .whereRef('s.integration_id', '=', 'i.id')
        .as('secret_created_at'),
      // The end of a rotation's overlap: an older secret that still works.
      eb
        .selectFrom('integration_secrets as s')
        .select((e) => e.fn.max('s.expires_at').as('at'))
        .whereRef('s.integration_id', '=', 'i.id')
        .where('s.expires_at', '>', now)
        .as('previous_secret_expires_at'),
      eb
        .selectFrom('integration_clinics as gc')
        .innerJoin('clinics as c', 'c.id', 'gc.clinic_id')
        .select((e) => e.fn.agg<string[]>('array_agg', ['c.name']).orderBy('c.name').as('names'))
        .whereRef('gc.integration_id', '=', 'i.id')
        .as('clinic_names'),
    ])
    .where('g.clinic_id', '=', clinicId)
    .orderBy('i.created_at', 'desc')
    .execute();
}

export async function markTokenIssued(db: Database, integrationId: string, now: Date): Promise<void> {
  await db.updateTable('integrations').set({ last_token_at: now }).where('id', '=', integrationId).execute();
}

export async function revokeIntegration(trx: Kysely<DB>, integrationId: string, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('integrations')
    .set({ revoked_at: now })
    .where('id', '=', integrationId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function removeGrant(trx: Kysely<DB>, integrationId: string, clinicId: string): Promise<void> {
  await trx.deleteFrom('integration_clinics').where('integration_id', '=', integrationId).where('clinic_id', '=', clinicId).execute();
}

/** Records a client assertion's jti; false when it was seen before (a replay). Forgets expired ones. */
export async function useJti(db: Database, integrationId: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.deleteFrom('oauth_used_jtis').where('expires_at', '<', now).execute();
  const inserted = await db
    .insertInto('oauth_used_jtis')
    .values({ integration_id: integrationId, jti, expires_at: expiresAt })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
}
