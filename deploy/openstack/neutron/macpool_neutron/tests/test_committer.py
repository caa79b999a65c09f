import os
import threading
import unittest

from macpool_neutron.client import MacPoolError, MacPoolUnavailable
from macpool_neutron.committer import BackgroundCommitter, SynchronousCommitter

WAIT = 5


class FakeClient:
    """Records commits from the worker; can hold a commit until released, or fail chosen ports."""

    def __init__(self, fail=None, hold=False):
        self.committed = []
        self.fail = fail or {}
        self.entered = threading.Event()
        self.proceed = threading.Event()
        if not hold:
            self.proceed.set()

    def commit(self, port_id):
        self.entered.set()
        self.proceed.wait(WAIT)
        self.committed.append(port_id)
        if port_id in self.fail:
            raise self.fail[port_id]


class FakeLog:
    def __init__(self):
        self.warnings = []

    def warning(self, msg, *args):
        self.warnings.append(msg % args)


class BackgroundCommitterTest(unittest.TestCase):
    def test_submit_returns_at_once_and_the_worker_commits_in_order(self):
        client = FakeClient(hold=True)
        committer = BackgroundCommitter(client, FakeLog())
        self.assertTrue(committer.submit('p1'))
        self.assertTrue(committer.submit('p2'))
        # Returned while the first commit is still held in the client: nobody waited for it.
        self.assertTrue(client.entered.wait(WAIT))
        self.assertEqual(client.committed, [])
        client.proceed.set()
        self.assertTrue(committer.wait_idle(WAIT))
        self.assertEqual(client.committed, ['p1', 'p2'])

    def test_a_full_queue_drops_the_commit_with_a_warning(self):
        client = FakeClient(hold=True)
        log = FakeLog()
        committer = BackgroundCommitter(client, log, capacity=2)
        committer.submit('p1')
        self.assertTrue(client.entered.wait(WAIT))  # the worker holds p1: the queue is empty again
        self.assertTrue(committer.submit('p2'))
        self.assertTrue(committer.submit('p3'))
        self.assertFalse(committer.submit('p4'))
        self.assertEqual(len(log.warnings), 1)
        self.assertIn('commit queue full (2): commit of port p4 dropped; reconciliation will commit it', log.warnings[0])
        client.proceed.set()
        self.assertTrue(committer.wait_idle(WAIT))
        self.assertEqual(client.committed, ['p1', 'p2', 'p3'])

    def test_a_failed_commit_is_logged_and_the_worker_goes_on(self):
        client = FakeClient(fail={'p1': MacPoolUnavailable(0, 'unreachable', 'mac-pool down'), 'p2': RuntimeError('bug')})
        log = FakeLog()
        committer = BackgroundCommitter(client, log)
        for port_id in ('p1', 'p2', 'p3'):
            committer.submit(port_id)
        self.assertTrue(committer.wait_idle(WAIT))
        self.assertEqual(client.committed, ['p1', 'p2', 'p3'])
        self.assertEqual(len(log.warnings), 2)
        self.assertIn('commit of port p1 failed (mac-pool down); reconciliation will fix it', log.warnings[0])
        self.assertIn('commit of port p2 failed unexpectedly', log.warnings[1])

    def test_a_port_released_while_its_commit_waits_is_not_committed(self):
        client = FakeClient(hold=True)
        committer = BackgroundCommitter(client, FakeLog())
        committer.submit('busy')
        self.assertTrue(client.entered.wait(WAIT))
        committer.submit('deleted-soon')
        committer.cancel('deleted-soon')
        client.proceed.set()
        self.assertTrue(committer.wait_idle(WAIT))
        self.assertEqual(client.committed, ['busy'])

    def test_a_commit_refused_because_the_port_was_released_meanwhile_is_not_a_warning(self):
        # The release overtook the commit in flight; the service answers 404 and changes nothing.
        client = FakeClient(hold=True, fail={'p1': MacPoolError(404, 'allocation_not_found', 'no reservation')})
        log = FakeLog()
        committer = BackgroundCommitter(client, log)
        committer.submit('p1')
        self.assertTrue(client.entered.wait(WAIT))
        committer.cancel('p1')
        client.proceed.set()
        self.assertTrue(committer.wait_idle(WAIT))
        self.assertEqual(client.committed, ['p1'])
        self.assertEqual(log.warnings, [])

    def test_wait_idle_times_out_while_a_commit_is_held(self):
        client = FakeClient(hold=True)
        committer = BackgroundCommitter(client, FakeLog())
        committer.submit('p1')
        self.assertFalse(committer.wait_idle(0.05))
        client.proceed.set()
        self.assertTrue(committer.wait_idle(WAIT))

    def test_the_worker_is_a_daemon_started_by_the_first_submit(self):
        before = {t.ident for t in threading.enumerate()}
        committer = BackgroundCommitter(FakeClient(), FakeLog())
        self.assertEqual({t.ident for t in threading.enumerate()}, before)
        committer.submit('p1')
        started = [t for t in threading.enumerate() if t.ident not in before]
        self.assertEqual([(t.name, t.daemon) for t in started], [('macpool-commit', True)])
        committer.submit('p2')
        self.assertEqual(len([t for t in threading.enumerate() if t.ident not in before]), 1)
        self.assertTrue(committer.wait_idle(WAIT))

    def test_a_forked_child_gets_its_own_worker(self):
        # neutron-server forks its API workers after loading the plugin: the parent's worker thread
        # does not run in the child, so the child's first submit must start one there.
        client = FakeClient()
        committer = BackgroundCommitter(client, FakeLog())
        committer.submit('parent')
        self.assertTrue(committer.wait_idle(WAIT))
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report what its own worker committed, then leave at once
            os.close(read_end)
            committer.submit('child')
            done = committer.wait_idle(WAIT)
            os.write(write_end, ('%s %s' % (done, ','.join(client.committed))).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as report:
            answer = report.read()
        os.waitpid(pid, 0)
        self.assertEqual(answer, 'True parent,child')
        self.assertEqual(client.committed, ['parent'])


class SynchronousCommitterTest(unittest.TestCase):
    def test_commits_in_the_caller_and_logs_a_failure(self):
        client = FakeClient(fail={'p2': MacPoolError(404, 'allocation_not_found', 'no reservation')})
        log = FakeLog()
        committer = SynchronousCommitter(client, log)
        self.assertTrue(committer.submit('p1'))
        self.assertEqual(client.committed, ['p1'])
        committer.submit('p2')
        self.assertIn('commit of port p2 failed (no reservation); reconciliation will fix it', log.warnings[0])


if __name__ == '__main__':
    unittest.main()
