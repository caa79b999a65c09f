import { isMap, parseDocument } from 'yaml';

/** A clouds.yaml entry logging in with an application credential (openstacksdk's format). */
export interface ApplicationCredentialCloud {
  authUrl: string;
  credentialId: string;
  credentialSecret: string;
  projectName: string;
  expiresAt: string;
}

/**
 * clouds.yaml text with the named cloud written or replaced, everything else (other clouds,
 * comments) kept as it was.
 */
export function withCloud(existing: string, name: string, c: ApplicationCredentialCloud): string {
  const doc = parseDocument(existing || 'clouds: {}\n');
  if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) throw new Error('not a clouds.yaml: the top level is not a mapping');
  if (!doc.has('clouds') || !isMap(doc.get('clouds'))) doc.set('clouds', doc.createNode({}));
  const entry = doc.createNode({
    auth_type: 'v3applicationcredential',
    auth: { auth_url: c.authUrl, application_credential_id: c.credentialId, application_credential_secret: c.credentialSecret },
    identity_api_version: 3,
    interface: 'public',
  });
  entry.commentBefore = ` written by aai-bridge login: project ${c.projectName}, expires ${c.expiresAt}`;
  doc.setIn(['clouds', name], entry);
  return doc.toString();
}
