import { esc, page } from './html';
import { SessionIdentity } from '../session/session.repository';

/** Keystone's WebSSO hand-off: a page that POSTs the token to the dashboard at once. */
export const webSsoForm = (origin: string, token: string): string =>
  page(
    'Signing in',
    `<form method="post" action="${esc(origin)}"><input type="hidden" name="token" value="${esc(token)}"/>` +
      `<noscript><button type="submit">Continue to the dashboard</button></noscript></form>` +
      `<script>document.forms[0].submit();</script>`,
  );

/** /cli: the user's projects and roles, each with a form asking for a clouds.yaml. */
export function cliPage(identity: SessionIdentity): string {
  const rows = identity.projects
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td>${esc(p.roles.join(', '))}</td><td><form method="post" action="/cli/clouds.yaml">` +
        `<input type="hidden" name="project" value="${esc(p.id)}"/>valid <input name="days" value="30" size="3"/> days ` +
        `<button type="submit">clouds.yaml</button></form></td></tr>`,
    )
    .join('');
  return page(
    'OpenStack CLI access',
    `<h1>${esc(identity.displayName ?? identity.userName)}</h1>` +
      (rows ? `<table><tr><th>project</th><th>roles</th><th></th></tr>${rows}</table>` : '<p>You have no project.</p>'),
  );
}

export interface CloudsYamlContent {
  credentialName: string;
  projectName: string;
  expiresAt: Date;
  authUrl: string;
  credential: { id: string; secret: string };
}

/** A clouds.yaml with one cloud, named after the project, logging in with the application credential. */
export const cloudsYaml = (c: CloudsYamlContent): string =>
  [
    '# OpenStack CLI access made by aai-bridge; keep this file private.',
    `# Application credential "${c.credentialName}", project ${c.projectName}, expires ${c.expiresAt.toISOString()}.`,
    'clouds:',
    `  ${JSON.stringify(c.projectName)}:`,
    '    auth_type: v3applicationcredential',
    '    auth:',
    `      auth_url: ${JSON.stringify(c.authUrl)}`,
    `      application_credential_id: ${JSON.stringify(c.credential.id)}`,
    `      application_credential_secret: ${JSON.stringify(c.credential.secret)}`,
    '    identity_api_version: 3',
    '    interface: public',
    '',
  ].join('\n');

/** Where a page that needs a session sends a browser without one (and back afterwards). */
export const loginFirst = (backTo: string): string => `/saml/login?returnTo=${encodeURIComponent(backTo)}`;
