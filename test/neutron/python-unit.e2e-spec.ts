import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { neutronAvailable } from '../support/neutron';

/**
 * The hook's Python unit tests (standard library unittest: no PyPI here), one jest test each so
 * the run's closing line counts them.
 */
const pkg = join(__dirname, '../../deploy/openstack/neutron');

function unittestRun(python: string, args: string[]) {
  const run = spawnSync(python, args, { encoding: 'utf8', cwd: pkg });
  const results = (run.stderr ?? '')
    .split('\n')
    .map((l) => /^(test_\w+) \(([\w.]+)\)\S*.*\.\.\. (ok|FAIL|ERROR|skipped.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  return { run, results };
}

function describeRun(title: string, { run, results }: ReturnType<typeof unittestRun>, atLeast: number) {
  describe(title, () => {
    it('ran and found the tests', () => {
      expect(run.error).toBeUndefined();
      expect(results.length).toBeGreaterThanOrEqual(atLeast);
    });

    for (const [, name, where, outcome] of results) {
      // Python 3.11 names the test "(module.Class.test_name)", earlier ones "(module.Class)".
      const cls = where.endsWith(`.${name}`) ? where.slice(0, -name.length - 1) : where;
      it(`${cls}.${name}`, () => {
        if (outcome !== 'ok') throw new Error(`${cls}.${name}: ${outcome}\n${run.stderr}`);
      });
    }

    it('exited 0', () => {
      expect(run.status).toBe(0);
    });
  });
}

describeRun(
  'Neutron hook Python unit tests (unittest)',
  unittestRun('python3', ['-m', 'unittest', 'discover', '-v', '-s', pkg, '-t', pkg, '-p', 'test_*.py']),
  25,
);

// neutron-server monkey-patches threading and queue with eventlet before it loads the hook: the
// background committer must work with green threads too, and the plugin must wire it (Debian's
// Python, where eventlet and Neutron's libraries are).
if (neutronAvailable('Neutron hook committer under eventlet')) {
  describeRun(
    'Neutron hook commit worker and plugin wiring under eventlet (as in neutron-server)',
    unittestRun('/usr/bin/python3', ['macpool_neutron/tests/run_under_eventlet.py']),
    11,
  );
}
