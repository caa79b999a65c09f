import { createServer } from 'node:net';

/** One port the demo listens on, as the user asked for it. */
export interface PortRequest {
  /** What uses it, in messages ("mac-pool"). */
  name: string;
  /** The flag that sets it ("--mac-pool-port"), named when it cannot be used. */
  flag: string;
  /** The number asked for; 0: any free port. */
  port: number;
  /** Whether the user chose it (flag or environment) rather than taking the default. */
  chosen: boolean;
}

/** Whether nothing listens on 127.0.0.1:port right now (another process may still take it later). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port, '127.0.0.1');
  });
}

/** A port free on 127.0.0.1 right now, chosen by the kernel. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
  });
}

/**
 * The ports to use. A port the user chose that is taken is an error naming its flag: they meant
 * that one. A default that is taken (a mac-pool already on 8080-like ports, a second demo) is
 * replaced by a free port, and `notes` says so.
 */
export async function resolvePorts(requests: PortRequest[]): Promise<{ ports: number[]; notes: string[] }> {
  const ports: number[] = [];
  const notes: string[] = [];
  for (const r of requests) {
    let port = r.port;
    if (port !== 0 && (ports.includes(port) || !(await portIsFree(port)))) {
      if (r.chosen) {
        throw new Error(`port ${port} for ${r.name} is taken; choose another with ${r.flag} (0: any free port)`);
      }
      port = 0;
    }
    while (port === 0 || ports.includes(port)) port = await anyFreePort();
    if (port !== r.port && r.port !== 0) notes.push(`port ${r.port} is taken: ${r.name} listens on ${port} instead`);
    ports.push(port);
  }
  return { ports, notes };
}
