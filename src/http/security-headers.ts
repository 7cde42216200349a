import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';

/**
 * Security headers from helmet: a strict CSP (no inline script anywhere; the dev mail page and
 * Swagger UI carry inline styles), no framing, no referrer, and HSTS when the portal is served
 * over https. API answers are never cached: they hold health data.
 *
 * helmet itself rather than @fastify/helmet: the plugin builds helmet's middleware anew for every
 * request (parsing the CSP directives each time), so in a heap profile under bench:queue a large
 * share of what even a no-op request allocated was that. Our headers are the same for every
 * route and we use no CSP nonces, so the middleware is built once, here.
 */
export function registerSecurityHeaders(app: FastifyInstance, config: Pick<Config, 'publicUrl'>): void {
  const https = config.publicUrl.startsWith('https://');
  const setSecurityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Swagger UI's page loads its own assets from /api/docs/static; cross-origin isolation would add nothing here.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
  // At onSend, so that it also overrides what a route (or @fastify/static under /api/docs) set.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') || request.url === '/metrics') void reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
}
