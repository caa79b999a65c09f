import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingError, parseAssertionText, processMapping, validateMapping } from '@app/keystone-mapping';
import { MAPPING_CASES, MappingCase } from './mapping-cases';

type Outcome = { ok: true; mapped: any } | { ok: false; kind: string };

const available = existsSync('/usr/bin/keystone-manage');
if (!available) {
  const why = 'mapping engine vs keystone-manage: SKIPPED, keystone is not installed (test/peers/keystone.sh install)';
  if (process.env.CI === 'true') throw new Error(`${why}; under CI a skipped peer suite is a failure`);
  console.warn(`\n!!! ${why} !!!\n`);
}
const peer = available ? describe : describe.skip;

/** The real `keystone-manage mapping_engine` (offline, ~2 s a run). */
function keystoneManage(dir: string, c: MappingCase, i: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const rules = join(dir, `rules-${i}.json`);
    const input = join(dir, `input-${i}.txt`);
    Promise.all([writeFile(rules, JSON.stringify(c.rules)), writeFile(input, `${c.input}\n`)])
      .then(() =>
        execFile(
          'keystone-manage',
          ['--config-file', join(dir, 'keystone.conf'), 'mapping_engine', '--rules', rules, '--input', input],
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
            const m = /(?:CRITICAL keystone \[-\] Unhandled error: keystone\.exception\.|^\w*Error: )(\w+)/m.exec(`${stdout}\n${stderr}`);
            resolve({ ok: false, kind: m ? m[1] : `exit ${err.code}: ${stderr.slice(-300)}` });
          },
        ),
      )
      .catch(reject);
  });
}

function ours(c: MappingCase): Outcome {
  const v = validateMapping(c.rules);
  if (!v.ok) return { ok: false, kind: 'SchemaValidationError' };
  try {
    return { ok: true, mapped: processMapping(v.mapping, parseAssertionText(c.input)) };
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, kind: err.code === 'direct_mapping' ? 'DirectMappingError' : 'ValidationError' };
    throw err;
  }
}

/** Group lists (and whitelist/blacklist results) follow Python's hash order: compare as sets. */
function comparable(o: Outcome): unknown {
  if (!o.ok) return { error: o.kind === 'SchemaValidationError' ? 'ValidationError' : o.kind };
  const sortJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  return { ...o.mapped, group_ids: [...o.mapped.group_ids].sort(), group_names: sortJson(o.mapped.group_names) };
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
      expect(comparable(ours(c))).toEqual(comparable(theirs.get(i)!));
    });
  });
});
