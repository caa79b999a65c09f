import { freePort } from './free-port';
import { KeystonePeer, startKeystone } from './keystone';
import { makeKeyPair } from './saml-fixtures';
import { IdpPeer, startIdp } from './simplesamlphp';

/**
 * What a bridge process under test needs around it: its public URL (a free port), an SP key pair in
 * `dir`, a real Keystone and a real SimpleSAMLphp IdP that knows this SP.
 */
export async function startBridgePeers(
  dir: string,
): Promise<{ publicUrl: string; sp: ReturnType<typeof makeKeyPair>; keystone: KeystonePeer; idp: IdpPeer }> {
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const sp = makeKeyPair(dir, 'sp');
  const [keystone, idp] = await Promise.all([
    startKeystone(),
    startIdp({
      entityId: `${publicUrl}/saml/metadata`,
      acsUrl: `${publicUrl}/saml/acs`,
      sloUrl: `${publicUrl}/saml/slo`,
      certFile: sp.cert,
    }),
  ]);
  return { publicUrl, sp, keystone, idp };
}
