import net from 'node:net';

/**
 * A TCP proxy between the app's pool and PostgreSQL that a test can cut (every connection
 * reset, new ones refused, as when the server dies), freeze (connections stay open but nothing
 * passes, as when the server is stopped with SIGSTOP) and restore.
 */
export class CuttableProxy {
  #mode: 'open' | 'cut' | 'frozen' = 'open';
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket; held: (() => void)[] }>();
  readonly #server: net.Server;

  constructor(private readonly upstream: net.NetConnectOpts) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** The proxy's address for a PostgreSQL URL that pointed at the real server (TCP or a socket directory). */
  static upstreamOf(url: string): net.NetConnectOpts {
    const parsed = new URL(url);
    const socketDir = parsed.searchParams.get('host');
    return socketDir ? { path: `${socketDir}/.s.PGSQL.5432` } : { host: parsed.hostname, port: Number(parsed.port || 5432) };
  }

  urlFor(directUrl: string): string {
    const url = new URL(directUrl);
    url.searchParams.delete('host');
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  #accept(client: net.Socket): void {
    if (this.#mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.upstream);
    const pair = { client, upstream, held: [] as (() => void)[] };
    this.#pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        const send = () => to.write(chunk);
        if (this.#mode === 'frozen') pair.held.push(send);
        else send();
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  cut(): void {
    this.#mode = 'cut';
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
  }

  freeze(): void {
    this.#mode = 'frozen';
  }

  restore(): void {
    this.#mode = 'open';
    for (const pair of this.#pairs) for (const send of pair.held.splice(0)) send();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
