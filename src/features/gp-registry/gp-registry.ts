import type { Database } from '../../db/database.ts';

/** What the registry of GP assignments says about a CPR number. */
export type OwnDoctor = { status: 'found'; ydernummer: string } | { status: 'none' } | { status: 'unknown' };

/** The registry could not answer (down, slow, nonsense): never a reason to approve. */
export class RegistryUnavailable extends Error {}

/** "Egen læge": the national registry in production, an imported table by default. */
export interface GpRegistry {
  ownDoctor(cpr: string): Promise<OwnDoctor>;
}

/** The default: a table filled from CSV by `npx patientportal gp-registry:import`. */
export class TableGpRegistry implements GpRegistry {
  constructor(private readonly db: Database) {}

  async ownDoctor(cpr: string): Promise<OwnDoctor> {
    let row;
    try {
      row = await this.db.selectFrom('gp_assignments').select('ydernummer').where('cpr', '=', cpr).executeTakeFirst();
    } catch (error) {
      throw new RegistryUnavailable('table lookup failed', { cause: error });
    }
    if (!row) return { status: 'unknown' };
    return row.ydernummer ? { status: 'found', ydernummer: row.ydernummer } : { status: 'none' };
  }
}

/**
 * The national master-data lookup: GET {base}/sikrede/{cpr}/egenLaegeYdernummer answers the
 * ydernummer (a JSON string, or an object with `ydernummer`), null when no doctor is chosen, and
 * 404 for an unknown CPR. Anything else, or no answer within the timeout, is "unavailable".
 */
export class HttpGpRegistry implements GpRegistry {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  async ownDoctor(cpr: string): Promise<OwnDoctor> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/sikrede/${encodeURIComponent(cpr)}/egenLaegeYdernummer`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new RegistryUnavailable('no answer', { cause: error });
    }
    if (response.status === 404) return { status: 'unknown' };
    if (!response.ok) throw new RegistryUnavailable(`status ${response.status}`);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new RegistryUnavailable('not JSON', { cause: error });
    }
    const value = body !== null && typeof body === 'object' ? ((body as { ydernummer?: unknown }).ydernummer ?? null) : body;
    if (value === null) return { status: 'none' };
    // The registry answers a string or a number; anything else is not a ydernummer.
    const ydernummer = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    if (!/^\d{6}$/.test(ydernummer)) throw new RegistryUnavailable('not a ydernummer');
    return { status: 'found', ydernummer };
  }
}
