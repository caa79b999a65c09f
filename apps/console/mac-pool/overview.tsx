import { api } from '../common/api';
import { ErrorNote, Page, useLoad } from '../common/ui';
import { FULL_WARNING, Stats, usedShare } from './types';
import { UsageChart } from './usage';

const STATES = ['allocated', 'reserved', 'quarantined', 'free'] as const;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function Overview() {
  const stats = useLoad(() => api<Stats>('GET', 'v1/stats'));
  const pools = stats.data?.pools ?? [];
  const full = pools.filter((p) => usedShare(p.counts) > FULL_WARNING);
  return (
    <Page title="Overview">
      <ErrorNote error={stats.error} />
      {full.length > 0 && (
        <div class="warning" role="alert" data-testid="full-warning">
          <strong>Filling up:</strong> {full.map((p) => `${p.name} is ${pct(usedShare(p.counts))} in use`).join('; ')} (warning above{' '}
          {pct(FULL_WARNING)}).
        </div>
      )}
      <h2 id="pools-chart">MACs by state per pool</h2>
      <div class="legend" aria-hidden="true">
        {STATES.map((s) => (
          <span>
            <i class={s} />
            {s}
          </span>
        ))}
      </div>
      {stats.data && pools.length === 0 && <p class="muted">No pools yet.</p>}
      {pools.length > 0 && (
        <div class="bars" role="list" aria-labelledby="pools-chart">
          {pools.map((p) => {
            const used = usedShare(p.counts);
            return (
              <div role="listitem" style={{ display: 'contents' }} data-pool={p.name}>
                <span>{p.name}</span>
                <div
                  class="bar"
                  role="img"
                  aria-label={`${p.name}: ${STATES.map((s) => `${p.counts[s]} ${s}`).join(', ')} of ${p.counts.total}`}
                >
                  {STATES.map((s) =>
                    p.counts[s] > 0 ? (
                      <span class={s} style={{ width: `${(p.counts[s] / p.counts.total) * 100}%` }} title={`${s}: ${p.counts[s]}`} />
                    ) : null,
                  )}
                </div>
                <span class={`bar-label${used > FULL_WARNING ? ' over' : ''}`}>
                  {p.counts.total - p.counts.free}/{p.counts.total} in use ({pct(used)})
                </span>
              </div>
            );
          })}
        </div>
      )}
      {pools.length > 0 && (
        <table aria-label="Counts by state" data-testid="counts-table">
          <thead>
            <tr>
              <th>Pool</th>
              <th class="num">Priority</th>
              {STATES.map((s) => (
                <th class="num">{s}</th>
              ))}
              <th class="num">total</th>
            </tr>
          </thead>
          <tbody>
            {pools.map((p) => (
              <tr data-pool={p.name}>
                <td>{p.name}</td>
                <td class="num">{p.priority}</td>
                {STATES.map((s) => (
                  <td class="num" data-state={s}>
                    {p.counts[s]}
                  </td>
                ))}
                <td class="num" data-state="total">
                  {p.counts.total}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <UsageChart />
    </Page>
  );
}
