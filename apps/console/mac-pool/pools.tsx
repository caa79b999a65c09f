import { useState } from 'preact/hooks';
import { Role, api, messageOf } from '../common/api';
import { ErrorNote, Page, useLoad } from '../common/ui';
import { Pool } from './types';

interface PoolForm {
  name: string;
  description: string;
  networkIds: string;
  projectIds: string;
  availabilityZones: string;
  priority: string;
  quarantineSeconds: string;
  reservationTtlSeconds: string;
  allowUniversal: boolean;
}

const EMPTY: PoolForm = {
  name: '',
  description: '',
  networkIds: '',
  projectIds: '',
  availabilityZones: '',
  priority: '100',
  quarantineSeconds: '0',
  reservationTtlSeconds: '300',
  allowUniversal: false,
};

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function formOf(p: Pool): PoolForm {
  return {
    name: p.name,
    description: p.description,
    networkIds: p.scope.networkIds.join(', '),
    projectIds: p.scope.projectIds.join(', '),
    availabilityZones: p.scope.availabilityZones.join(', '),
    priority: String(p.priority),
    quarantineSeconds: String(p.quarantineSeconds),
    reservationTtlSeconds: String(p.reservationTtlSeconds),
    allowUniversal: p.allowUniversal,
  };
}

function bodyOf(f: PoolForm, withName: boolean) {
  return {
    ...(withName ? { name: f.name.trim() } : {}),
    description: f.description,
    scope: { networkIds: list(f.networkIds), projectIds: list(f.projectIds), availabilityZones: list(f.availabilityZones) },
    priority: Number(f.priority),
    quarantineSeconds: Number(f.quarantineSeconds),
    reservationTtlSeconds: Number(f.reservationTtlSeconds),
    allowUniversal: f.allowUniversal,
  };
}

function PoolEditor({ initial, creating, onDone }: { initial: PoolForm; creating: boolean; onDone: (saved: boolean) => void }) {
  const [f, setF] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof PoolForm) => (e: Event) => {
    const t = e.currentTarget as HTMLInputElement;
    setF({ ...f, [k]: t.type === 'checkbox' ? t.checked : t.value });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (creating) await api('POST', 'v1/pools', bodyOf(f, true));
      else await api('PATCH', `v1/pools/${encodeURIComponent(f.name)}`, bodyOf(f, false));
      onDone(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const field = (k: keyof PoolForm, label: string, props: Record<string, unknown> = {}) => (
    <>
      <label for={`pool-${k}`}>{label}</label>
      <input id={`pool-${k}`} value={f[k] as string} onInput={set(k)} {...props} />
    </>
  );
  return (
    <form class="form" onSubmit={save} aria-label={creating ? 'New pool' : `Edit pool ${f.name}`}>
      {creating ? field('name', 'Name', { required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,62}' }) : null}
      {field('description', 'Description')}
      {field('networkIds', 'Network ids (empty: any)')}
      {field('projectIds', 'Project ids (empty: any)')}
      {field('availabilityZones', 'Availability zones (empty: any)')}
      {field('priority', 'Priority', { type: 'number', required: true })}
      {field('quarantineSeconds', 'Quarantine (seconds)', { type: 'number', min: 0, required: true })}
      {field('reservationTtlSeconds', 'Reservation TTL (seconds)', { type: 'number', min: 1, required: true })}
      <label for="pool-allowUniversal">Allow universal (vendor) MACs</label>
      <input id="pool-allowUniversal" type="checkbox" checked={f.allowUniversal} onChange={set('allowUniversal')} />
      <div class="actions">
        <button type="submit">{creating ? 'Create pool' : 'Save'}</button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

/** Deleting a pool drops its MACs; MACs held by ports need force, confirmed by ticking it. */
function DeletePool({ pool, onDone }: { pool: Pool; onDone: (deleted: boolean) => void }) {
  const held = pool.counts.allocated + pool.counts.reserved;
  const [force, setForce] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setError(null);
    try {
      await api('DELETE', `v1/pools/${encodeURIComponent(pool.name)}${force ? '?force=true' : ''}`);
      onDone(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div class="card" role="group" aria-label={`Delete pool ${pool.name}`}>
      <p>
        Delete <strong>{pool.name}</strong> and its {pool.counts.total} MACs? <span data-testid="held-count">{held}</span> of them{' '}
        {held === 1 ? 'is' : 'are'} allocated or reserved to ports.
      </p>
      {held > 0 && (
        <p>
          <input id="delete-force" type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />{' '}
          <label for="delete-force">
            Force: also drop the {held} MAC{held === 1 ? '' : 's'} ports hold (the ports keep them)
          </label>
        </p>
      )}
      <div class="row">
        <button type="button" class="danger" disabled={held > 0 && !force} onClick={remove}>
          Delete pool {pool.name}
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

export function Pools({ role }: { role: Role }) {
  const pools = useLoad(() => api<Pool[]>('GET', 'v1/pools'));
  const [editing, setEditing] = useState<{ kind: 'create' | 'edit' | 'delete'; pool?: Pool } | null>(null);
  const done = (changed: boolean) => {
    setEditing(null);
    if (changed) pools.reload();
  };
  const admin = role === 'admin';
  return (
    <Page title="Pools">
      <ErrorNote error={pools.error} />
      {admin && !editing && (
        <button type="button" onClick={() => setEditing({ kind: 'create' })}>
          New pool
        </button>
      )}
      {editing?.kind === 'create' && <PoolEditor initial={EMPTY} creating onDone={done} />}
      {editing?.kind === 'edit' && editing.pool && <PoolEditor initial={formOf(editing.pool)} creating={false} onDone={done} />}
      {editing?.kind === 'delete' && editing.pool && <DeletePool pool={editing.pool} onDone={done} />}
      <table aria-label="Pools">
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th class="num">Priority</th>
            <th class="num">Quarantine s</th>
            <th class="num">TTL s</th>
            <th>Universal</th>
            <th class="num">Free</th>
            <th class="num">Reserved</th>
            <th class="num">Allocated</th>
            <th class="num">Quarantined</th>
            <th class="num">Total</th>
            {admin && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {(pools.data ?? []).map((p) => (
            <tr data-pool={p.name}>
              <td>
                <strong>{p.name}</strong>
                <div class="muted">{p.description}</div>
              </td>
              <td class="mono">
                {['networkIds', 'projectIds', 'availabilityZones'].map((k) => {
                  const v = p.scope[k as keyof Pool['scope']];
                  return v.length ? <div>{`${k.replace('Ids', 's').replace('availabilityZones', 'zones')}: ${v.join(', ')}`}</div> : null;
                })}
              </td>
              <td class="num">{p.priority}</td>
              <td class="num">{p.quarantineSeconds}</td>
              <td class="num">{p.reservationTtlSeconds}</td>
              <td>{p.allowUniversal ? 'yes' : 'no'}</td>
              <td class="num">{p.counts.free}</td>
              <td class="num">{p.counts.reserved}</td>
              <td class="num">{p.counts.allocated}</td>
              <td class="num">{p.counts.quarantined}</td>
              <td class="num">{p.counts.total}</td>
              {admin && (
                <td>
                  <div class="row">
                    <button type="button" class="secondary" onClick={() => setEditing({ kind: 'edit', pool: p })}>
                      Edit<span class="sr-only"> {p.name}</span>
                    </button>
                    <button type="button" class="secondary" onClick={() => setEditing({ kind: 'delete', pool: p })}>
                      Delete<span class="sr-only"> {p.name}</span>
                    </button>
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
