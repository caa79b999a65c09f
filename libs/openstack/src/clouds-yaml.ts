import { parse } from 'yaml';

/** What a Keystone session needs of a cloud: password auth, project scope, which catalog endpoints to use. */
export interface CloudConfig {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  regionName?: string;
  interface: 'public' | 'internal' | 'admin';
}

/**
 * Reads one cloud out of a clouds.yaml text (the openstacksdk format), naming what is missing;
 * `source` names the file in the messages.
 */
export function readCloud(yamlText: string, name: string, source: string): CloudConfig {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (err) {
    throw new Error(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const clouds = (doc as { clouds?: Record<string, unknown> } | null)?.clouds;
  if (!clouds || typeof clouds !== 'object') throw new Error(`${source}: no "clouds:" mapping`);
  const cloud = clouds[name] as Record<string, unknown> | undefined;
  if (!cloud) throw new Error(`${source}: no cloud named "${name}" (found: ${Object.keys(clouds).join(', ') || 'none'})`);
  const auth = (cloud.auth ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
  const missing = ['auth_url', 'username', 'password', 'project_name'].filter((k) => !text(auth[k]));
  if (missing.length) throw new Error(`${source}: cloud "${name}" lacks auth.${missing.join(', auth.')} (password auth is supported)`);
  const authType = text(cloud.auth_type) ?? 'password';
  if (authType !== 'password') throw new Error(`${source}: cloud "${name}" uses auth_type ${authType}; only password is supported`);
  const iface = (text(cloud.interface) ?? 'public').replace(/URL$/, '');
  if (!['public', 'internal', 'admin'].includes(iface))
    throw new Error(`${source}: cloud "${name}" has interface ${iface}; use public, internal or admin`);
  const authUrl = text(auth.auth_url)!.replace(/\/+$/, '');
  return {
    authUrl: /\/v3$/.test(authUrl) ? authUrl : `${authUrl}/v3`,
    username: text(auth.username)!,
    password: text(auth.password)!,
    projectName: text(auth.project_name)!,
    userDomainName: text(auth.user_domain_name) ?? text(auth.domain_name) ?? 'Default',
    projectDomainName: text(auth.project_domain_name) ?? text(auth.domain_name) ?? 'Default',
    regionName: text(cloud.region_name),
    interface: iface as CloudConfig['interface'],
  };
}
