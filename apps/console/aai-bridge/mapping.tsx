import { useEffect, useMemo, useState } from 'preact/hooks';
import { diffLines } from './diff';
import { MappingVersion, Mapped, Preview, Rule, RuleProblem, ruleOf } from './types';
import { ApiFailure, Role, api, messageOf } from '../common/api';
import { ErrorNote, Page, useLoad, when } from '../common/ui';

const EXAMPLE: Rule = { local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] };
const pretty = (x: unknown) => JSON.stringify(x, null, 2);

/** The editor's rules, each its own JSON text: a parse error belongs to one rule like a validation problem. */
function parseRules(texts: string[]): { rules?: Rule[]; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules = texts.map((t, i) => {
    try {
      return JSON.parse(t) as Rule;
    } catch (err) {
      problems.push({ path: `rules[${i}]`, message: `not JSON: ${messageOf(err)}` });
      return {};
    }
  });
  return problems.length ? { problems } : { rules, problems };
}

function problemsOf(err: unknown): RuleProblem[] | null {
  if (err instanceof ApiFailure && err.code === 'invalid_mapping') return (err.details as { problems: RuleProblem[] }).problems;
  return null;
}

function MappedView({ mapped }: { mapped: Mapped }) {
  return (
    <div class="card" data-testid="mapped" role="status">
      <p>
        User <strong data-testid="mapped-user">{mapped.user.name ?? mapped.user.id ?? '—'}</strong> ({mapped.user.type})
        {mapped.user.email ? `, ${mapped.user.email}` : ''}
      </p>
      <p>
        Groups:{' '}
        <span data-testid="mapped-groups">
          {[...mapped.group_ids, ...mapped.group_names.map((g) => `${g.name}@${g.domain.name ?? g.domain.id}`)].join(', ') || 'none'}
        </span>
      </p>
      <p>
        Projects:{' '}
        <span data-testid="mapped-projects">
          {mapped.projects.map((p) => `${p.name} (${p.roles.map((r) => r.name).join(', ')})`).join('; ') || 'none'}
        </span>
      </p>
    </div>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  return (
    <div class="card" data-testid="preview" role="status">
      <p>
        Of {preview.users} known user{preview.users === 1 ? '' : 's'}, {preview.changed} would change: {preview.gained} grant
        {preview.gained === 1 ? '' : 's'} gained, {preview.lost} lost
        {preview.loseAllAccess.length ? `; ${preview.loseAllAccess.length} would lose all access` : ''}.
      </p>
      {preview.unknownAttributes.length > 0 && (
        <p class="warning">
          The rules read attributes the bridge does not keep ({preview.unknownAttributes.join(', ')}): the preview cannot see them.
        </p>
      )}
      {preview.changes.length > 0 && (
        <table aria-label="Changes per user">
          <thead>
            <tr>
              <th>User</th>
              <th>Gained</th>
              <th>Lost</th>
            </tr>
          </thead>
          <tbody>
            {preview.changes.map((c) => (
              <tr>
                <td>
                  {c.user}
                  {c.losesAllAccess ? <strong class="error"> loses all access</strong> : null}
                </td>
                <td class="mono">{c.gained.join(', ')}</td>
                <td class="mono">{c.lost.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AssertionTester({ candidate }: { candidate: () => Rule[] | null }) {
  const [rows, setRows] = useState<[string, string][]>([
    ['eduPersonPrincipalName', ''],
    ['isMemberOf', ''],
  ]);
  const [asJson, setAsJson] = useState(false);
  const [json, setJson] = useState('{\n  "eduPersonPrincipalName": "alice@infn.it"\n}');
  const [mapped, setMapped] = useState<Mapped | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setMapped(null);
    setError(null);
    const rules = candidate();
    if (!rules) return setError('fix the rules first');
    try {
      const assertion = asJson ? (JSON.parse(json) as Record<string, string>) : Object.fromEntries(rows.filter(([k]) => k.trim()));
      setMapped(await api<Mapped>('POST', 'v1/mapping/test', { rules: { rules }, assertion }));
    } catch (err) {
      setError(problemsOf(err) ? 'the rules have problems (shown at each rule)' : messageOf(err));
    }
  };
  return (
    <form onSubmit={run} aria-labelledby="test-title" class="card">
      <h2 id="test-title">Test on an assertion</h2>
      <div class="row">
        <label>
          <input type="checkbox" checked={asJson} onChange={(e) => setAsJson(e.currentTarget.checked)} /> Paste JSON instead
        </label>
      </div>
      {asJson ? (
        <>
          <label for="assertion-json">Assertion (attribute → value, several joined with ;)</label>
          <textarea id="assertion-json" rows={6} value={json} onInput={(e) => setJson(e.currentTarget.value)} />
        </>
      ) : (
        <table aria-label="Assertion attributes">
          <tbody>
            {rows.map(([k, v], i) => (
              <tr>
                <td>
                  <input
                    aria-label={`Attribute ${i + 1} name`}
                    value={k}
                    onInput={(e) => setRows(rows.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Attribute ${i + 1} value`}
                    value={v}
                    size={50}
                    onInput={(e) => setRows(rows.map((r, j) => (j === i ? [r[0], e.currentTarget.value] : r)))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="row">
        {!asJson && (
          <button type="button" class="secondary" onClick={() => setRows([...rows, ['', '']])}>
            Add attribute
          </button>
        )}
        <button type="submit">Test</button>
      </div>
      <ErrorNote error={error} />
      {mapped && <MappedView mapped={mapped} />}
    </form>
  );
}

function History({ versions, admin, onRollback }: { versions: MappingVersion[]; admin: boolean; onRollback: (v: MappingVersion) => void }) {
  const newest = versions[0]?.version;
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const a = versions.find((v) => v.version === (from ?? versions[1]?.version));
  const b = versions.find((v) => v.version === (to ?? newest));
  const diff = useMemo(() => (a && b ? diffLines(pretty(a.rules), pretty(b.rules)) : []), [a, b]);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <table aria-label="Versions">
        <thead>
          <tr>
            <th class="num">Version</th>
            <th>Saved</th>
            <th>By</th>
            <th>Comment</th>
            <th class="num">Rules</th>
            {admin && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr data-version={v.version}>
              <td class="num">v{v.version}</td>
              <td>{when(v.createdAt)}</td>
              <td>{v.actor}</td>
              <td>{v.comment ?? ''}</td>
              <td class="num">{v.rules.length}</td>
              {admin && (
                <td>
                  {v.version !== newest && (
                    <button type="button" class="secondary" onClick={() => onRollback(v)}>
                      Roll back to v{v.version}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 && (
        <>
          <div class="row">
            <label for="diff-from">Compare</label>
            <select id="diff-from" value={a?.version} onChange={(e) => setFrom(Number(e.currentTarget.value))}>
              {versions.map((v) => (
                <option value={v.version}>v{v.version}</option>
              ))}
            </select>
            <label for="diff-to">with</label>
            <select id="diff-to" value={b?.version} onChange={(e) => setTo(Number(e.currentTarget.value))}>
              {versions.map((v) => (
                <option value={v.version}>v{v.version}</option>
              ))}
            </select>
          </div>
          <div class="diff" role="region" aria-label="Differences" data-testid="diff">
            {diff.map((d) => (
              <span class={d.kind}>
                {d.kind === 'add' ? '+ ' : d.kind === 'del' ? '- ' : '  '}
                {d.text}
              </span>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

export function Mapping({ role }: { role: Role }) {
  const admin = role === 'admin';
  const history = useLoad(() => api<MappingVersion[]>('GET', 'v1/mapping/history'));
  const [texts, setTexts] = useState<string[] | null>(null);
  const [problems, setProblems] = useState<RuleProblem[]>([]);
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (texts === null && history.data) setTexts((history.data[0]?.rules ?? [EXAMPLE]).map(pretty));
  }, [history.data, texts]);

  const candidate = (): Rule[] | null => {
    const parsed = parseRules(texts ?? []);
    setProblems(parsed.problems);
    return parsed.rules ?? null;
  };
  const attempt = async (action: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    setPreview(null);
    try {
      await action();
      setProblems([]);
    } catch (err) {
      const p = problemsOf(err);
      if (p) setProblems(p);
      else setError(messageOf(err));
    }
  };
  const check = () =>
    attempt(async () => {
      const rules = candidate();
      if (rules) setPreview(await api<Preview>('POST', 'v1/mapping/preview', { rules }));
    });
  const save = (rules: Rule[] | null, why: string) =>
    attempt(async () => {
      if (!rules) return;
      const saved = await api<MappingVersion>('PUT', `v1/mapping${why ? `?comment=${encodeURIComponent(why)}` : ''}`, { rules });
      setTexts(saved.rules.map(pretty));
      setComment('');
      setNotice(`Saved as version ${saved.version}.`);
      history.reload();
    });

  const general = problems.filter((p) => !ruleOf(p.path));
  return (
    <Page title="Mapping rules">
      <ErrorNote error={history.error ?? error} />
      {notice && (
        <p class="ok" role="status">
          {notice}
        </p>
      )}
      {problems.length > 0 && (
        <p class="error" role="alert" data-testid="problem-count">
          {problems.length} problem{problems.length === 1 ? '' : 's'} in the rules
          {general.length ? `: ${general.map((p) => `${p.path || 'mapping'}: ${p.message}`).join('; ')}` : ' (shown at each rule)'}.
        </p>
      )}
      {(texts ?? []).map((text, i) => {
        const mine = problems.map((p) => ({ p, at: ruleOf(p.path) })).filter((x) => x.at?.rule === i);
        return (
          <div class={`rule${mine.length ? ' invalid' : ''}`} role="group" aria-label={`Rule ${i + 1}`} data-rule={i}>
            <div class="row">
              <label for={`rule-${i}`}>Rule {i + 1} (JSON)</label>
              {admin && texts!.length > 1 && (
                <button type="button" class="link" onClick={() => setTexts(texts!.filter((_, j) => j !== i))}>
                  Remove rule {i + 1}
                </button>
              )}
            </div>
            <textarea
              id={`rule-${i}`}
              rows={Math.min(14, text.split('\n').length + 1)}
              value={text}
              readOnly={!admin}
              aria-invalid={mine.length > 0}
              aria-describedby={mine.length ? `rule-${i}-problems` : undefined}
              onInput={(e) => setTexts(texts!.map((t, j) => (j === i ? e.currentTarget.value : t)))}
            />
            {mine.length > 0 && (
              <ul id={`rule-${i}-problems`} class="error" data-testid={`rule-${i}-problems`}>
                {mine.map(({ p, at }) => (
                  <li>
                    {at!.field ? <code>{at!.field}</code> : 'rule'}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {admin && texts && (
        <div class="row">
          <button type="button" class="secondary" onClick={() => setTexts([...texts, pretty(EXAMPLE)])}>
            Add rule
          </button>
          <button type="button" class="secondary" onClick={check}>
            Check and preview impact
          </button>
          <label for="save-comment">Comment</label>
          <input id="save-comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} size={30} />
          <button type="button" onClick={() => save(candidate(), comment)}>
            Save
          </button>
        </div>
      )}
      {preview && <PreviewView preview={preview} />}
      <AssertionTester candidate={candidate} />
      {history.data && <History versions={history.data} admin={admin} onRollback={(v) => save(v.rules, `rollback to v${v.version}`)} />}
    </Page>
  );
}
