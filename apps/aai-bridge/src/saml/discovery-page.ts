/** The discovery page's headers: no inline script or style, nothing from elsewhere, no framing. */
export const DISCOVERY_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The cookie that remembers the IdP chosen last (a year; not a secret, only a preference). */
export const IDP_COOKIE = 'aai_idp';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The bridge's own discovery page, rendered on the server: a link per IdP (so it works without
 * JavaScript), the last choice first, and a search box that /saml/discovery.js filters as you type.
 */
export function renderDiscoveryPage(o: {
  idps: Array<{ entityId: string; displayName: string }>;
  returnTo: string;
  remembered?: string;
}): string {
  const link = (idp: { entityId: string; displayName: string }) => {
    const href = `/saml/login?${new URLSearchParams({ idp: idp.entityId, returnTo: o.returnTo })}`;
    return `<li data-name="${escape(`${idp.displayName} ${idp.entityId}`.toLowerCase())}"><a href="${escape(href)}">${escape(idp.displayName)}</a> <small>${escape(idp.entityId)}</small></li>`;
  };
  const remembered = o.idps.find((i) => i.entityId === o.remembered);
  const others = o.idps.filter((i) => i !== remembered);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Choose your institution</title>
<script src="/saml/discovery.js" defer></script>
</head>
<body>
<main>
<h1>Choose your institution</h1>
${remembered ? `<p>Last time you used:</p>\n<ul id="remembered">${link(remembered)}</ul>\n` : ''}<label for="idp-search">Search</label>
<input id="idp-search" type="search" autocomplete="off" placeholder="Name of your institution">
<ul id="idps">
${others.map(link).join('\n')}
</ul>
<form method="get" action="/saml/login">
<label for="idp-entity">Or its entityID</label>
<input id="idp-entity" name="idp" type="url" required>
<input type="hidden" name="returnTo" value="${escape(o.returnTo)}">
<button type="submit">Log in</button>
</form>
</main>
</body>
</html>
`;
}

/** /saml/discovery.js: search as you type over the list the page already has (no data fetched). */
export const DISCOVERY_SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var input = document.getElementById('idp-search');
  var items = Array.prototype.slice.call(document.querySelectorAll('#idps li'));
  if (!input) return;
  input.addEventListener('input', function () {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    items.forEach(function (li) {
      var name = li.getAttribute('data-name') || '';
      li.hidden = !words.every(function (w) { return name.indexOf(w) !== -1; });
    });
  });
  input.focus();
});
`;
