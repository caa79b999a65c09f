"""The plugin as neutron-server builds it: needs neutron-lib and oslo (Debian's Python with
neutron-server), so run by run_under_eventlet.py, not by unittest discovery."""
import unittest

from oslo_config import cfg

from macpool_neutron import plugin
from macpool_neutron.committer import BackgroundCommitter


class PluginWiringTest(unittest.TestCase):
    def setUp(self):
        cfg.CONF([], project='neutron')
        cfg.CONF.set_override('url', 'http://127.0.0.1:9', 'macpool')
        cfg.CONF.set_override('token', 'hook-token', 'macpool')
        self.addCleanup(cfg.CONF.reset)

    def test_the_hook_commits_in_the_background_with_its_own_client(self):
        hook = plugin.MacPoolServicePlugin().hook
        self.assertIsInstance(hook.committer, BackgroundCommitter)
        self.assertIs(hook.committer.client, hook.client)
        self.assertIs(hook.committer.log, plugin.LOG)

    def test_after_create_returns_before_the_commit_is_sent(self):
        # Under eventlet the worker is a green thread: it runs only once this one yields, so the
        # commit can not have been sent when after_create returns, and is sent when we wait.
        hook = plugin.MacPoolServicePlugin().hook
        hook._reserved.add('p1')
        sent = []
        hook.client.commit = sent.append
        hook.after_create({'id': 'p1'})
        self.assertEqual(sent, [])
        self.assertTrue(hook.committer.wait_idle(5))
        self.assertEqual(sent, ['p1'])


if __name__ == '__main__':
    unittest.main()
