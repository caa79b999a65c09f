import { useState } from 'preact/hooks';
import { Role, api, messageOf } from './api';
import { ErrorNote, Page, useLoad, when } from './ui';

interface TokenInfo {
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Bearer tokens: the secret is shown once, right after creation, and never kept by the page. */
export function Tokens({ role, roles }: { role: Role; roles: string[] }) {
  const tokens = useLoad(() => (role === 'admin' ? api<TokenInfo[]>('GET', 'v1/tokens') : Promise.resolve([])));
  const [name, setName] = useState('');
  const [newRole, setNewRole] = useState(roles[roles.length - 1]);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (role !== 'admin') {
    return (
      <Page title="Tokens">
        <p class="muted">Only admins see and manage tokens.</p>
      </Page>
    );
  }
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await api<{ name: string; token: string }>('POST', 'v1/tokens', { name: name.trim(), role: newRole });
      setCreated({ name: res.name, token: res.token });
      setName('');
      tokens.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const remove = async (n: string) => {
    setError(null);
    try {
      await api('DELETE', `v1/tokens/${encodeURIComponent(n)}`);
      tokens.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Page title="Tokens">
      {created && (
        <div class="card" role="status" data-testid="new-token">
          <p>
            Token <strong>{created.name}</strong> — copy it now, it will not be shown again:
          </p>
          <p class="secret" data-testid="token-secret">
            {created.token}
          </p>
          <button type="button" onClick={() => setCreated(null)}>
            Done, I copied it
          </button>
        </div>
      )}
      <form class="form" onSubmit={create} aria-label="New token">
        <label for="token-name">Name</label>
        <input id="token-name" required pattern="[A-Za-z0-9_.@\-]{1,64}" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="token-role">Role</label>
        <select id="token-role" value={newRole} onChange={(e) => setNewRole(e.currentTarget.value)}>
          {roles.map((r) => (
            <option value={r}>{r}</option>
          ))}
        </select>
        <div class="actions">
          <button type="submit">Create token</button>
        </div>
      </form>
      <ErrorNote error={error ?? tokens.error} />
      <table aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr data-token={t.name}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td>{when(t.createdAt)}</td>
              <td>{when(t.lastUsedAt)}</td>
              <td>
                <button type="button" class="secondary" onClick={() => remove(t.name)}>
                  Delete<span class="sr-only"> token {t.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
