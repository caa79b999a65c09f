import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../peers/simplesamlphp.sh');

export function idpAvailable(suite: string): boolean {
  if (existsSync('/usr/share/simplesamlphp/www') && existsSync('/usr/bin/php')) return true;
  const why = `${suite}: SKIPPED, SimpleSAMLphp is not installed (run test/peers/simplesamlphp.sh install)`;
  if (process.env.CI === 'true') throw new Error(`${why}; under CI a skipped peer suite is a failure`);
  console.warn(`\n!!! ${why} !!!\n`);
  return false;
}

export interface IdpUser {
  password: string;
  /** Friendly names; the IdP sends them as urn:oid: names. */
  attributes: Record<string, string[]>;
}

export interface IdpPeer {
  metadataUrl: string;
  baseUrl: string;
  dir: string;
  setUsers(users: Record<string, IdpUser>): Promise<void>;
  stop(): Promise<void>;
}

export async function startIdp(sp: { entityId: string; acsUrl: string; sloUrl: string; certFile?: string; signResponse?: boolean; signAssertion?: boolean; encrypt?: boolean }): Promise<IdpPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-peer-'));
  const port = await freePort();
  await run(SCRIPT, ['start', dir], {
    env: {
      ...process.env,
      IDP_PORT: String(port),
      SP_ENTITY_ID: sp.entityId,
      SP_ACS_URL: sp.acsUrl,
      SP_SLO_URL: sp.sloUrl,
      SP_CERT_FILE: sp.certFile ?? '',
      IDP_SIGN_RESPONSE: String(sp.signResponse ?? true),
      IDP_SIGN_ASSERTION: String(sp.signAssertion ?? true),
      IDP_ENCRYPT_ASSERTION: String(sp.encrypt ?? false),
    },
    timeout: 60_000,
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  return {
    metadataUrl: `${baseUrl}saml2/idp/metadata.php`,
    baseUrl,
    dir,
    async setUsers(users) {
      await writeFile(join(dir, 'users.json'), JSON.stringify(users));
    },
    async stop() {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
