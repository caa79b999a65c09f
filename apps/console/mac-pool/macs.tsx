import { useState } from 'preact/hooks';
import { ApiFailure, api, messageOf } from '../common/api';
import { ErrorNote, Page, when } from '../common/ui';
import { Holding, MacHistory, MacRecord } from './types';

function HolderLine({ h }: { h: Holding }) {
  return (
    <>
      port <code>{h.portId}</code>
      {h.deviceId && (
        <>
          {' '}
          · device <code>{h.deviceId}</code>
        </>
      )}
      {h.projectId && (
        <>
          {' '}
          · project <code>{h.projectId}</code>
        </>
      )}{' '}
      · pool {h.pool}
    </>
  );
}

interface Match {
  mac: string;
  pool: string;
  current: boolean;
  hostname: string | null;
  portId: string | null;
  deviceId: string | null;
  projectId: string | null;
  at: string;
}

const FIELDS = [
  ['mac', 'MAC address (any spelling)'],
  ['hostname', 'Hostname'],
  ['portId', 'Port id'],
  ['deviceId', 'Device (VM) id'],
  ['projectId', 'Project id'],
] as const;
type Field = (typeof FIELDS)[number][0];

/**
 * A MAC's story: its record now, who held it when (newest first), and who held it at a given
 * time. Searching by hostname, port, device or project first lists the MACs that match.
 */
export function Macs() {
  const [by, setBy] = useState<Field>('mac');
  const [query, setQuery] = useState('');
  const [at, setAt] = useState('');
  const [matches, setMatches] = useState<{ items: Match[]; truncated: boolean } | null>(null);
  const [found, setFound] = useState<{ record: MacRecord | null; history: MacHistory } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const story = async (macText: string) => {
    setError(null);
    setFound(null);
    const mac = encodeURIComponent(macText.trim());
    const atQuery = at ? `?at=${encodeURIComponent(new Date(at).toISOString())}` : '';
    try {
      const [record, history] = await Promise.all([
        // A MAC removed from its pool has no record but may still have a history.
        api<MacRecord>('GET', `v1/macs/${mac}`).catch((err) => {
          if (err instanceof ApiFailure && err.status === 404) return null;
          throw err;
        }),
        api<MacHistory>('GET', `v1/macs/${mac}/history${atQuery}`),
      ]);
      setFound({ record, history });
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const search = async (e: Event) => {
    e.preventDefault();
    setMatches(null);
    if (by === 'mac') return story(query);
    setFound(null);
    setError(null);
    try {
      const res = await api<{ matches: Match[]; truncated: boolean }>('GET', `v1/macs?by=${by}&value=${encodeURIComponent(query.trim())}`);
      setMatches({ items: res.matches, truncated: res.truncated });
      if (res.matches.length === 1) await story(res.matches[0].mac);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const holdings = found ? [...found.history.holdings].reverse() : [];
  return (
    <Page title="MAC search">
      <form class="form" onSubmit={search} role="search">
        <label for="mac-by">Search by</label>
        <select id="mac-by" value={by} onChange={(e) => setBy(e.currentTarget.value as Field)}>
          {FIELDS.map(([value, label]) => (
            <option value={value}>{label.replace(' (any spelling)', '')}</option>
          ))}
        </select>
        <label for="mac-query">{FIELDS.find(([v]) => v === by)![1]}</label>
        <input
          id="mac-query"
          required
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          placeholder={by === 'mac' ? 'fa:16:3e:00:00:01, fa163e000001, FA-16-3E-…' : ''}
        />
        <label for="mac-at">Who held it at (optional, local time)</label>
        <input id="mac-at" type="datetime-local" step={1} value={at} onInput={(e) => setAt(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorNote error={error} />
      {matches && (
        <>
          <h2>
            {matches.items.length} MAC{matches.items.length === 1 ? '' : 's'} found
            {matches.truncated ? ' (more matched: narrow the search)' : ''}
          </h2>
          <table aria-label="Matching MACs">
            <thead>
              <tr>
                <th>MAC</th>
                <th>Pool</th>
                <th>Matches</th>
                <th>Port</th>
                <th>Device</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {matches.items.map((m) => (
                <tr data-mac={m.mac}>
                  <td>
                    <button type="button" class="link mono" onClick={() => story(m.mac)}>
                      {m.mac}
                    </button>
                  </td>
                  <td>{m.pool}</td>
                  <td>{m.current ? 'now' : 'in the past'}</td>
                  <td class="mono">{m.portId ?? '—'}</td>
                  <td class="mono">{m.deviceId ?? '—'}</td>
                  <td>{when(m.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {found && (
        <>
          <h2>
            <code>{found.history.mac}</code>
          </h2>
          {found.record ? (
            <table aria-label="Current record">
              <tbody>
                <tr>
                  <th>Pool</th>
                  <td>{found.record.pool}</td>
                  <th>State</th>
                  <td data-testid="mac-state">{found.record.state}</td>
                </tr>
                <tr>
                  <th>Port</th>
                  <td class="mono">{found.record.portId ?? '—'}</td>
                  <th>Device</th>
                  <td class="mono">{found.record.deviceId ?? '—'}</td>
                </tr>
                <tr>
                  <th>Hostname</th>
                  <td>{found.record.hostname ?? '—'}</td>
                  <th>Since</th>
                  <td>{when(found.record.stateChangedAt)}</td>
                </tr>
              </tbody>
            </table>
          ) : (
            <p class="muted">Not in any pool now.</p>
          )}
          {found.history.at && (
            <p class="card" data-testid="holder-at" role="status">
              At {when(found.history.at.time)}: {found.history.at.holder ? <HolderLine h={found.history.at.holder} /> : 'nobody held it.'}
            </p>
          )}
          <h2>Holders, newest first</h2>
          {holdings.length === 0 ? (
            <p class="muted">No port has held it.</p>
          ) : (
            <ol class="timeline" aria-label="Holders">
              {holdings.map((h) => (
                <li class={h.until ? '' : 'current'} data-port={h.portId}>
                  <div>
                    <strong>{when(h.from)}</strong> → <strong>{h.until ? when(h.until) : 'now'}</strong>
                  </div>
                  <HolderLine h={h} />
                </li>
              ))}
            </ol>
          )}
          <h2>Events</h2>
          <table aria-label="Events">
            <thead>
              <tr>
                <th>At</th>
                <th>Action</th>
                <th>Port</th>
                <th>Pool</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {found.history.events.map((ev) => (
                <tr>
                  <td>{when(ev.at)}</td>
                  <td>{ev.action}</td>
                  <td class="mono">{ev.portId ?? '—'}</td>
                  <td>{ev.pool}</td>
                  <td>{ev.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
