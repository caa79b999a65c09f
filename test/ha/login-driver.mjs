// Runs inside the client network namespace: a browser's SAML login through the aai-bridge VIP,
// paused between the IdP and the ACS so the test can kill the active node there.
//   login-driver.mjs BRIDGE USER PASSWORD DASHBOARD KEYSTONE OUT
// Prints "at-acs" once the IdP has answered with its SAML POST, then waits for a line on stdin
// ("go"), waits for the bridge to answer through the VIP, posts to its ACS, follows to /me and to
// the Horizon hand-off, and checks the handed-off token at Keystone. Writes what it saw to OUT.
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { Browser, loginAtIdp, postToAcs } from '../../dist-tools/test/support/saml-login.js';

const [bridge, user, password, dashboard, keystone, out] = process.argv.slice(2);
const browser = new Browser();
const post = await loginAtIdp(browser, bridge, user, password);
console.log('at-acs');
const stdin = createInterface({ input: process.stdin });
await new Promise((resolve) => stdin.once('line', resolve));
stdin.close();

// The user's browser shows a connection error and they press "retry" until the bridge answers
// (probed on its readiness URL, which a retry may hit any number of times: the SAML response
// itself may be posted only once, a second POST is a replay).
const goAt = Date.now();
let retries = 0;
for (;;) {
  const ready = await fetch(`${bridge}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
    async (r) => (await r.text(), r.status),
    () => 0,
  );
  if (ready === 200) break;
  retries++;
  if (Date.now() - goAt > 120_000) {
    // The bridge never came back: fail the run with that, rather than hang it.
    writeFileSync(out, JSON.stringify({ gaveUp: true, retries }));
    process.exit(2);
  }
  await new Promise((r) => setTimeout(r, 100));
}
const backMs = Date.now() - goAt;
const acs = await postToAcs(browser, post.acs, post);
const acsBody = acs.status === 303 ? '' : await acs.text();
const me = await browser.fetch(`${bridge}/me`);
const identity = me.status === 200 ? await me.json() : await me.text();
const handoff = await browser.fetch(`${bridge}/websso?origin=${encodeURIComponent(dashboard)}`);
const token = /name="token" value="([^"]+)"/.exec(await handoff.text())?.[1];
const projects = token ? await fetch(`${keystone}/auth/projects`, { headers: { 'X-Auth-Token': token } }) : undefined;
writeFileSync(
  out,
  JSON.stringify({
    acs: { status: acs.status, location: acs.headers.get('location'), body: acsBody, backMs, retries },
    me: { status: me.status, identity },
    handoff: { status: handoff.status, token: Boolean(token) },
    keystoneProjects: projects
      ? { status: projects.status, names: (await projects.json()).projects?.map((p) => p.name).sort() }
      : undefined,
  }),
);
