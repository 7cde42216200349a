import type { FastifyError, FastifyInstance } from 'fastify';
import { safeError } from './safe-error.ts';
import { AppError, errorBody, errors, internalErrorBody } from '../errors.ts';
import { isDatabaseUnavailable } from '../db/database.ts';

interface ValidationItem {
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function fieldOf(item: ValidationItem | undefined): string {
  if (!item) return 'body';
  const missing = item.params?.missingProperty;
  const path = (item.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path || 'body';
}

/** What reaches the handler: Fastify's own errors, and any Error a handler or library threw (often without a code). */
type CaughtError = Error & Partial<Pick<FastifyError, 'code' | 'statusCode' | 'validation'>>;

function toAppError(error: CaughtError): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const field = fieldOf(error.validation[0]);
    return errors.validation(field, {
      da: `Feltet "${field}" er ugyldigt eller mangler.`,
      en: `The field "${field}" is invalid or missing.`,
    });
  }
  const code = error.code ?? '';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'body_too_large', { da: 'Forespørgslen er for stor.', en: 'The request is too large.' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', {
        da: 'Forespørgslen skal være JSON.',
        en: 'The request must be JSON.',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.validation('body', { da: 'Ugyldig JSON.', en: 'Invalid JSON.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.validation('body', { da: 'Forespørgslen mangler indhold.', en: 'The request body is missing.' });
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return errors.tooManyRequests();
  }
  if (error.statusCode === 429) return errors.tooManyRequests();
  // The database refused a write because a concurrent request got there first (a unique key,
  // a serialization failure or a deadlock). The transaction rolled back whole, so this is a
  // conflict the client may retry, not a server fault.
  if (['23505', '40001', '40P01'].includes(code)) return errors.concurrentChange();
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  // Class 22 (data exception: a number out of range, text that is no valid value of its type)
  // means a client's value got past its schema to SQL. The schemas should stop it; if one does
  // not, the client still gets a 400, not a 500.
  if (/^22[0-9A-Z]{3}$/.test(code)) {
    return errors.validation('request', { da: 'En værdi i forespørgslen er uden for det tilladte.', en: 'A value in the request is out of range.' });
  }
  // Any other client error Fastify itself raises (bad headers, bad body): a 4xx, never a 500.
  if (code.startsWith('FST_') && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode, 'bad_request', { da: 'Ugyldig forespørgsel.', en: 'Bad request.' });
  }
  return undefined;
}

const databaseUnavailable = () =>
  new AppError(503, 'database_unavailable', {
    da: 'Patientportal kan ikke nå sin database lige nu. Prøv igen om lidt.',
    en: 'Patientportal cannot reach its database right now. Please try again shortly.',
  });

const requestAborted = () =>
  new AppError(400, 'request_aborted', { da: 'Forespørgslen blev afbrudt, før den var modtaget.', en: 'The request was aborted before it was received.' });

function withRequestId<T extends { error: object }>(body: T, requestId: string): T {
  return { ...body, error: { ...body.error, requestId } };
}

/** One global handler: known errors keep their status and code, everything else is a bare 500. */
export function registerErrorHandler(app: FastifyInstance): void {
  // Logins turned away in a flood: one warning every 10 s with the count, not a line per login,
  // which would flood the log during the very flood it reports (the metrics count each one).
  let turnedAway = 0;
  let warnedAt = 0;
  app.setErrorHandler((error: CaughtError, request, reply) => {
    // The client hung up before its request was read whole: the body's stream fails with the
    // socket's ECONNRESET, which is no fault of the database's (it was answered 503 and logged as
    // "database unavailable"). Nobody waits for this answer; the access log says "request aborted".
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- what Fastify's onRequestAbort goes by; `destroyed`, its suggested replacement, is true for every request whose body was read whole
    if (request.raw.aborted) return reply.status(400).send(withRequestId(errorBody(requestAborted()), request.id));
    const known = toAppError(error);
    // The request id lets support find the log line of an answer a user reports.
    if (known) {
      if (known.code === 'busy') {
        turnedAway += 1;
        if (Date.now() - warnedAt >= 10_000) {
          request.log.warn({ turnedAway }, 'logins turned away: the password checks queue is full');
          warnedAt = Date.now();
          turnedAway = 0;
        }
        // A turned-away login may come back in a moment.
        void reply.header('Retry-After', '2');
      } else if (known.status === 503) {
        request.log.warn({ err: safeError(error) }, 'database unavailable');
        void reply.header('Retry-After', '5');
      }
      return reply.status(known.status).send(withRequestId(errorBody(known), request.id));
    }
    request.log.error({ err: safeError(error) }, 'unhandled error');
    return reply.status(500).send(withRequestId(internalErrorBody, request.id));
  });
}
