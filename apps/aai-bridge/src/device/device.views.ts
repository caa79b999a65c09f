import { DeviceAuthorization } from './device-authorization.repository';
import { esc, page } from '../handoff/html';
import { SessionIdentity } from '../session/session.repository';

/** The code entry form (the CLI printed the code). */
export const entryPage = (problem?: string): string =>
  page(
    'Command-line login',
    `<h1>Command-line login</h1>${problem ? `<p><strong>${esc(problem)}</strong></p>` : ''}` +
      `<form method="get" action="/device"><label>Code shown by the command line <input name="user_code" autocomplete="off" autofocus/></label> ` +
      `<button type="submit">Continue</button></form>`,
  );

/** The approval: which project the command line may use. */
export function confirmPage(a: DeviceAuthorization, userCode: string, identity: SessionIdentity, csrf: string): string {
  const options = identity.projects
    .map(
      (p) =>
        `<option value="${esc(p.id)}"${p.name === a.requestedProject ? ' selected' : ''}>${esc(p.name)} (${esc(p.roles.join(', '))})</option>`,
    )
    .join('');
  const asked =
    a.requestedProject && !identity.projects.some((p) => p.name === a.requestedProject)
      ? `<p>The command line asked for project ${esc(a.requestedProject)}, which is not one of yours.</p>`
      : '';
  const shown = `${userCode.slice(0, 4)}-${userCode.slice(4)}`;
  return page(
    'Approve command-line login',
    `<h1>Approve command-line login ${esc(shown)}?</h1>` +
      `<p>Only approve a code you started yourself with <code>aai-bridge login</code>. ${esc(identity.userName)} will be logged in there with an application credential.</p>${asked}` +
      (options
        ? `<form method="post" action="/device"><input type="hidden" name="user_code" value="${esc(userCode)}"/>` +
          `<input type="hidden" name="csrf" value="${esc(csrf)}"/><label>Project <select name="project">${options}</select></label> ` +
          `<button type="submit" name="decision" value="approve">Approve</button> <button type="submit" name="decision" value="deny">Refuse</button></form>`
        : '<p>You have no project.</p>'),
  );
}

export const resultPage = (title: string, message: string): string => page(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
