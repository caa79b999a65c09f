import { useState } from 'preact/hooks';
import { Role, api, messageOf } from '../common/api';
import { ErrorNote, Page, useLoad, when } from '../common/ui';

interface Source {
  source: string;
  kind: 'file' | 'url' | 'mdq';
  entityCount: number;
  skippedEntities: number;
  fetchedAt: string | null;
  ageSeconds: number | null;
  validUntil: string | null;
  cacheDurationSeconds: number | null;
  signer: string | null;
  digest: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const age = (s: number | null) =>
  s === null ? '—' : s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;

/** The IdP metadata sources the bridge trusts: how old each copy is, until when it is valid, what went wrong. */
export function Metadata({ role }: { role: Role }) {
  const sources = useLoad(() => api<Source[]>('GET', 'v1/metadata'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', 'v1/metadata/refresh');
      sources.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Identity providers">
      <ErrorNote error={sources.error ?? error} />
      {role === 'admin' && (
        <button type="button" disabled={busy} onClick={refresh}>
          Re-read metadata now
        </button>
      )}
      <table aria-label="Metadata sources">
        <thead>
          <tr>
            <th>Source</th>
            <th>Kind</th>
            <th class="num">IdPs</th>
            <th>Fetched</th>
            <th class="num">Age</th>
            <th>Valid until</th>
            <th>Signer</th>
            <th>Copy (sha256)</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {(sources.data ?? []).map((s) => {
            const expired = s.validUntil !== null && Date.parse(s.validUntil) < Date.now();
            return (
              <tr data-source={s.source}>
                <td class="mono">{s.source}</td>
                <td>{s.kind}</td>
                <td class="num" data-testid="entity-count">
                  {s.entityCount}
                  {s.skippedEntities ? <span class="muted"> (+{s.skippedEntities} skipped)</span> : null}
                </td>
                <td>{when(s.fetchedAt)}</td>
                <td class="num">{age(s.ageSeconds)}</td>
                <td class={expired ? 'error' : ''}>
                  {when(s.validUntil)}
                  {expired ? ' (expired)' : ''}
                </td>
                <td class="mono">{s.signer ?? 'unsigned'}</td>
                <td class="mono" title={s.digest ?? undefined}>
                  {s.digest ? s.digest.slice(0, 12) : '—'}
                </td>
                <td class={s.lastError ? 'error' : ''}>{s.lastError ? `${s.lastError} (${when(s.lastErrorAt)})` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Page>
  );
}
