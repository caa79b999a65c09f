import unittest

from macpool_neutron.client import MacPoolError, MacPoolUnavailable
from macpool_neutron.hook import HookRefusal, MacPoolHook, allocation_request

NOT_SPECIFIED = object()


class FakeClient:
    """Records calls; answers from a script. Tests the hook's decisions, not the service."""

    def __init__(self, reserve_result=None, reserve_error=None, release_error=None):
        self.calls = []
        self.reserve_result = reserve_result or {'mac': '02:00:00:00:00:01'}
        self.reserve_error = reserve_error
        self.release_error = release_error

    def reserve(self, request):
        self.calls.append(('reserve', request))
        if self.reserve_error:
            raise self.reserve_error
        return self.reserve_result

    def commit(self, port_id):
        self.calls.append(('commit', port_id))

    def release(self, port_id):
        self.calls.append(('release', port_id))
        if self.release_error:
            raise self.release_error


class FakeCommitter:
    """Synchronous stand-in for the background committer: records what the hook hands it."""

    def __init__(self, calls):
        self.calls = calls

    def submit(self, port_id):
        self.calls.append(('submit_commit', port_id))
        return True

    def cancel(self, port_id):
        self.calls.append(('cancel_commit', port_id))


class FakeLog:
    def __init__(self):
        self.warnings = []

    def warning(self, msg, *args):
        self.warnings.append(msg % args)


def compute_port(**extra):
    port = {'network_id': 'net-1', 'project_id': 'proj-1', 'device_id': 'vm-1', 'device_owner': 'compute:nova',
            'mac_address': NOT_SPECIFIED, 'dns_name': 'wn-001'}
    port.update(extra)
    return port


class HookTest(unittest.TestCase):
    def hook(self, client, **kw):
        kw.setdefault('committer', FakeCommitter(client.calls))
        return MacPoolHook(client, not_specified=NOT_SPECIFIED, **kw)

    def test_sets_id_and_mac_and_sends_port_facts(self):
        client = FakeClient()
        port = compute_port()
        self.hook(client).before_create(port)
        self.assertEqual(port['mac_address'], '02:00:00:00:00:01')
        self.assertEqual(len(port['id']), 36)
        self.assertEqual(client.calls, [('reserve', {
            'portId': port['id'], 'networkId': 'net-1', 'projectId': 'proj-1', 'deviceId': 'vm-1',
            'deviceOwner': 'compute:nova', 'hostname': 'wn-001', 'availabilityZone': 'nova'})])

    def test_keeps_a_preset_port_id(self):
        port = compute_port(id='fixed-id')
        client = FakeClient()
        self.hook(client).before_create(port)
        self.assertEqual(client.calls[0][1]['portId'], 'fixed-id')

    def test_leaves_explicit_macs_and_unserved_owners_alone(self):
        client = FakeClient()
        hook = self.hook(client)
        explicit = compute_port(mac_address='fa:16:3e:00:00:01')
        hook.before_create(explicit)
        router = compute_port(device_owner='network:router_interface')
        hook.before_create(router)
        self.assertEqual(client.calls, [])
        self.assertEqual(explicit['mac_address'], 'fa:16:3e:00:00:01')
        self.assertIs(router['mac_address'], NOT_SPECIFIED)
        self.assertNotIn('id', router)

    def test_owner_patterns_are_configurable(self):
        client = FakeClient()
        hook = self.hook(client, device_owners=['compute:*', 'network:dhcp'])
        hook.before_create(compute_port(device_owner='network:dhcp'))
        self.assertEqual(len(client.calls), 1)

    def test_hands_the_commit_of_ports_it_reserved_to_the_committer(self):
        client = FakeClient()
        hook = self.hook(client)
        port = compute_port()
        hook.before_create(port)
        hook.after_create({'id': port['id']})
        hook.after_create({'id': 'someone-else'})
        self.assertEqual(client.calls[1:], [('submit_commit', port['id'])])

    def test_releases_every_deleted_port_after_cancelling_its_pending_commit(self):
        client = FakeClient()
        self.hook(client).after_delete({'id': 'p1', 'device_owner': ''})
        self.assertEqual(client.calls, [('cancel_commit', 'p1'), ('release', 'p1')])

    def test_an_aborted_create_is_neither_committed_nor_kept(self):
        client = FakeClient()
        hook = self.hook(client)
        port = compute_port()
        hook.before_create(port)
        hook.after_delete(port)  # ABORT_CREATE
        hook.after_create(port)
        self.assertEqual([c[0] for c in client.calls], ['reserve', 'cancel_commit', 'release'])

    def test_without_a_committer_commits_in_the_request_and_logs_a_failure(self):
        log = FakeLog()
        client = FakeClient()

        def refuse(port_id):
            client.calls.append(('commit', port_id))
            raise MacPoolError(404, 'allocation_not_found', 'no reservation')

        client.commit = refuse
        hook = MacPoolHook(client, log=log, not_specified=NOT_SPECIFIED)
        port = compute_port()
        hook.before_create(port)
        hook.after_create(port)
        self.assertEqual(client.calls[1:], [('commit', port['id'])])
        self.assertIn('reconciliation will fix it', log.warnings[0])

    def test_failed_release_is_logged_not_raised(self):
        log = FakeLog()
        client = FakeClient(release_error=MacPoolUnavailable(0, 'unreachable', 'down'))
        self.hook(client, log=log).after_delete({'id': 'p1'})
        self.assertIn('reconciliation will release it', log.warnings[0])

    def test_fails_closed_by_default(self):
        down = FakeClient(reserve_error=MacPoolUnavailable(0, 'unreachable', 'mac-pool service at http://x unreachable'))
        with self.assertRaises(HookRefusal) as ctx:
            self.hook(down).before_create(compute_port())
        self.assertTrue(ctx.exception.unavailable)
        self.assertIn('MAC pool service unavailable', ctx.exception.message)

        exhausted = FakeClient(reserve_error=MacPoolError(409, 'pool_exhausted', 'no free MAC in pools a, b'))
        with self.assertRaises(HookRefusal) as ctx:
            self.hook(exhausted).before_create(compute_port())
        self.assertFalse(ctx.exception.unavailable)
        self.assertIn('no free MAC in pools a, b', ctx.exception.message)

    def test_fail_open_lets_neutron_pick_and_warns(self):
        log = FakeLog()
        port = compute_port()
        self.hook(FakeClient(reserve_error=MacPoolUnavailable(0, 'unreachable', 'down')), fail_open=True, log=log).before_create(port)
        self.assertIs(port['mac_address'], NOT_SPECIFIED)
        self.assertIn('fail_open', log.warnings[0])

    def test_request_omits_what_the_port_does_not_say(self):
        req = allocation_request({'id': 'p', 'network_id': 'n', 'tenant_id': 't', 'device_owner': '', 'dns_name': ''}, NOT_SPECIFIED)
        self.assertEqual(req, {'portId': 'p', 'networkId': 'n', 'projectId': 't'})


if __name__ == '__main__':
    unittest.main()
