/**
 * A loopback TCP proxy in front of PostgreSQL: the target and the checks reach the database
 * through it, so "the network to the database" can fail for real. Modes:
 * - down: new connections are refused (closed at once) and open ones are cut;
 * - latency: every chunk in either direction waits `latencyMs` before it is forwarded;
 * - frozen: connections are accepted but nothing is forwarded (as a SIGSTOPped PostgreSQL: the
 *   kernel completes the handshake, the server never replies); held bytes flow again on thaw.
 */
import net from 'node:net';

export interface ProxyState {
  down: boolean;
  latencyMs: number;
  frozen: boolean;
}

export class PgFaultProxy {
  readonly state: ProxyState = { down: false, latencyMs: 0, frozen: false };
  private server?: net.Server;
  /** Chunks held while frozen, forwarded in order on thaw. */
  private held: (() => void)[] = [];
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  set(next: Partial<ProxyState>): void {
    Object.assign(this.state, next);
    if (this.state.down) for (const s of this.sockets) s.destroy();
    if (!this.state.frozen) for (const release of this.held.splice(0)) release();
  }

  private accept(client: net.Socket): void {
    if (this.state.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.upstream.port, this.upstream.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private pipe(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk) => {
      if (this.state.frozen) {
        from.pause();
        this.held.push(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        });
        return;
      }
      const delay = this.state.latencyMs;
      if (delay <= 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      from.pause();
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
        from.resume();
      }, delay);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
