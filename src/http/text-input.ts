import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.ts';
import { isCleanText } from '../text-rules.ts';

/** The path of the first string in `value` that holds a control character or a lone surrogate. */
export function firstBadText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isCleanText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const bad = firstBadText(item, `${path}.${index}`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const bad = firstBadText(item, path ? `${path}.${key}` : key) ?? firstBadText(key, path ? `${path}.${key}` : key);
      if (bad) return bad;
    }
  }
  return undefined;
}

const badText = (field: string) =>
  errors.validation(field, {
    da: `Feltet "${field}" indeholder tegn, der ikke er tilladt (styretegn eller ugyldig Unicode).`,
    en: `The field "${field}" holds characters that are not allowed (control characters or invalid Unicode).`,
  });

/**
 * One rule for every text a client sends, in bodies, query strings and path parameters: valid
 * UTF-8 (not silently turned into U+FFFD), no lone surrogates, and no control characters but tab
 * and line breaks. A breach is a 400 naming the field, before any handler or SQL sees it (a NUL
 * byte reached PostgreSQL as a 500 before).
 */
export function registerTextInputRules(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (body.length === 0) {
      done(errors.validation('body', { da: 'Forespørgslen mangler indhold.', en: 'The request body is missing.' }));
      return;
    }
    if (!isUtf8(body)) {
      done(errors.validation('body', { da: 'Forespørgslen er ikke gyldig UTF-8.', en: 'The request body is not valid UTF-8.' }));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      done(errors.validation('body', { da: 'Ugyldig JSON.', en: 'Invalid JSON.' }));
      return;
    }
    const bad = firstBadText(parsed, '');
    done(bad !== undefined ? badText(bad || 'body') : null, parsed);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const bad = firstBadText(request.params, '') ?? firstBadText(request.query, '');
    done(bad !== undefined ? badText(bad) : undefined);
  });
}
