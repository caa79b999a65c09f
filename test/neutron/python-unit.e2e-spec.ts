import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The hook's Python unit tests (standard library unittest: no PyPI here), one jest test each so
 * the run's closing line counts them.
 */
const pkg = join(__dirname, '../../deploy/openstack/neutron');
const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-v', '-s', pkg, '-t', pkg, '-p', 'test_*.py'], {
  encoding: 'utf8',
  cwd: pkg,
});
const lines = (run.stderr ?? '').split('\n');
const results = lines
  .map((l) => /^(test_\w+) \(([\w.]+)\)\S*.*\.\.\. (ok|FAIL|ERROR|skipped.*)$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null);

describe('Neutron hook Python unit tests (unittest)', () => {
  it('ran and found the tests', () => {
    expect(run.error).toBeUndefined();
    expect(results.length).toBeGreaterThanOrEqual(15);
  });

  for (const [, name, cls, outcome] of results) {
    it(`${cls}.${name}`, () => {
      if (outcome !== 'ok') throw new Error(`${cls}.${name}: ${outcome}\n${run.stderr}`);
    });
  }

  it('exited 0', () => {
    expect(run.status).toBe(0);
  });
});
