import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SmtpSink } from './smtp-sink.ts';
import { errors } from '../../errors.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
const linkify = (escaped: string) => escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);

/**
 * /dev/mail: what the development SMTP server received. Only mounted when SMTP_URL is unset and
 * NODE_ENV is not production (see app.ts); the page says so in its own header.
 */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The page shows login codes and activation links: only this machine may read it, even when the
 * server listens on every interface. Both the socket and the client address must be loopback, so
 * a proxy on this machine forwarding others does not open it either.
 */
function loopbackOnly(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  done(LOOPBACK.has(request.socket.remoteAddress ?? '') && LOOPBACK.has(request.ip) ? undefined : errors.notFound());
}

export function registerDevMailRoutes(app: FastifyInstance, sink: SmtpSink): void {
  app.get('/dev/mail.json', { schema: { hide: true }, onRequest: loopbackOnly }, () => sink.messages.slice().reverse());
  app.get('/dev/mail', { schema: { hide: true }, onRequest: loopbackOnly }, async (_request, reply) => {
    const items = sink.messages
      .slice()
      .reverse()
      .map(
        (m) => `<article aria-labelledby="mail-${m.id}">
  <h2 id="mail-${m.id}">${escape(m.subject)}</h2>
  <p>Til / To: ${escape(m.to.join(', '))} · ${m.receivedAt.toISOString()}</p>
  <pre>${linkify(escape(m.text))}</pre>
</article>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Udviklingspost – Patientportal</title>
<style>body{font-family:system-ui,sans-serif;margin:0}header{background:#8a1c1c;color:#fff;padding:1rem}
main{padding:1rem;max-width:60rem}article{border:1px solid #999;border-radius:4px;padding:0 1rem;margin:1rem 0}
pre{white-space:pre-wrap}a{color:#0b4f9c}</style></head>
<body><header><p><strong>UDVIKLING / DEVELOPMENT.</strong> Post modtaget af den indbyggede SMTP-server.
Vises aldrig i drift. / Mail received by the built-in SMTP server. Never shown in production.</p></header>
<main><h1>Udviklingspost (${sink.messages.length})</h1>${items || '<p>Ingen post endnu. / No mail yet.</p>'}</main></body></html>`);
  });
}
