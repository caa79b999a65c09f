import { useState } from 'preact/hooks';
import { Role, api, messageOf } from '../common/api';
import { ErrorNote, Page, when } from '../common/ui';

interface Live {
  portId: string;
  mac: string;
  state: string;
  stateChangedAt: string;
}
interface Report {
  dryRun: boolean;
  neutronPorts: number;
  liveAllocations: number;
  release: Live[];
  commit: Live[];
  macMismatch: { portId: string; allocatedMac: string; portMac: string }[];
  unallocatedPoolMacs: { portId: string; mac: string; poolState: string; allocatedTo: string | null }[];
}

function LiveTable({ label, rows }: { label: string; rows: Live[] }) {
  return (
    <>
      <h2>
        {label} ({rows.length})
      </h2>
      {rows.length > 0 && (
        <table aria-label={label}>
          <thead>
            <tr>
              <th>MAC</th>
              <th>Port</th>
              <th>State</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td class="mono">{r.mac}</td>
                <td class="mono">{r.portId}</td>
                <td>{r.state}</td>
                <td>{when(r.stateChangedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Reconciliation with Neutron: look at the dry-run report first, then apply it. */
export function Reconcile({ role }: { role: Role }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setReport(await api<Report>('POST', `v1/reconcile${dryRun ? '?dryRun=true' : ''}`));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  if (role !== 'admin') {
    return (
      <Page title="Reconciliation">
        <p class="muted">Reconciliation needs an admin token; this one is read-only.</p>
      </Page>
    );
  }
  return (
    <Page title="Reconciliation">
      <p>
        Compares the pools' allocations with Neutron's ports: releases allocations whose port is gone, commits reservations whose port
        exists.
      </p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => run(true)}>
          Dry run
        </button>
        <button type="button" class="danger" disabled={busy || !report?.dryRun} onClick={() => run(false)}>
          Apply
        </button>
      </div>
      <ErrorNote error={error} />
      {report && (
        <div class="card" data-testid={report.dryRun ? 'reconcile-dry-run' : 'reconcile-applied'}>
          <p role="status">
            {report.dryRun ? 'Dry run, nothing changed.' : 'Applied.'} Neutron lists {report.neutronPorts} ports; the pools hold{' '}
            {report.liveAllocations} live allocations.
          </p>
          <LiveTable label={report.dryRun ? 'Would release' : 'Released'} rows={report.release} />
          <LiveTable label={report.dryRun ? 'Would commit' : 'Committed'} rows={report.commit} />
          <h2>MAC mismatches, reported only ({report.macMismatch.length})</h2>
          {report.macMismatch.map((m) => (
            <p class="mono">
              port {m.portId}: pool says {m.allocatedMac}, Neutron says {m.portMac}
            </p>
          ))}
          <h2>Pool MACs on ports the pool did not allocate ({report.unallocatedPoolMacs.length})</h2>
          {report.unallocatedPoolMacs.map((m) => (
            <p class="mono">
              {m.mac} on port {m.portId} ({m.poolState}
              {m.allocatedTo ? `, given to ${m.allocatedTo}` : ''})
            </p>
          ))}
        </div>
      )}
    </Page>
  );
}
