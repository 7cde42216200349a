import type { FastifyServerOptions } from 'fastify';

/**
 * Request logs carry method, path and address only: query strings may hold a CPR number
 * (patient search), and cookies and CSRF headers are secrets.
 */
export function loggerOptions(level = 'info'): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        path: request.url.split('?')[0],
        remoteAddress: request.ip,
      }),
    },
  };
}
