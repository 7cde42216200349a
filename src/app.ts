import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from './context.ts';
import { staffAuthRoutes } from './features/auth/staff-auth.routes.ts';
import { secondFactorRoutes } from './features/second-factor/second-factor.routes.ts';
import { clinicSettingsRoutes } from './features/clinics/clinic-settings.routes.ts';
import { clinicsRoutes } from './features/clinics/clinics.routes.ts';
import { healthRoutes } from './features/health/health.routes.ts';
import { registerDevMailRoutes } from './features/mail/dev-mail.routes.ts';
import { mailFailuresRoutes } from './features/mail/mail-failures.routes.ts';
import type { SmtpSink } from './features/mail/smtp-sink.ts';
import { patientsRoutes } from './features/patients/patients.routes.ts';
import { patientAccountRoutes } from './features/patient-auth/patient-account.routes.ts';
import { patientAuthRoutes } from './features/patient-auth/patient-auth.routes.ts';
import { loginRequestsRoutes } from './features/login-requests/login-requests.routes.ts';
import { econsultationRoutes } from './features/econsultation/econsultation.routes.ts';
import { bookingRoutes } from './features/booking/booking.routes.ts';
import { renewalRoutes } from './features/renewal/renewal.routes.ts';
import { mitidRoutes } from './features/mitid/mitid.routes.ts';
import { registrationRoutes } from './features/registration/registration.routes.ts';
import { portalAccessRoutes } from './features/portal-access/portal-access.routes.ts';
import { childAccessRoutes } from './features/child-access/child-access.routes.ts';
import { fuldmagtRoutes } from './features/fuldmagt/fuldmagt.routes.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { registerWeb } from './http/web.ts';
import { AccessLog, logAbortedRequests, requestIdFor } from './http/logging.ts';
import { registerTextInputRules } from './http/text-input.ts';
import { registerMetrics } from './features/metrics/metrics.ts';
import { myLogRoutes } from './features/my-log/my-log.routes.ts';
import { dataExportRoutes } from './features/data-export/data-export.routes.ts';
import { registerRateLimits } from './features/rate-limits/rate-limit.ts';
import { integrationsRoutes } from './features/integrations/integrations.routes.ts';
import { oauthRoutes } from './features/integrations/oauth.routes.ts';
import { clinicSystemSyncRoutes } from './features/sync/sync.routes.ts';
import { eventsRoutes } from './features/events/events.routes.ts';
import { webhooksRoutes } from './features/webhooks/webhooks.routes.ts';
import { webhookLogRoutes } from './features/webhooks/webhook-log.routes.ts';

export interface AppOptions {
  ctx: AppContext;
  /** The development SMTP server; /dev/mail is mounted only when it is given. */
  devMail?: SmtpSink;
  logger?: FastifyServerOptions['logger'];
  webDir?: string;
}

/** A hop count trusts that many proxies in front (the nearest first), as proxy-addr counts them. */
function trustProxyOption(setting: AppContext['config']['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    genReqId: requestIdFor,
    logController: new AccessLog({ requestIdLogLabel: 'requestId' }),
    // Slow clients cannot hold connections open: the headers must arrive within 10 s and the whole
    // request within 30 s (checked every 2 s), an idle connection is closed after 60 s.
    requestTimeout: ctx.config.requestTimeoutMs,
    connectionTimeout: 60_000,
    http: { headersTimeout: Math.min(10_000, ctx.config.requestTimeoutMs), connectionsCheckingInterval: 2000 },
    // JSON forms are small; the routes that take more (attachments) set their own limit.
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app);
  if (options.logger) logAbortedRequests(app);
  registerTextInputRules(app);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  registerSecurityHeaders(app, ctx.config);
  registerMetrics(app, ctx);
  await app.register(cookie);
  registerRateLimits(app, ctx);
  await registerOpenApi(app);

  await app.register(healthRoutes, { ctx });
  await app.register(staffAuthRoutes, { ctx });
  await app.register(patientsRoutes, { ctx });
  await app.register(portalAccessRoutes, { ctx });
  await app.register(childAccessRoutes, { ctx });
  await app.register(fuldmagtRoutes, { ctx });
  await app.register(patientAuthRoutes, { ctx });
  await app.register(patientAccountRoutes, { ctx });
  await app.register(mitidRoutes, { ctx });
  await app.register(registrationRoutes, { ctx });
  await app.register(loginRequestsRoutes, { ctx });
  await app.register(econsultationRoutes, { ctx });
  await app.register(bookingRoutes, { ctx });
  await app.register(renewalRoutes, { ctx });
  await app.register(clinicsRoutes, { ctx });
  await app.register(clinicSettingsRoutes, { ctx });
  await app.register(mailFailuresRoutes, { ctx });
  await app.register(myLogRoutes, { ctx });
  await app.register(dataExportRoutes, { ctx });
  await app.register(oauthRoutes, { ctx });
  await app.register(integrationsRoutes, { ctx });
  await app.register(clinicSystemSyncRoutes, { ctx });
  await app.register(eventsRoutes, { ctx });
  await app.register(webhooksRoutes, { ctx });
  await app.register(webhookLogRoutes, { ctx });
  await app.register(secondFactorRoutes, { ctx });
  if (options.devMail && ctx.config.nodeEnv !== 'production' && !ctx.config.smtpUrl) {
    registerDevMailRoutes(app, options.devMail);
  }
  await registerWeb(app, options.webDir);
  return app;
}
