import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Pool } from './types';
import { api } from '../common/api';
import { ErrorNote, useLoad } from '../common/ui';

interface Usage {
  bucket: 'hour' | 'day';
  pool: string | null;
  series: { start: string; allocations: number; releases: number; held: number }[];
}

const COLORS = { held: '#1f5fbf', allocations: '#5aa469', releases: '#b3261e' };

function Chart({ usage }: { usage: Usage }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const s = usage.series;
    const data: uPlot.AlignedData = [
      s.map((p) => Date.parse(p.start) / 1000),
      s.map((p) => p.held),
      s.map((p) => p.allocations),
      s.map((p) => p.releases),
    ];
    const plot = new uPlot(
      {
        width: Math.max(320, box.current.clientWidth - 16),
        height: 260,
        scales: { x: { time: true } },
        series: [
          { label: usage.bucket === 'day' ? 'day (UTC)' : 'hour' },
          { label: 'held by ports', stroke: COLORS.held, width: 2 },
          { label: 'allocations', stroke: COLORS.allocations, paths: uPlot.paths.stepped!({ align: 1 }) },
          { label: 'releases', stroke: COLORS.releases, paths: uPlot.paths.stepped!({ align: 1 }) },
        ],
      },
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [usage]);
  return <div ref={box} class="chart" role="img" aria-label={`MACs held, allocated and released per ${usage.bucket}`} />;
}

/** Usage over time from the MAC history: what ports held, and allocations and releases per bucket. */
export function UsageChart() {
  const [bucket, setBucket] = useState<'day' | 'hour'>('day');
  const [pool, setPool] = useState('');
  const pools = useLoad(() => api<Pool[]>('GET', 'v1/pools'));
  const usage = useLoad(
    () => api<Usage>('GET', `v1/usage?bucket=${bucket}${pool ? `&pool=${encodeURIComponent(pool)}` : ''}`),
    [bucket, pool],
  );
  const last = usage.data?.series.at(-1);
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage over time</h2>
      <div class="row">
        <label for="usage-bucket">Per</label>
        <select id="usage-bucket" value={bucket} onChange={(e) => setBucket(e.currentTarget.value as 'day' | 'hour')}>
          <option value="day">day (last 30)</option>
          <option value="hour">hour (last 48)</option>
        </select>
        <label for="usage-pool">Pool</label>
        <select id="usage-pool" value={pool} onChange={(e) => setPool(e.currentTarget.value)}>
          <option value="">all pools</option>
          {(pools.data ?? []).map((p) => (
            <option value={p.name}>{p.name}</option>
          ))}
        </select>
        {last && (
          <span class="muted" data-testid="usage-now">
            now: {last.held} held; this {bucket}: {last.allocations} allocated, {last.releases} released
          </span>
        )}
      </div>
      <ErrorNote error={usage.error} />
      {usage.data && <Chart usage={usage.data} />}
      {usage.data && (
        <details>
          <summary>The numbers</summary>
          <table aria-label="Usage over time">
            <thead>
              <tr>
                <th>From (UTC)</th>
                <th class="num">Allocations</th>
                <th class="num">Releases</th>
                <th class="num">Held at end</th>
              </tr>
            </thead>
            <tbody>
              {usage.data.series.map((p) => (
                <tr>
                  <td>{p.start.replace('T', ' ').slice(0, 16)}</td>
                  <td class="num">{p.allocations}</td>
                  <td class="num">{p.releases}</td>
                  <td class="num">{p.held}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
