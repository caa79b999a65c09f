import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, Role, messageOf, probeRole, tokenStore } from './api';

export interface Route {
  path: string;
  label: string;
  page: FunctionComponent<{ role: Role }>;
}

function currentPath(): string {
  return location.hash.replace(/^#/, '') || '/';
}

function SignIn({ service, onSignedIn }: { service: string; onSignedIn: (role: Role) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    tokenStore.set(token.trim());
    try {
      onSignedIn(await probeRole());
    } catch (err) {
      tokenStore.clear();
      setError(err instanceof ApiFailure && err.status === 401 ? 'This token is unknown or revoked.' : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">{service} console</h1>
        <p>Paste a bearer token. It is kept in this tab only and forgotten when the tab closes.</p>
        <label for="token">Bearer token</label>
        <input id="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

/** Sign-in, then a navigation bar and the page the URL's hash names (#/pools). */
export function Shell({ service, routes }: { service: string; routes: Route[] }) {
  const [role, setRole] = useState<Role | null>(null);
  const [checking, setChecking] = useState(tokenStore.get() !== null);
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onHash = () => setPath(currentPath());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!tokenStore.get()) return;
    probeRole()
      .then(setRole, () => tokenStore.clear())
      .finally(() => setChecking(false));
  }, []);
  if (checking) return <p aria-busy="true">Checking the token…</p>;
  if (!role) return <SignIn service={service} onSignedIn={setRole} />;
  const route = routes.find((r) => r.path === path) ?? routes[0];
  const Page = route.page;
  const signOut = () => {
    tokenStore.clear();
    setRole(null);
  };
  return (
    <Layout service={service} role={role} routes={routes} active={route.path} onSignOut={signOut}>
      <Page role={role} />
    </Layout>
  );
}

function Layout(props: {
  service: string;
  role: Role;
  routes: Route[];
  active: string;
  onSignOut: () => void;
  children: ComponentChildren;
}) {
  return (
    <>
      <header>
        <strong>{props.service}</strong>
        <nav aria-label="Pages">
          {props.routes.map((r) => (
            <a href={`#${r.path}`} aria-current={r.path === props.active ? 'page' : undefined}>
              {r.label}
            </a>
          ))}
        </nav>
        <span class="who" data-role={props.role}>
          {props.role === 'admin' ? 'admin' : 'read-only'}
        </span>
        <button type="button" class="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main>{props.children}</main>
    </>
  );
}
