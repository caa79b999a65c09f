"""Runs the committer's unit tests the way neutron-server runs the committer: eventlet first
monkey-patches threading and queue, so the worker is a green thread and the queue a green queue.
Also the plugin's wiring, which needs Neutron's libraries.

Needs eventlet (it comes with neutron-server): /usr/bin/python3 macpool_neutron/tests/run_under_eventlet.py
"""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402 (after the monkey-patching, as in neutron-server)
import sys  # noqa: E402
import unittest  # noqa: E402

if __name__ == '__main__':
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, package_root)
    assert eventlet.patcher.is_monkey_patched('thread'), 'threads are not green'
    suite = unittest.defaultTestLoader.loadTestsFromNames(['macpool_neutron.tests.test_committer', 'macpool_neutron.tests.plugin_wiring'])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
