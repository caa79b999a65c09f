/**
 * A browser's part of an SP-initiated SAML login, with Node's fetch: follow redirects by hand,
 * keep cookies per host, submit the IdP's login form, then the auto-POST form to the ACS.
 */
export class Browser {
  private jar = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookies ? { Cookie: cookies } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const jar = this.jar.get(host) ?? new Map();
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      this.jar.set(host, jar);
    }
    return res;
  }

  /** GET, following redirects; returns the final response and its URL. */
  async follow(url: string): Promise<{ res: Response; url: string }> {
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.fetch(url);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url };
      url = new URL(location, url).toString();
    }
    throw new Error('too many redirects');
  }
}

export function formFields(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/i.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(m[0])?.[1];
    const value = /value="([^"]*)"/i.exec(m[0])?.[1] ?? '';
    if (name) fields[name] = decodeEntities(value);
  }
  return { action: decodeEntities(action), fields };
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export interface SamlPost {
  acs: string;
  SAMLResponse: string;
  RelayState: string;
}

/** Runs the login at the IdP and returns the SAML POST the browser would send to the ACS. */
export async function loginAtIdp(
  browser: Browser,
  bridgeUrl: string,
  username: string,
  password: string,
  returnTo = '/me',
): Promise<SamlPost> {
  const start = await browser.fetch(`${bridgeUrl}/saml/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (start.status !== 302) throw new Error(`/saml/login answered ${start.status}: ${await start.text()}`);
  const page = await browser.follow(start.headers.get('location')!);
  const loginForm = formFields(await page.res.text());
  const body = new URLSearchParams({ ...loginForm.fields, username, password });
  const posted = await browser.fetch(new URL(loginForm.action || page.url, page.url).toString(), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  let html: string;
  if (posted.status >= 300 && posted.status < 400)
    html = await (await browser.follow(new URL(posted.headers.get('location')!, page.url).toString())).res.text();
  else html = await posted.text();
  const samlForm = formFields(html);
  if (!samlForm.fields.SAMLResponse) throw new Error(`no SAMLResponse form after the IdP login: ${html.slice(0, 500)}`);
  return { acs: samlForm.action, SAMLResponse: samlForm.fields.SAMLResponse, RelayState: samlForm.fields.RelayState ?? '' };
}

/** POSTs the SAML response to an ACS (of any node), as the browser's auto-submitting form does. */
export async function postToAcs(browser: Browser, acs: string, post: SamlPost): Promise<Response> {
  return browser.fetch(acs, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: post.SAMLResponse, RelayState: post.RelayState }).toString(),
  });
}
