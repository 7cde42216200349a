import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorBody, errors } from '../errors.ts';

// src/http (run from source) and dist/server/http (compiled) both find the built UI in dist/web.
export const WEB_DIST = import.meta.dirname.includes(`${path.sep}dist${path.sep}server${path.sep}`)
  ? path.resolve(import.meta.dirname, '../../web')
  : path.resolve(import.meta.dirname, '../../dist/web');

/**
 * Serves the built React UI. Any GET outside /api and /dev that is not a file gets index.html
 * so that client-side routes survive a reload; everything else is a JSON 404.
 */
export async function registerWeb(app: FastifyInstance, webDir = WEB_DIST): Promise<void> {
  const hasWeb = existsSync(path.join(webDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false, index: false });
  app.setNotFoundHandler(async (request, reply) => {
    const isPage = request.method === 'GET' && !/^\/(api|dev)(\/|$)/.test(request.url);
    if (isPage && hasWeb) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return reply.status(404).send(errorBody(errors.notFound()));
  });
}
