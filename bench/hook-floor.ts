import { createServer } from 'node:http';

/**
 * The least a MAC service can be for the Neutron hook, as a process of its own: node:http, the
 * next MAC of a counter for every reserve, 200 for a commit, 204 for a release. No database, no
 * framework. A neutron-server whose hook calls this, timed beside one calling mac-pool and one
 * without the hook, says how much of the hook's cost is one HTTP call to another (idle) process
 * plus Neutron's own handling of a port created with a given MAC, and how much is mac-pool.
 *
 * Run as: node hook-floor.js PORT
 */
function main(): void {
  let next = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/allocations') {
        const n = next++;
        const mac = `02:de:00:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
        const body = JSON.stringify({ mac, state: 'reserved' });
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        return res.end(body);
      }
      if (req.method === 'POST' && req.url?.endsWith('/commit')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
        return res.end('{}');
      }
      res.writeHead(req.method === 'DELETE' ? 204 : 404);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('listening'));
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

if (require.main === module) main();
