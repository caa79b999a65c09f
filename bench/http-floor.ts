import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'pg';
import { RESERVE_FROM_POOL } from '../apps/mac-pool/src/allocations/allocation.repository';

/**
 * The least an HTTP allocation service can do, as a process of its own: node:http, a bearer token
 * checked by its SHA-256, the JSON body parsed and its portId required, the service's allocation
 * statement over a pool of 40 pg connections (the service's DB_POOL_SIZE in the bench), the row
 * as JSON. No framework, no logging, no metrics. Measured beside the service, it says how much of
 * the gap to raw pg is the HTTP hop itself on this machine's shared cores, and how much is ours.
 *
 * Run as: node http-floor.js DATABASE_URL PORT POOL_ID TOKEN
 */
function main(): void {
  const [databaseUrl, port, poolId, token] = process.argv.slice(2);
  const expected = createHash('sha256').update(token).digest();
  const db = new Pool({ connectionString: databaseUrl, max: 40 });
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(createHash('sha256').update(bearer).digest(), expected)) return answer(res, 401, { error: 'unauthorized' });
      let port: { portId?: unknown; deviceId?: string; deviceOwner?: string; projectId?: string; networkId?: string };
      try {
        port = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, { error: 'invalid_json' });
      }
      if (typeof port.portId !== 'string') return answer(res, 400, { error: 'portId required' });
      db.query({
        ...RESERVE_FROM_POOL,
        values: [port.portId, port.deviceId, port.deviceOwner, port.projectId, port.networkId, 'bench', poolId],
      }).then(
        (r) => (r.rows[0] ? answer(res, 201, r.rows[0]) : answer(res, 409, { error: 'pool_exhausted' })),
        (err: Error) => answer(res, 500, { error: err.message }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
  process.on('SIGTERM', () => {
    server.close(() => void db.end().then(() => process.exit(0)));
    server.closeAllConnections();
  });
}

if (require.main === module) main();
