import { randomBytes } from 'node:crypto';
import { importJWK } from 'jose';
import type { Database } from '../../db/database.ts';
import { errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { hashToken } from '../auth/tokens.ts';
import { expireCurrentSecrets, findIntegrationForClinic, insertIntegration, insertSecret, removeGrant, revokeIntegration } from './integrations.repository.ts';
import { isScope } from './scopes.ts';

/** Client assertions may be signed with these (asymmetric only: the server never holds a client's signing key). */
export const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface NewIntegration {
  name: string;
  clinicIds: string[];
  scopes: string[];
  /** A public JWK for private_key_jwt; the secret is issued either way. */
  publicJwk?: Record<string, unknown> | null;
  /** A vendor's integration may be granted several clinics; a clinic's own exactly one. */
  kind?: 'clinic' | 'vendor';
}

export interface IssuedCredentials {
  clientId: string;
  /** Shown once; only its SHA-256 is stored. */
  clientSecret: string;
}

/** 256 random bits: a secret of this strength needs no slow hash, SHA-256 is enough (it is not a password). */
const newSecret = () => `pps_${randomBytes(32).toString('base64url')}`;

async function checkPublicJwk(jwk: Record<string, unknown>): Promise<void> {
  const invalid = () => errors.validation('publicJwk', { da: 'Den offentlige nøgle (JWK) er ugyldig.', en: 'The public key (JWK) is not valid.' });
  if ('d' in jwk || jwk.kty === 'oct') throw invalid();
  const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
  if (!alg || !ASSERTION_ALGORITHMS.includes(alg)) {
    throw errors.validation('publicJwk', { da: 'Nøglen skal angive alg (fx RS256 eller ES256).', en: 'The key must name its alg (e.g. RS256 or ES256).' });
  }
  try {
    await importJWK(jwk, alg);
  } catch {
    throw invalid();
  }
}

function checkScopes(scopes: string[]): void {
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined || scopes.length === 0) {
    throw errors.validation('scopes', { da: `Ukendt eller manglende scope: ${unknown ?? ''}`, en: `Unknown or missing scope: ${unknown ?? ''}` });
  }
}

export async function createIntegration(db: Database, input: NewIntegration, actor: Actor, now: Date): Promise<IssuedCredentials> {
  const scopes = [...new Set(input.scopes)];
  checkScopes(scopes);
  const clinicIds = [...new Set(input.clinicIds)];
  if (clinicIds.length === 0) throw errors.validation('clinicIds', { da: 'Vælg mindst én klinik.', en: 'Choose at least one clinic.' });
  const kind = input.kind ?? (clinicIds.length === 1 ? 'clinic' : 'vendor');
  if (kind === 'clinic' && clinicIds.length !== 1) {
    throw errors.validation('clinicIds', { da: 'En kliniks egen systemadgang gælder én klinik.', en: "A clinic's own integration covers one clinic." });
  }
  if (input.publicJwk) await checkPublicJwk(input.publicJwk);
  const secret = newSecret();
  const id = await db.transaction().execute(async (trx) => {
    const integrationId = await insertIntegration(trx, {
      name: input.name.trim(),
      kind,
      scopes,
      publicJwk: input.publicJwk ?? null,
      clinicIds,
      createdBy: actor.id,
      now,
    });
    await insertSecret(trx, integrationId, hashToken(secret), now);
    for (const clinicId of clinicIds) {
      await audit(trx, actor, now, { action: 'integration.created', clinicId, details: { integrationId, scopes } });
    }
    return integrationId;
  });
  return { clientId: id, clientSecret: secret };
}

/** A new secret; the old ones keep working for `overlapMs` so the clinic system can switch without downtime. */
export async function rotateSecret(
  db: Database,
  integrationId: string,
  clinicId: string,
  overlapMs: number,
  actor: Actor,
  now: Date,
): Promise<IssuedCredentials> {
  const secret = newSecret();
  await db.transaction().execute(async (trx) => {
    const found = await findIntegrationForClinic(trx, integrationId, clinicId);
    if (!found || found.revoked_at) throw errors.notFound();
    await expireCurrentSecrets(trx, integrationId, new Date(now.getTime() + overlapMs));
    await insertSecret(trx, integrationId, hashToken(secret), now);
    await audit(trx, actor, now, { action: 'integration.secret_rotated', clinicId, details: { integrationId, overlapMs } });
  });
  return { clientId: integrationId, clientSecret: secret };
}

/**
 * Revocation takes effect on the next request: bearer requests read the integration row every time.
 * A vendor integration serving other clinics loses only this clinic's grant.
 */
export async function revokeForClinic(db: Database, integrationId: string, clinicId: string, actor: Actor, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const found = await findIntegrationForClinic(trx, integrationId, clinicId);
    if (!found) throw errors.notFound();
    if (found.kind === 'vendor') await removeGrant(trx, integrationId, clinicId);
    else await revokeIntegration(trx, integrationId, now);
    await audit(trx, actor, now, { action: 'integration.revoked', clinicId, details: { integrationId } });
  });
}
