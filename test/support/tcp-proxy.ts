import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder between a service and its database, which a test can cut (every connection
 * dropped, new ones refused) and restore on the same port: the service sees exactly what a
 * database outage looks like, while the real database keeps serving the other suites.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private silent = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.silent) {
        mute(client);
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** `databaseUrl` (a postgres:// URL of the target) through this proxy's TCP port. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    // The proxy's TCP port, not the server's Unix socket a `host` parameter would name.
    url.searchParams.delete('host');
    return url.toString();
  }

  /**
   * From now on every byte is dropped, both ways, and nothing is closed: a database host that
   * vanished, or a network that drops its packets. New connections are accepted and get no word
   * either. `speak()` lets new connections through again; the silenced ones stay silent, as
   * connections to a host that is gone do.
   */
  silence(): void {
    this.silent = true;
    this.sockets.forEach(mute);
  }

  speak(): void {
    this.silent = false;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.sockets.forEach((socket) => socket.destroy());
    await closed;
    this.server = undefined;
  }

  async restore(): Promise<void> {
    await this.start();
  }
}

/** Forwards nothing more, closes nothing: what arrives is read and dropped. */
function mute(socket: Socket): void {
  socket.unpipe();
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
}
