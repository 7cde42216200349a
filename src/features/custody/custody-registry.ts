import type { Database } from '../../db/database.ts';
import { normalizeCpr } from '../patients/cpr.ts';

/** The custody source could not answer (down, slow, nonsense): never grants anything. */
export class CustodyUnavailable extends Error {}

/**
 * Forældremyndighed: who holds custody of a child. The CPR register in production, an imported
 * table by default. An empty list means nobody may act for the child.
 */
export interface CustodyRegistry {
  holdersOf(childCpr: string): Promise<string[]>;
}

/** The default: a table filled from CSV by `npx patientportal custody:import`. */
export class TableCustodyRegistry implements CustodyRegistry {
  constructor(private readonly db: Database) {}

  async holdersOf(childCpr: string): Promise<string[]> {
    try {
      const rows = await this.db.selectFrom('custody_holders').select('holder_cpr').where('child_cpr', '=', childCpr).orderBy('holder_cpr').execute();
      return rows.map((r) => r.holder_cpr);
    } catch (error) {
      throw new CustodyUnavailable('table lookup failed', { cause: error });
    }
  }
}

/**
 * The CPR register's custody lookup: GET {base}/personer/{cpr}/foraeldremyndighed answers the
 * holders' CPR numbers as JSON (`{"indehavere": ["0101801234", ...]}` or a bare array), and 404
 * when the register lists no holders. Anything else, or no answer within the timeout, is
 * "unavailable".
 */
export class HttpCustodyRegistry implements CustodyRegistry {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  async holdersOf(childCpr: string): Promise<string[]> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/personer/${encodeURIComponent(childCpr)}/foraeldremyndighed`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CustodyUnavailable('no answer', { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return [];
    }
    if (!response.ok) throw new CustodyUnavailable(`status ${response.status}`);
    let body: unknown;
    try {
      // The timeout covers the body too: a register that sends headers and then stalls is "slow".
      body = await response.json();
    } catch (error) {
      throw new CustodyUnavailable('not JSON', { cause: error });
    }
    const list = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? (body as { indehavere?: unknown }).indehavere : undefined;
    if (!Array.isArray(list)) throw new CustodyUnavailable('no list of holders');
    const holders = list.map((entry) => (typeof entry === 'string' ? normalizeCpr(entry) : null));
    // One entry we cannot read makes the whole answer untrustworthy: grant nothing rather than guess.
    if (holders.some((h) => h === null)) throw new CustodyUnavailable('not a CPR number');
    return [...new Set(holders as string[])].sort();
  }
}
