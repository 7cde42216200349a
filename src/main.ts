import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_PASSWORD, demoStaff } from './demo/demo-data.ts';
import { seedDemoIfEmpty } from './demo/seed-demo.ts';
import { MailWorker } from './features/mail/mail-worker.ts';
import { SmtpSink } from './features/mail/smtp-sink.ts';
import { loggerOptions } from './http/logging.ts';
import { openSystem } from './system.ts';

async function startDevSmtp(preferredPort: number): Promise<SmtpSink> {
  const sink = new SmtpSink();
  try {
    await sink.listen(preferredPort);
  } catch {
    await sink.listen(0); // the preferred port is taken: any free one will do in development
  }
  return sink;
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
  const app = await buildApp({ ctx, devMail, logger: loggerOptions(process.env.LOG_LEVEL ?? 'info') });
  const worker = new MailWorker({
    db: ctx.db,
    clock: ctx.clock,
    smtpUrl: config.smtpUrl ?? devMail!.url,
    from: config.mailFrom,
    log: app.log,
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close(); // stops accepting, lets requests in flight finish
    await worker.stop();
    await devMail?.close();
    await system.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  worker.start();

  const lines = [
    '',
    `Patientportal kører på ${config.publicUrl}`,
    `  API-dokumentation: ${config.publicUrl}/api/docs`,
    `  Database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `indlejret PGlite i ${config.dataDir}`}`,
  ];
  if (devMail) lines.push(`  Udviklingspost: ${config.publicUrl}/dev/mail (SMTP på 127.0.0.1:${devMail.port})`);
  if (seeded || process.env.DEMO !== 'off') {
    if (seeded) lines.push('  Demodata indlæst.');
    lines.push(`  Demo-logins (adgangskode ${DEMO_PASSWORD}):`);
    for (const s of demoStaff) lines.push(`    ${s.email.padEnd(30)} ${s.name}`);
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  console.error('Patientportal could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
