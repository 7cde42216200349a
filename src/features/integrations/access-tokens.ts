import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { AppContext } from '../../context.ts';

/** At most 10 minutes (the issue's bound); a revoked integration is refused earlier, per request. */
export const ACCESS_TOKEN_SECONDS = 600;

export interface AccessTokenClaims {
  integrationId: string;
  scopes: string[];
  clinicIds: string[];
}

/**
 * HS256 with a key derived from SESSION_SECRET, which every app process already shares, so any
 * process verifies a token another issued. The tokens never leave this server's trust boundary
 * (clients treat them as opaque), so a symmetric key is enough.
 */
const keyOf = (ctx: AppContext) => createHmac('sha256', ctx.config.sessionSecret).update('oauth-access-token-key').digest();
const issuerOf = (ctx: AppContext) => ctx.config.publicUrl;
const audienceOf = (ctx: AppContext) => `${ctx.config.publicUrl}/api`;

export async function issueAccessToken(ctx: AppContext, claims: AccessTokenClaims): Promise<string> {
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  return new SignJWT({ scope: claims.scopes.join(' '), clinics: claims.clinicIds })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(issuerOf(ctx))
    .setAudience(audienceOf(ctx))
    .setSubject(claims.integrationId)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TOKEN_SECONDS)
    .setJti(randomUUID())
    .sign(keyOf(ctx));
}

/** The claims of a valid, unexpired token of ours; null for anything else. */
export async function verifyAccessToken(ctx: AppContext, token: string): Promise<AccessTokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keyOf(ctx), {
      algorithms: ['HS256'],
      typ: 'at+jwt',
      issuer: issuerOf(ctx),
      audience: audienceOf(ctx),
      currentDate: ctx.clock.now(),
      requiredClaims: ['sub', 'exp'],
    });
    const { sub, scope, clinics } = payload;
    if (typeof sub !== 'string' || typeof scope !== 'string' || !Array.isArray(clinics)) return null;
    return { integrationId: sub, scopes: scope.split(' ').filter(Boolean), clinicIds: clinics.filter((c): c is string => typeof c === 'string') };
  } catch {
    return null;
  }
}
