import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CustodyAnswer {
  status: number;
  body?: string;
  delayMs?: number;
}

/** A local server speaking the CPR register's custody contract. */
export function custodyServer(answers: Record<string, CustodyAnswer>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const cpr = /^\/cpr\/personer\/(\d{10})\/foraeldremyndighed$/.exec(req.url ?? '')?.[1];
    // Read at request time, so a test can change the register's answer mid-session.
    const answer = cpr ? answers[cpr] : undefined;
    if (!answer) return void res.writeHead(404).end();
    setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delayMs ?? 0);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cpr`, server })),
  );
}
