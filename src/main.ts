import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { AppContext } from './context.ts';
import { hmac } from './features/auth/tokens.ts';
import { MitidClient } from './features/mitid/mitid-client.ts';
import { startTestBroker } from './features/mitid/test-broker.ts';
import { DEMO_PASSWORD, DEMO_PATIENT, demoStaff } from './demo/demo-data.ts';
import { seedDemoIfEmpty } from './demo/seed-demo.ts';
import { MailWorker } from './features/mail/mail-worker.ts';
import { RetentionWorker } from './features/retention/retention-worker.ts';
import { WebhookWorker } from './features/webhooks/webhook-worker.ts';
import { startPasswordResetWorker } from './features/patient-auth/reset-requests.ts';
import { startDataExportWorker } from './features/data-export/data-export-worker.ts';
import { SmtpSink } from './features/mail/smtp-sink.ts';
import { loggerOptions } from './http/logging.ts';
import { openSystem } from './system.ts';
import { listenForNotifications } from './db/notifications.ts';

async function startDevSmtp(preferredPort: number): Promise<SmtpSink> {
  const sink = new SmtpSink();
  try {
    await sink.listen(preferredPort);
  } catch {
    await sink.listen(0); // the preferred port is taken: any free one will do in development
  }
  return sink;
}

const MITID_CLIENT_ID = 'patientportal';
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * A configured MitID broker, or (outside production) the bundled test broker on its own port.
 * In production without MITID_ISSUER, MitID is off and the pages say so.
 */
async function startMitid(config: Config, ctx: AppContext) {
  const redirectUri = `${config.publicUrl}/api/mitid/callback`;
  if (config.mitid) {
    ctx.mitid = new MitidClient({ ...config.mitid, redirectUri });
    return undefined;
  }
  if (config.nodeEnv === 'production') return undefined;
  const secret = hmac(config.sessionSecret, 'mitid-test-broker');
  const options = { clientId: MITID_CLIENT_ID, clientSecret: secret, redirectUris: [redirectUri] };
  const broker = await startTestBroker({ ...options, port: config.mitidTestBrokerPort }).catch(() => startTestBroker({ ...options, port: 0 }));
  ctx.mitid = new MitidClient({ issuer: broker.issuer, clientId: MITID_CLIENT_ID, clientSecret: secret, redirectUri, allowHttp: true });
  return broker;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const system = await openSystem(config);
  const { ctx } = system;
  const seeded = config.nodeEnv !== 'production' && process.env.DEMO !== 'off' && (await seedDemoIfEmpty(ctx.db, ctx.clock.now()));

  const devMail = config.smtpUrl ? undefined : await startDevSmtp(config.devSmtpPort);
  const smtpUrl = config.smtpUrl ?? devMail?.url;
  if (!smtpUrl) throw new Error('no SMTP server: neither SMTP_URL nor the development server');
  const broker = await startMitid(config, ctx);
  const app = await buildApp({ ctx, devMail, logger: loggerOptions(process.env.LOG_LEVEL ?? 'info') });
  const worker = new MailWorker({
    db: ctx.db,
    clock: ctx.clock,
    smtpUrl,
    from: config.mailFrom,
    log: app.log,
  });
  const webhookWorker = new WebhookWorker({ db: ctx.db, clock: ctx.clock, publicUrl: config.publicUrl, log: app.log });

  const retention = new RetentionWorker({ db: ctx.db, clock: ctx.clock, periods: config.retention, log: app.log });

  // "Glemt adgangskode" requests are looked up and mailed here, after they were answered.
  const resetRequests = startPasswordResetWorker(ctx, app.log);
  // "Hent mine data": exports the patients asked for are built here and mailed about.
  const dataExports = startDataExportWorker(ctx, app.log);
  let closing = false;
  let stopListening = (): Promise<void> => Promise.resolve();
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // A request or an SMTP server that never finishes must not keep the process from exiting.
    setTimeout(() => {
      app.log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await app.close(); // stops accepting, lets requests in flight finish
    await stopListening();
    await worker.stop(); // finishes the batch being sent
    await retention.stop();
    await webhookWorker.stop();
    await resetRequests.stop();
    await dataExports.stop();
    await devMail?.close();
    await broker?.close();
    await system.close(); // closes the pool, then stops the embedded PostgreSQL
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  worker.start();
  // A queued mail (a login code above all) is sent when its transaction commits, not at the next poll.
  const notifications = listenForNotifications(system.databaseUrl, { outbox_mails: () => worker.wake() }, app.log);
  stopListening = () => notifications.close();
  retention.start();
  webhookWorker.start();

  const lines = [
    '',
    `Patientportal kører på ${config.publicUrl}`,
    `  API-dokumentation: ${config.publicUrl}/api/docs`,
    `  Database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `indlejret PostgreSQL i ${config.dataDir}`}`,
  ];
  if (devMail) lines.push(`  Udviklingspost: ${config.publicUrl}/dev/mail (SMTP på 127.0.0.1:${devMail.port})`);
  if (broker) lines.push(`  MitID-testbroker: ${broker.issuer} (vælg en testperson ved login)`);
  else if (!ctx.mitid) lines.push('  MitID: ikke konfigureret (MITID_ISSUER) - tilmelding med MitID er slået fra');
  // Nothing demo-ish in production: no demo data (above) and no demo passwords printed.
  if (config.nodeEnv !== 'production' && (seeded || process.env.DEMO !== 'off')) {
    if (seeded) lines.push('  Demodata indlæst.');
    lines.push(`  Demo-logins (adgangskode ${DEMO_PASSWORD}):`);
    for (const s of demoStaff) lines.push(`    ${s.email.padEnd(30)} ${s.name}`);
    lines.push(`  Demo-patient: ${config.publicUrl}/portal/login med ${DEMO_PATIENT.email} (koden kommer på /dev/mail)`);
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  console.error('Patientportal could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
