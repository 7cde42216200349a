/**
 * The load generator of bench:api (and bench:login's kind of measurement): run in a process of its
 * own so it does not share the server's event loop. Keeps CONCURRENCY requests in flight over
 * keep-alive connections for SECONDS and prints {"requests", "errors", "seconds"} as JSON.
 *
 * Usage: tsx bench/http-load.ts <seconds> <concurrency> <cookie or -> <url> [url ...]
 */
import { Agent, request } from 'node:http';

const [secondsArg, concurrencyArg, cookieArg, ...urls] = process.argv.slice(2);
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
const cookie = cookieArg === '-' ? undefined : cookieArg;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.once('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.once('error', reject);
    req.end();
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
        const status = await get(urls[next++ % urls.length]!);
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
