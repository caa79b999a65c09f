import { useState } from 'preact/hooks';
import { Role, api, messageOf } from '../common/api';
import { ErrorNote, Page, useLoad, when } from '../common/ui';

interface Grant {
  kind: 'role' | 'group';
  target: string;
  label: string;
  grantedAt: string;
  refreshedAt: string;
  expiresAt: string | null;
}

interface User {
  keystoneUserId: string;
  userName: string;
  idp: string | null;
  lastSeenAt: string;
  dormantSince: string | null;
  grants: Grant[];
}

interface UsersPage {
  users: User[];
  total: number;
  limit: number;
  offset: number;
}

interface SweepResult {
  disabled: string[];
  deleted: string[];
  attributesDropped: number;
}

const PAGE = 100;

function Grants({ grants }: { grants: Grant[] }) {
  if (!grants.length) return <span class="muted">none</span>;
  return (
    <ul aria-label="Grants">
      {grants.map((g) => {
        const expired = g.expiresAt !== null && Date.parse(g.expiresAt) < Date.now();
        return (
          <li data-grant={g.label} title={`${g.kind} ${g.target}; granted ${when(g.grantedAt)}, refreshed ${when(g.refreshedAt)}`}>
            {g.label}{' '}
            <span class={expired ? 'error' : 'muted'} data-testid="grant-expiry">
              {g.expiresAt === null ? '(no expiry)' : `(${expired ? 'expired' : 'expires'} ${when(g.expiresAt)})`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The federated users the bridge knows, by name: IdP, last seen, dormancy and what the bridge granted them. */
export function Users({ role }: { role: Role }) {
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const users = useLoad(() => {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (filter.trim()) query.set('q', filter.trim());
    return api<UsersPage>('GET', `v1/users?${query}`);
  }, [filter, offset]);
  const [sweep, setSweep] = useState<{ result?: SweepResult; error?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const runSweep = async () => {
    setBusy(true);
    setSweep(null);
    try {
      setSweep({ result: await api<SweepResult>('POST', 'v1/users/dormant/sweep') });
      users.reload();
    } catch (err) {
      setSweep({ error: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  const page = users.data;
  return (
    <Page title="Users">
      <ErrorNote error={users.error ?? sweep?.error} />
      {role === 'admin' && (
        <div class="row">
          <button type="button" disabled={busy} onClick={runSweep}>
            Run dormant sweep now
          </button>
          {sweep?.result && (
            <span class="ok" role="status" data-testid="sweep-result">
              Swept: {sweep.result.disabled.length} disabled, {sweep.result.deleted.length} deleted, {sweep.result.attributesDropped} users'
              attributes dropped.
            </span>
          )}
        </div>
      )}
      <div class="row">
        <label for="user-filter">Filter by user name</label>
        <input
          id="user-filter"
          type="search"
          value={filter}
          onInput={(e) => {
            setFilter(e.currentTarget.value);
            setOffset(0);
          }}
        />
        {page && (
          <span class="muted" data-testid="users-count">
            {page.total === 0
              ? 'no users'
              : `${page.offset + 1}–${page.offset + page.users.length} of ${page.total} user${page.total === 1 ? '' : 's'}`}
          </span>
        )}
      </div>
      <table aria-label="Federated users">
        <thead>
          <tr>
            <th>User</th>
            <th>IdP</th>
            <th>Last seen</th>
            <th>Dormant since</th>
            <th>Grants by the bridge (expiry)</th>
          </tr>
        </thead>
        <tbody>
          {(page?.users ?? []).map((u) => (
            <tr data-user={u.userName}>
              <td>
                {u.userName}
                <div class="muted mono">{u.keystoneUserId}</div>
              </td>
              <td class="mono">{u.idp ?? '—'}</td>
              <td>{when(u.lastSeenAt)}</td>
              <td data-testid="dormant" class={u.dormantSince ? 'error' : ''}>
                {u.dormantSince ? when(u.dormantSince) : '—'}
              </td>
              <td>
                <Grants grants={u.grants} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.total > PAGE && (
        <div class="row">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous page
          </button>
          <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
            Next page
          </button>
        </div>
      )}
    </Page>
  );
}
