import { randomUUID } from 'node:crypto';
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RawRequestDefaultExpression,
} from 'fastify';

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

/**
 * One access-log line per request, written when it completes, with the request (method, path,
 * address), the status and the time taken, where Fastify writes two (incoming and completed):
 * every line costs the event loop, and one line per request says all an operator reads in an
 * access log. Fastify's other log lines (errors, closed streams, 404s) are kept as they are. A
 * request the client gives up on before it is answered never completes: logAbortedRequests
 * writes its line.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {
    // Said in the one line of requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * The access line of a request the client (or a load balancer) gave up on before it was answered:
 * without it, such a request, often the one an operator looks for (stuck behind a slow database,
 * a body that never came), would leave no line at all, now that none is written when it arrives.
 */
export function logAbortedRequests(app: FastifyInstance): void {
  app.addHook('onRequestAbort', (request, done) => {
    request.log.info({ req: request }, 'request aborted');
    done();
  });
}
