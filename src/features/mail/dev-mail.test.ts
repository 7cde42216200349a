import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevMailRoutes } from './dev-mail.routes.ts';
import { SmtpSink } from './smtp-sink.ts';

describe('/dev/mail', () => {
  const app = Fastify();
  const sink = new SmtpSink();
  beforeAll(async () => {
    await sink.listen(0);
    registerDevMailRoutes(app, sink);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  it('answers loopback clients only, also when the server listens on every interface', async () => {
    for (const url of ['/dev/mail', '/dev/mail.json']) {
      expect((await app.inject({ url, remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
      expect((await app.inject({ url, remoteAddress: '::1' })).statusCode).toBe(200);
      expect((await app.inject({ url, remoteAddress: '192.168.1.20' })).statusCode).toBe(404);
      expect((await app.inject({ url, remoteAddress: '::ffff:10.0.0.7' })).statusCode).toBe(404);
    }
  });
});
