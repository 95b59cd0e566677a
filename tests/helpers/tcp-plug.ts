/**
 * A loopback TCP relay in front of a server that a test can unplug: `unplug()` closes the
 * listening socket and every open connection, so new connections are refused (ECONNREFUSED),
 * as when the service's process is gone; `plug()` listens again on the same port.
 */
import net from 'node:net';

export interface TcpPlug {
  url: string;
  unplug(): Promise<void>;
  plug(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpPlug(upstream: URL): Promise<TcpPlug> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(up).pipe(client);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
  const port = await listen(0);
  const unplug = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    unplug,
    plug: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await unplug();
    },
  };
}
