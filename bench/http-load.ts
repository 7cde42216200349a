/**
 * The load generator of bench:api (and bench:login's kind of measurement): run in a process of its
 * own so it does not share the server's event loop. Keeps CONCURRENCY requests in flight over
 * keep-alive connections for SECONDS and prints {"requests", "errors", "seconds"} as JSON.
 *
 * Usage: tsx bench/http-load.ts <seconds> <concurrency> <headers as JSON> <url> [url ...]
 * A url written `POST <url> <JSON body>` is posted with that body.
 */
import { Agent, request } from 'node:http';

const [secondsArg, concurrencyArg, headersArg, ...urls] = process.argv.slice(2);
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
const headers = JSON.parse(headersArg ?? '{}') as Record<string, string>;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** `url`, or `POST url body` (the body is the rest after the second space; it may hold spaces). */
function parse(spec: string): { method: string; url: string; body?: string } {
  if (!spec.startsWith('POST ')) return { method: 'GET', url: spec };
  const rest = spec.slice('POST '.length);
  const space = rest.indexOf(' ');
  return { method: 'POST', url: rest.slice(0, space), body: rest.slice(space + 1) };
}

function send(spec: string): Promise<number> {
  const { method, url, body } = parse(spec);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.once('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function main() {
  let requests = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const status = await send(urls[next++ % urls.length]!);
        if (status === 200) requests++;
        else errors++;
      }
    }),
  );
  agent.destroy();
  console.log(JSON.stringify({ requests, errors, seconds: (performance.now() - started) / 1000 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
