import * as oidc from 'openid-client';
import { AppError } from '../../errors.ts';
import { ACCEPTED_LOA, MITID_SCOPE, type MitidIdentity } from './claims.ts';

export interface MitidClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Only for the local test broker, which speaks plain http on localhost. */
  allowHttp?: boolean;
}

export interface PendingAuthorization {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class MitidError extends AppError {
  constructor(code: string, da: string, en: string) {
    super(400, code, { da, en });
  }
}

/**
 * OpenID Connect against a MitID broker: authorization code flow with PKCE (S256), state and
 * nonce; openid-client checks the ID token's signature, iss, aud, exp and nonce. Discovery is
 * lazy and retried, so a broker that is down at start-up does not stop the server.
 */
/** A claim as text: strings as sent, numbers in decimal; anything else (absent, an object) is empty. */
function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

export class MitidClient {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: MitidClientOptions) {}

  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(
        new URL(this.options.issuer),
        this.options.clientId,
        this.options.clientSecret,
        undefined,
        this.options.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.#config = undefined;
        throw error;
      });
    return this.#config;
  }

  newAuthorization(): PendingAuthorization {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  async authorizationUrl(pending: PendingAuthorization): Promise<URL> {
    const config = await this.#configuration();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: MITID_SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      // Every MitID login is a fresh authentication, never a broker session left from before.
      prompt: 'login',
    });
  }

  /** Redeems the code from the callback URL and returns the identity, or throws MitidError. */
  async finish(callbackUrl: URL, pending: PendingAuthorization): Promise<MitidIdentity> {
    const config = await this.#configuration();
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch {
      throw new MitidError('mitid_failed', 'Login med MitID mislykkedes. Prøv igen.', 'Logging in with MitID failed. Please try again.');
    }
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    const loa = claimText(claims.loa);
    if (!ACCEPTED_LOA.includes(loa)) {
      throw new MitidError(
        'mitid_loa_too_low',
        'Dit MitID har for lavt sikringsniveau. Der kræves mindst betydeligt (Substantial).',
        'Your MitID has too low an assurance level. At least Substantial is required.',
      );
    }
    const cpr = claimText(claims['dk.cpr']);
    const uuid = claimText(claims['mitid.uuid']);
    const name = claimText(claims['mitid.identity_name']).trim();
    const birthDate = claimText(claims['mitid.date_of_birth']);
    if (!/^\d{10}$/.test(cpr) || !uuid || !name || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) {
      throw new MitidError('mitid_claims_missing', 'MitID sendte ikke de nødvendige oplysninger.', 'MitID did not send the required details.');
    }
    return { cpr, uuid, name, birthDate, loa };
  }
}
