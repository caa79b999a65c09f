// Runs inside the client network namespace: allocations through the VIP, retried (same portId)
// across a failover. Writes what was acknowledged and how long the service was unreachable.
//   alloc-driver.mjs BASE_URL TOKEN SECONDS OUT [PORT_PREFIX]
import { writeFileSync } from 'node:fs';

const [base, token, seconds, out, portPrefix = 'ha-port-'] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
const acked = new Map();
let next = 0;
let lastOk = Date.now();
let maxGapMs = 0;
let retries = 0;
const stopAt = Date.now() + Number(seconds) * 1000;
// A service that never comes back fails the run with what was seen, rather than hang it.
const GIVE_UP_MS = 120_000;
let gaveUp = false;

async function allocate(portId) {
  for (;;) {
    try {
      const res = await fetch(`${base}/v1/allocations`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ portId }),
        signal: AbortSignal.timeout(2000),
      });
      if (res.status === 200 || res.status === 201) {
        const body = await res.json();
        const now = Date.now();
        maxGapMs = Math.max(maxGapMs, now - lastOk);
        lastOk = now;
        return body.mac;
      }
      await res.text();
    } catch {
      /* the VIP is moving: retry the same port */
    }
    retries++;
    if (Date.now() - lastOk > GIVE_UP_MS) {
      gaveUp = true;
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function worker() {
  while (Date.now() < stopAt && !gaveUp) {
    const portId = `${portPrefix}${next++}`;
    const mac = await allocate(portId);
    if (mac !== undefined) acked.set(portId, mac);
  }
}

await Promise.all([worker(), worker(), worker(), worker()]);
// Idempotent retries: asking again for every acknowledged port gives the same MAC.
let mismatches = 0;
const entries = [...acked];
await Promise.all(
  Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < entries.length && !gaveUp; i += 8) if ((await allocate(entries[i][0])) !== entries[i][1]) mismatches++;
  }),
);
writeFileSync(out, JSON.stringify({ acked: Object.fromEntries(acked), maxGapMs, retries, mismatches, gaveUp }));
