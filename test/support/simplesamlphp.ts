import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { peerAvailable, startPeer } from './peers';

export const idpAvailable = (suite: string) =>
  peerAvailable(suite, 'SimpleSAMLphp', ['/usr/share/simplesamlphp/www', '/usr/bin/php'], 'simplesamlphp.sh');

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

export async function startIdp(sp: {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  certFile?: string;
  signResponse?: boolean;
  signAssertion?: boolean;
  encrypt?: boolean;
  /** The shibmd:Scope values its metadata declares (default infn.it). */
  scopes?: string[];
}): Promise<IdpPeer> {
  const peer = await startPeer(
    'simplesamlphp.sh',
    'IDP_PORT',
    {
      SP_ENTITY_ID: sp.entityId,
      SP_ACS_URL: sp.acsUrl,
      SP_SLO_URL: sp.sloUrl,
      SP_CERT_FILE: sp.certFile ?? '',
      IDP_SIGN_RESPONSE: String(sp.signResponse ?? true),
      IDP_SIGN_ASSERTION: String(sp.signAssertion ?? true),
      IDP_ENCRYPT_ASSERTION: String(sp.encrypt ?? false),
      IDP_SCOPES: (sp.scopes ?? ['infn.it']).join(','),
    },
    60_000,
  );
  const { dir, port } = peer;
  const baseUrl = `http://127.0.0.1:${port}/`;
  return {
    metadataUrl: `${baseUrl}saml2/idp/metadata.php`,
    baseUrl,
    dir,
    async setUsers(users) {
      await writeFile(join(dir, 'users.json'), JSON.stringify(users));
    },
    stop: () => peer.stop(),
  };
}
