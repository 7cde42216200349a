import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/databases.ts';
import { activatedPatient, clinicWithSecretary } from './helpers/portal.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

describe.each(backends)('hostile and malformed input on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it.each([
    ['/api/auth/login', { email: 'a\u0000@b.dk', password: 'x' }, 'email'],
    ['/api/patient/login', { identifier: '010101\u00001234', password: 'x' }, 'identifier'],
    ['/api/patient/forgot-password', { identifier: 'x\u0000@y.dk' }, 'identifier'],
    ['/api/registration/laegerne-x/request', { name: 'A\u0007B', cpr: '0101011234', email: 'a@b.dk' }, 'name'],
  ])('answers 400 validation_failed naming the field for a control character in %s', async (url, body, field) => {
    const response = await post(url, JSON.stringify(body));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    expect(response.json().error.message.da).toContain(field);
  });

  it('refuses a lone surrogate and a body that is not UTF-8, instead of storing U+FFFD', async () => {
    const surrogate = await post('/api/patient/forgot-password', '{"identifier":"x\\ud800@y.dk"}');
    expect(surrogate.statusCode).toBe(400);
    expect(surrogate.json().error.field).toBe('identifier');
    const latin1 = await post('/api/patient/forgot-password', Buffer.from('{"identifier":"s\xf8ren@y.dk"}', 'latin1'));
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().error.message.en).toContain('UTF-8');
  });

  it('refuses a NUL byte in a query string and a path parameter with 400, not 500', async () => {
    const { secretary, clinic } = await clinicWithSecretary(t);
    const search = await secretary.get(`/api/clinics/${clinic.id}/patients?q=%00`);
    expect(search.statusCode).toBe(400);
    expect(search.json().error.field).toBe('q');
    const slug = await t.app.inject({ method: 'GET', url: '/api/registration/%00' });
    expect(slug.statusCode).toBe(400);
    expect(slug.json().error.field).toBe('slug');
  });

  it('answers 400 for numbers no column can hold: ?limit=Infinity and ids past int8', async () => {
    const { secretary, clinic } = await clinicWithSecretary(t);
    for (const limit of ['Infinity', '1e400', '-1', '99999999999999999999']) {
      const response = await secretary.get(`/api/clinics/${clinic.id}/patients?limit=${limit}`);
      expect(response.statusCode).toBe(400);
    }
    const { buildStaff } = await import('./helpers/factories.ts');
    const support = await buildStaff(t.ctx.db, { isSupport: true, clinics: [] });
    const { StaffClient } = await import('./helpers/test-app.ts');
    const supporter = new StaffClient(t.app);
    await supporter.login(support.email, support.password);
    for (const id of ['99999999999999999999', '9223372036854775807', '1e400', 'Infinity']) {
      const response = await supporter.post(`/api/support/failed-mails/${id}/retry`);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
  });

  it('keeps line breaks and tabs in multi-line text', async () => {
    const { email } = await activatedPatient(t);
    const response = await post('/api/patient/forgot-password', JSON.stringify({ identifier: email }));
    expect(response.statusCode).toBe(200);
    const { firstBadText } = await import('../src/http/text-input.ts');
    expect(firstBadText({ text: 'Ondt i knæet\r\nsiden\tmandag' }, '')).toBeUndefined();
  });

  it('answers 413 for a JSON form body beyond the small default limit', async () => {
    const response = await post('/api/patient/forgot-password', JSON.stringify({ identifier: 'x'.repeat(100 * 1024) }));
    expect(response.statusCode).toBe(413);
  });

  it('refuses an unauthenticated upload before reading its body', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as net.AddressInfo;
    // Announce 40 MB but send only the headers: the answer must come without the body.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /api/patient/clinics/00000000-0000-0000-0000-000000000000/econsultations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${40 * 1024 * 1024}\r\n\r\n{"subject":`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        reject(new Error('no answer before the body was sent'));
      }, 5000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
  });
});

describe.each(backends)('slow clients on %s', (backend) => {
  it('cuts off a request whose body trickles in slower than the request timeout', async () => {
    const t = await startTestApp(backend, { REQUEST_TIMEOUT_MS: '1000' });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as net.AddressInfo;
      const closed = await new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write('POST /api/patient/forgot-password HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
        });
        let answer = '';
        // One byte a second, for up to 20 s: the server must end it long before.
        const trickle = setInterval(() => socket.write(' '), 1000);
        const giveUp = setTimeout(() => socket.destroy(), 20_000);
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => {
          clearInterval(trickle);
          clearTimeout(giveUp);
          resolve(answer);
        });
        socket.on('error', () => undefined);
      });
      expect(closed).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await t.close();
    }
  });
});
