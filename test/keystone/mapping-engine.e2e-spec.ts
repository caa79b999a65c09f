import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MappingError,
  MappingRules,
  literalEval,
  parseAssertionText,
  processMapping,
  pyRepr,
  validateMapping,
} from '@app/keystone-mapping';
import { MAPPING_CASES, MappingCase } from './mapping-cases';
import { peerAvailable } from '../support/peers';

type Outcome = { ok: true; mapped: any } | { ok: false; kind: string };

const available = peerAvailable('mapping engine vs keystone-manage', 'keystone', ['/usr/bin/keystone-manage'], 'keystone.sh');
const peer = available ? describe : describe.skip;

/**
 * The real `keystone-manage mapping_engine` (offline, ~2 s a run). A fixed hash seed keeps
 * Python's set order (plain whitelists, blacklists, group ids) the same from run to run.
 */
function keystoneManage(dir: string, c: MappingCase, i: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const rules = join(dir, `rules-${i}.json`);
    const input = join(dir, `input-${i}.txt`);
    Promise.all([writeFile(rules, JSON.stringify(c.rules)), writeFile(input, `${c.input}\n`)])
      .then(() =>
        execFile(
          'keystone-manage',
          ['--config-file', join(dir, 'keystone.conf'), 'mapping_engine', '--rules', rules, '--input', input],
          { env: { ...process.env, PYTHONHASHSEED: '0' } },
          (err, stdout, stderr) => {
            if (!err) {
              // Anything printed before the JSON document (warnings) is not part of the result.
              const start = stdout.search(/^\{/m);
              try {
                return resolve({ ok: true, mapped: JSON.parse(stdout.slice(start)) });
              } catch {
                return resolve({ ok: false, kind: `unparsable output: ${stdout.slice(0, 300)}` });
              }
            }
            const out = `${stdout}\n${stderr}`;
            // A Python exception escaping the engine (a pattern re refuses): its type and message.
            const python = /CRITICAL keystone \[-\] Unhandled error: ((?:re\.error|TypeError|ValueError|OverflowError): .*)$/m.exec(out);
            if (python) return resolve({ ok: false, kind: python[1] });
            const m = /(?:CRITICAL keystone \[-\] Unhandled error: keystone\.exception\.|^\w*Error: )(\w+)/m.exec(out);
            resolve({ ok: false, kind: m ? m[1] : `exit ${err.code}: ${stderr.slice(-300)}` });
          },
        ),
      )
      .catch(reject);
  });
}

function ours(c: MappingCase): Outcome {
  const v = validateMapping(c.rules);
  // Problems Keystone's schema lets through (bad patterns) are Keystone's engine's to fail on.
  if (!v.ok && v.problems.some((p) => !p.keystoneFailsLater)) return { ok: false, kind: 'SchemaValidationError' };
  const rules = (Array.isArray(c.rules) ? { rules: c.rules } : c.rules) as MappingRules;
  try {
    return { ok: true, mapped: processMapping(rules, parseAssertionText(c.input)) };
  } catch (err) {
    if (err instanceof MappingError) {
      if (err.code === 'invalid_regex') return { ok: false, kind: err.pythonError ?? `unsupported: ${err.message}` };
      return { ok: false, kind: err.code === 'direct_mapping' ? 'DirectMappingError' : 'ValidationError' };
    }
    throw err;
  }
}

/**
 * Group lists follow Python's hash order: compared as sets. So do the strings a case names in
 * `setOrdered` (a plain whitelist or a blacklist rendered as a list): compared as sorted lists.
 */
function comparable(o: Outcome, c: MappingCase): unknown {
  if (!o.ok) return { error: o.kind === 'SchemaValidationError' ? 'ValidationError' : o.kind };
  const sortJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  const mapped = structuredClone(o.mapped);
  for (const path of c.setOrdered ?? []) {
    const keys = path.split('.');
    const holder = keys.slice(0, -1).reduce((at, k) => at?.[k], mapped);
    const last = keys[keys.length - 1];
    const list = typeof holder?.[last] === 'string' ? literalEval(holder[last]) : undefined;
    if (Array.isArray(list)) holder[last] = { sortedList: list.map((x) => pyRepr(x as string)).sort() };
  }
  return { ...mapped, group_ids: [...mapped.group_ids].sort(), group_names: sortJson(mapped.group_names) };
}

peer('mapping engine: the same output as keystone-manage mapping_engine', () => {
  let dir: string;
  const theirs = new Map<number, Outcome>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapping-engine-'));
    await writeFile(join(dir, 'keystone.conf'), '[DEFAULT]\n');
    // Two at a time: the machine has two cores.
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < MAPPING_CASES.length) {
          const i = next++;
          theirs.set(i, await keystoneManage(dir, MAPPING_CASES[i], i));
        }
      }),
    );
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  MAPPING_CASES.forEach((c, i) => {
    it(c.name, () => {
      expect(comparable(ours(c), c)).toEqual(comparable(theirs.get(i)!, c));
    });
  });
});
