import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { RetentionPeriods } from './features/retention/retention.repository.ts';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  /** PostgreSQL connection string; when absent the embedded PGlite in dataDir is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** SMTP server to send through; when absent a development SMTP server is started in-process. */
  smtpUrl: string | undefined;
  devSmtpPort: number;
  mailFrom: string;
  /** Secret for HMACs (CSRF tokens). */
  sessionSecret: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Per IP and minute, on each login, code, password-link and activation route. */
  authRateLimitPerMinute: number;
  /** A real MitID broker; when absent (outside production) the bundled test broker is used. */
  mitid: { issuer: string; clientId: string; clientSecret: string } | undefined;
  mitidTestBrokerPort: number;
  /** The national GP registry lookup; when absent the imported gp_assignments table is used. */
  gpRegistryUrl: string | undefined;
  gpRegistryTimeoutMs: number;
  /** The CPR register's custody (forældremyndighed) lookup; when absent the imported custody_holders table is used. */
  custodyRegistryUrl: string | undefined;
  custodyRegistryTimeoutMs: number;
  /** Which proxies' X-Forwarded-For to believe: false, a hop count, or addresses/CIDRs (Fastify's trustProxy). */
  trustProxy: boolean | number | string[];
  /** How long what has no reason to stay is kept (see the README's retention table). */
  retention: RetentionPeriods;
  /** A request (headers and body) must arrive whole within this; slow senders are cut off. */
  requestTimeoutMs: number;
  /** Bearer token for GET /metrics; when absent /metrics answers loopback clients only. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function email(env: Env, name: string, fallback: string): string {
  const raw = env[name] ?? fallback;
  // Accept "Name <addr@host>" or a bare address.
  const address = /<([^>]+)>\s*$/.exec(raw)?.[1] ?? raw;
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new ConfigError(name, `is not an e-mail address: "${raw}"`);
  return raw;
}

/**
 * Secrets are required in production. On the embedded default they are generated once and kept
 * in the data dir, so sessions survive a restart without anyone having to configure anything.
 */
function secret(env: Env, name: string, nodeEnv: Config['nodeEnv'], dataDir: string): string {
  const raw = env[name];
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) throw new ConfigError(name, 'must be at least 32 characters');
    return raw;
  }
  if (nodeEnv === 'production') throw new ConfigError(name, 'is required when NODE_ENV=production');
  const file = path.join(dataDir, 'secrets.json');
  const stored = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Record<string, string | undefined>;
  const existing = stored[name];
  if (existing) return existing;
  const generated = randomBytes(32).toString('base64url');
  stored[name] = generated;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return generated;
}

function metricsToken(env: Env): string | undefined {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError('METRICS_TOKEN', 'must be at least 32 characters');
  return raw;
}

function mitidConfig(env: Env): Config['mitid'] {
  const issuer = url(env, 'MITID_ISSUER', ['https:', 'http:']);
  if (!issuer) return undefined;
  const clientId = env.MITID_CLIENT_ID;
  const clientSecret = env.MITID_CLIENT_SECRET;
  if (!clientId) throw new ConfigError('MITID_CLIENT_ID', 'is required when MITID_ISSUER is set');
  if (!clientSecret) throw new ConfigError('MITID_CLIENT_SECRET', 'is required when MITID_ISSUER is set');
  return { issuer, clientId, clientSecret };
}

/**
 * TRUST_PROXY: unset/off (no proxy: the socket address is the client), a hop count ("1": one
 * load balancer in front), or a comma-separated list of proxy addresses or CIDR ranges.
 */
function trustProxy(env: Env): Config['trustProxy'] {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'off' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError('TRUST_PROXY', `hop count must be from 1 to 10, got "${raw}"`);
    return hops;
  }
  const list = raw.split(',').map((entry) => entry.trim());
  for (const entry of list) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry)) {
      throw new ConfigError('TRUST_PROXY', `must be off, a hop count, or addresses/CIDR ranges separated by commas; "${entry}" is neither`);
    }
  }
  return list;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    throw new ConfigError('NODE_ENV', 'must be development, production or test');
  }
  const nodeEnv = nodeEnvRaw as Config['nodeEnv'];
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  if (nodeEnv === 'production' && !smtpUrl) throw new ConfigError('SMTP_URL', 'is required when NODE_ENV=production');
  const dataDir = path.resolve(env.DATA_DIR || './data');
  return {
    nodeEnv,
    port,
    // Outside production only this machine can reach it (the dev pages show login codes).
    host: env.HOST || (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    publicUrl: publicUrl.replace(/\/$/, ''),
    databaseUrl,
    dataDir,
    smtpUrl,
    devSmtpPort: integer(env, 'DEV_SMTP_PORT', 2525, 0, 65535),
    mailFrom: email(env, 'MAIL_FROM', 'Patientportal <no-reply@patientportal.localhost>'),
    sessionSecret: secret(env, 'SESSION_SECRET', nodeEnv, dataDir),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: integer(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    authRateLimitPerMinute: integer(env, 'AUTH_RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
    mitid: mitidConfig(env),
    mitidTestBrokerPort: integer(env, 'MITID_TEST_BROKER_PORT', 3001, 0, 65535),
    gpRegistryUrl: url(env, 'GP_REGISTRY_URL', ['http:', 'https:']),
    gpRegistryTimeoutMs: integer(env, 'GP_REGISTRY_TIMEOUT_MS', 3000, 100, 60_000),
    custodyRegistryUrl: url(env, 'CUSTODY_REGISTRY_URL', ['http:', 'https:']),
    custodyRegistryTimeoutMs: integer(env, 'CUSTODY_REGISTRY_TIMEOUT_MS', 3000, 100, 60_000),
    trustProxy: trustProxy(env),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    retention: {
      linksDays: integer(env, 'RETENTION_LINKS_DAYS', 30, 1, 3650),
      sessionsDays: integer(env, 'RETENTION_SESSIONS_DAYS', 1, 0, 3650),
      mitidHours: integer(env, 'RETENTION_MITID_HOURS', 24, 1, 24 * 365),
      rejectedRequestsDays: integer(env, 'RETENTION_REJECTED_REQUESTS_DAYS', 365, 1, 3650),
      exportsHours: integer(env, 'RETENTION_EXPORTS_HOURS', 24, 1, 24 * 30),
    },
    metricsToken: metricsToken(env),
  };
}
