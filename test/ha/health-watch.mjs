// Runs inside the client network namespace: polls a readiness URL through a VIP every 250 ms
// (1 s timeout each) and prints each change, "down MS" or "up MS" (epoch milliseconds), until
// SECONDS have passed or it is killed.
//   health-watch.mjs URL SECONDS
const [url, seconds] = process.argv.slice(2);
const stopAt = Date.now() + Number(seconds) * 1000;
let up = true;
while (Date.now() < stopAt) {
  const at = Date.now();
  let ok = false;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.text();
    ok = res.status === 200;
  } catch {
    /* no answer in time: down */
  }
  if (ok !== up) {
    up = ok;
    console.log(`${ok ? 'up' : 'down'} ${at}`);
  }
  await new Promise((r) => setTimeout(r, 250));
}
