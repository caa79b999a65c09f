"""What the Neutron hook decides, free of Neutron imports so it is unit-tested with unittest.

The service holds every decision about which MAC a port gets; the hook only asks for one when a
port is created without an explicit MAC by an owner it serves, and hands it back afterwards. The
reservation is made inside the port create (the port needs the MAC); the commit is handed to a
committer (in neutron-server one that sends it in the background, see committer.py).
"""
import fnmatch
import uuid

from macpool_neutron.client import MacPoolError, MacPoolUnavailable
from macpool_neutron.committer import SynchronousCommitter


class HookRefusal(Exception):
    """Port creation must fail: `unavailable` (503) or the pool said no (409)."""

    def __init__(self, message, unavailable):
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


class MacPoolHook:
    def __init__(self, client, device_owners=('compute:*',), fail_open=False, log=None, not_specified=None, committer=None):
        self.client = client
        self.committer = committer if committer is not None else SynchronousCommitter(client, log)
        self.device_owners = list(device_owners)
        self.fail_open = fail_open
        self.log = log
        # Neutron's ATTR_NOT_SPECIFIED sentinel: the request did not name a MAC.
        self.not_specified = not_specified
        # Ports this process reserved a MAC for, so AFTER_CREATE commits only those.
        self._reserved = set()

    def serves(self, port):
        owner = port.get('device_owner') or ''
        return any(fnmatch.fnmatchcase(owner, pattern) for pattern in self.device_owners)

    def wants_mac(self, port):
        mac = port.get('mac_address')
        return (mac is None or mac is self.not_specified) and self.serves(port)

    def before_create(self, port):
        """Sets port['id'] (the idempotency key) and port['mac_address'] from the pool."""
        if not self.wants_mac(port):
            return
        if not port.get('id') or port.get('id') is self.not_specified:
            port['id'] = str(uuid.uuid4())
        try:
            allocation = self.client.reserve(allocation_request(port, self.not_specified))
        except MacPoolError as err:
            self._refuse(port, err)
            return
        port['mac_address'] = allocation['mac']
        self._reserved.add(port['id'])

    def after_create(self, port):
        port_id = port.get('id')
        if port_id not in self._reserved:
            return
        self._reserved.discard(port_id)
        self.committer.submit(port_id)

    def after_delete(self, port):
        """Every deleted port: its owner may have changed since the MAC was given (VM detach)."""
        port_id = port.get('id')
        if not port_id:
            return
        self._reserved.discard(port_id)
        # A commit still waiting to be sent is dropped; one already on its way changes nothing
        # once the release is done (the service commits only a port's live reservation).
        self.committer.cancel(port_id)
        try:
            self.client.release(port_id)
        except MacPoolError as err:
            self._warn('release of port %s failed (%s); reconciliation will release it', port_id, err.message)

    def _refuse(self, port, err):
        unavailable = isinstance(err, MacPoolUnavailable)
        if self.fail_open:
            self._warn('no MAC from the pool for port %s (%s): fail_open, Neutron picks a random MAC', port['id'], err.message)
            return
        if unavailable:
            raise HookRefusal('MAC pool service unavailable, port not created: %s' % err.message, True)
        raise HookRefusal('MAC pool refused port %s: %s' % (port['id'], err.message), False)

    def _warn(self, msg, *args):
        if self.log is not None:
            self.log.warning(msg, *args)


def allocation_request(port, not_specified=None):
    """The mac-pool allocation request for a Neutron port create request."""

    def given(key):
        value = port.get(key)
        return None if value is None or value is not_specified or value == '' else value

    owner = given('device_owner')
    request = {
        'portId': port['id'],
        'networkId': given('network_id'),
        'projectId': given('project_id') or given('tenant_id'),
        'deviceId': given('device_id'),
        'deviceOwner': owner,
        'hostname': given('dns_name'),
        # Nova names the instance's availability zone in the owner: compute:<zone>.
        'availabilityZone': owner.split(':', 1)[1] if owner and owner.startswith('compute:') and ':' in owner else None,
    }
    return {k: v for k, v in request.items() if v is not None}
