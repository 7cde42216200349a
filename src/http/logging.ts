import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions, RawRequestDefaultExpression } from 'fastify';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Every request gets an id that is in each of its log lines and in the X-Request-Id answer
 * header. An id sent by a load balancer is kept when it looks like one (so the two logs join);
 * anything else is replaced, so a client cannot write arbitrary text into our logs.
 */
export function requestIdFor(request: RawRequestDefaultExpression): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

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
