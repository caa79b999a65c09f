import { useMemo, useState } from 'preact/hooks';
import { ApiFailure, Role, api, messageOf, upload } from '../common/api';
import { ErrorNote, Page, useLoad } from '../common/ui';
import { BadLine, Pool, UploadResult } from './types';

type Mode = 'add' | 'replace';

/** The upload's Content-Type, as the service reads it: by extension, else the browser's type, else text. */
export function contentTypeOf(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
  if (name.endsWith('.json') || file.type === 'application/json') return 'application/json';
  return 'text/plain';
}

interface Outcome {
  result?: UploadResult;
  badLines?: { items: BadLine[]; total: number; message: string };
  error?: string;
}

function BadLines({ items, total, message }: { items: BadLine[]; total: number; message: string }) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? items.filter((b) => `${b.line} ${b.input} ${b.code} ${b.reason}`.toLowerCase().includes(f)) : items;
  }, [items, filter]);
  return (
    <div class="card">
      <p class="error" role="alert">
        {message}
      </p>
      <div class="row">
        <label for="bad-filter">Filter bad lines</label>
        <input id="bad-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <span class="muted" data-testid="bad-count">
          {shown.length} of {total} shown
          {items.length < total ? ` (the service lists the first ${items.length})` : ''}
        </span>
      </div>
      <table aria-label="Bad lines">
        <thead>
          <tr>
            <th class="num">Line</th>
            <th>Input</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((b) => (
            <tr data-line={b.line ?? ''}>
              <td class="num">{b.line ?? '—'}</td>
              <td class="mono">{b.input}</td>
              <td>
                {b.reason} <span class="muted">({b.code})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The MACs a make-equal would remove, as the dry run listed them (the service lists the first ones only). */
function Removing({ result }: { result: UploadResult }) {
  const macs = result.removing ?? [];
  const total = result.removingTotal ?? macs.length;
  return (
    <div>
      <p class="muted" data-testid="removing-count">
        {macs.length < total ? `The first ${macs.length} of ${total} MACs it would remove:` : `The ${total} MACs it would remove:`}
      </p>
      <ul class="mono" aria-label="MACs make-equal would remove">
        {macs.map((m) => (
          <li>{m}</li>
        ))}
      </ul>
    </div>
  );
}

function ResultCard({ result, mode }: { result: UploadResult; mode: Mode }) {
  return (
    <div class="card" data-testid={result.dryRun ? 'dry-run-result' : 'applied-result'}>
      <p class={result.dryRun ? '' : 'ok'} role="status">
        {result.dryRun ? 'Dry run: nothing was written. Applying would give:' : 'Applied.'}
      </p>
      <table aria-label={result.dryRun ? 'Dry run result' : 'Upload result'}>
        <tbody>
          {(['added', 'updated', 'unchanged', 'removed'] as const).map((k) => (
            <tr>
              <th>{k}</th>
              <td class="num" data-count={k}>
                {result[k]}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {mode === 'replace' && result.dryRun && result.removed > 0 && (
        <p class="warning" data-testid="would-remove">
          Make-equal would remove {result.removed} free or quarantined MAC{result.removed === 1 ? '' : 's'} not in this file.
        </p>
      )}
      {mode === 'replace' && result.dryRun && result.removing && result.removing.length > 0 && <Removing result={result} />}
    </div>
  );
}

export function Upload({ role }: { role: Role }) {
  const pools = useLoad(() => api<Pool[]>('GET', 'v1/pools'));
  const [pool, setPool] = useState('');
  const [mode, setMode] = useState<Mode>('add');
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Apply is offered only after a clean dry run of exactly this file, pool and mode.
  const [checked, setChecked] = useState<{ file: File; pool: string; mode: Mode } | null>(null);
  const chosenPool = pool || pools.data?.[0]?.name || '';

  const choose = (f: File | null) => {
    setFile(f);
    setOutcome(null);
    setChecked(null);
  };
  const send = async (dryRun: boolean) => {
    if (!file || !chosenPool) return;
    setOutcome(null);
    setProgress(0);
    try {
      const path = `v1/pools/${encodeURIComponent(chosenPool)}/macs${dryRun ? '?dryRun=true' : ''}`;
      const result = await upload<UploadResult>(mode === 'add' ? 'POST' : 'PUT', path, file, contentTypeOf(file), setProgress);
      setOutcome({ result });
      setChecked(dryRun ? { file, pool: chosenPool, mode } : null);
      if (!dryRun) pools.reload();
    } catch (err) {
      setChecked(null);
      if (err instanceof ApiFailure && err.code === 'invalid_upload') {
        const d = err.details as { errors: BadLine[]; errorCount?: number };
        setOutcome({ badLines: { items: d.errors, total: d.errorCount ?? d.errors.length, message: err.message } });
      } else setOutcome({ error: messageOf(err) });
    } finally {
      setProgress(null);
    }
  };
  const ready = checked && checked.file === file && checked.pool === chosenPool && checked.mode === mode;

  if (role !== 'admin') {
    return (
      <Page title="Upload MACs">
        <p class="muted">Uploads need an admin token; this one is read-only.</p>
      </Page>
    );
  }
  return (
    <Page title="Upload MACs">
      <ErrorNote error={pools.error} />
      <div class="form">
        <label for="upload-pool">Pool</label>
        <select
          id="upload-pool"
          value={chosenPool}
          onChange={(e) => {
            setPool(e.currentTarget.value);
            setChecked(null);
          }}
        >
          {(pools.data ?? []).map((p) => (
            <option value={p.name}>{p.name}</option>
          ))}
        </select>
        <span id="mode-label">Mode</span>
        <div role="radiogroup" aria-labelledby="mode-label" class="row">
          <label>
            <input type="radio" name="mode" value="add" checked={mode === 'add'} onChange={() => setMode('add')} /> Add (and update
            metadata)
          </label>
          <label>
            <input type="radio" name="mode" value="replace" checked={mode === 'replace'} onChange={() => setMode('replace')} /> Make equal
            (remove free MACs not listed)
          </label>
        </div>
        <label for="upload-file">File (text, CSV or JSON)</label>
        <div
          class={`drop${dragging ? ' over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            choose(e.dataTransfer?.files[0] ?? null);
          }}
        >
          <input
            id="upload-file"
            type="file"
            accept=".txt,.csv,.json,text/plain,text/csv,application/json"
            onChange={(e) => choose(e.currentTarget.files?.[0] ?? null)}
          />
          <p class="muted">
            or drop a file here{file ? ` — ${file.name}, ${file.size.toLocaleString()} bytes, ${contentTypeOf(file)}` : ''}
          </p>
        </div>
        <div class="actions">
          <button type="button" disabled={!file || !chosenPool || progress !== null} onClick={() => send(true)}>
            Dry run
          </button>
          <button type="button" class="danger" disabled={!ready || progress !== null} onClick={() => send(false)}>
            Apply
          </button>
        </div>
      </div>
      {progress !== null && (
        <p>
          <label for="upload-progress">Uploading </label>
          <progress id="upload-progress" max={1} value={progress} /> {Math.round(progress * 100)}%
        </p>
      )}
      {outcome?.error && <ErrorNote error={outcome.error} />}
      {outcome?.badLines && <BadLines {...outcome.badLines} />}
      {outcome?.result && <ResultCard result={outcome.result} mode={mode} />}
    </Page>
  );
}
