"""The Neutron side: a service plugin that subscribes the hook to port callbacks.

Enable with `service_plugins = macpool` (entry point) or the dotted path
`macpool_neutron.plugin.MacPoolServicePlugin`, and a [macpool] section in neutron.conf.
"""
from neutron_lib import constants
from neutron_lib import exceptions as n_exc
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib.services import base as service_base
from oslo_config import cfg
from oslo_log import log as logging

from macpool_neutron.client import MacPoolClient
from macpool_neutron.committer import BackgroundCommitter
from macpool_neutron.hook import HookRefusal
from macpool_neutron.hook import MacPoolHook

LOG = logging.getLogger(__name__)

OPTS = [
    cfg.URIOpt('url', schemes=['http', 'https'], help='Base URL of the mac-pool service (its VIP).'),
    cfg.StrOpt('token', secret=True, help='Bearer token with the hook role.'),
    cfg.FloatOpt('timeout', default=5.0, min=0.1, help='Seconds to wait for the service.'),
    cfg.BoolOpt('fail_open', default=False,
                help='If the service is unreachable or a pool is exhausted, let Neutron pick a '
                     'random MAC (with a warning) instead of failing the port create.'),
    cfg.ListOpt('device_owners', default=['compute:*'],
                help='fnmatch patterns of device_owner values whose ports get pool MACs; '
                     'router and DHCP ports keep Neutron MACs unless listed.'),
]
cfg.CONF.register_opts(OPTS, 'macpool')


class MacPoolUnavailableError(n_exc.ServiceUnavailable):
    message = '%(reason)s'


class MacPoolRefusedError(n_exc.Conflict):
    message = '%(reason)s'


@registry.has_registry_receivers
class MacPoolServicePlugin(service_base.ServicePluginBase):
    supported_extension_aliases = []

    def __init__(self):
        super().__init__()
        conf = cfg.CONF.macpool
        if not conf.url or not conf.token:
            raise cfg.RequiredOptError('url and token', cfg.OptGroup('macpool'))
        client = MacPoolClient(conf.url, conf.token, conf.timeout)
        # The commit is sent after the port create answers: it is not on the request's path.
        self.hook = MacPoolHook(client, conf.device_owners, conf.fail_open, LOG, constants.ATTR_NOT_SPECIFIED,
                                committer=BackgroundCommitter(client, LOG))
        LOG.info('macpool: ports of owners %s get MACs from %s (fail_open=%s)', conf.device_owners, conf.url, conf.fail_open)

    @classmethod
    def get_plugin_type(cls):
        return 'macpool'

    def get_plugin_description(self):
        return 'MAC addresses for new ports from administrator-defined pools (mac-pool service)'

    @registry.receives(resources.PORT, [events.BEFORE_CREATE])
    def _reserve(self, resource, event, trigger, payload):
        try:
            self.hook.before_create(payload.latest_state)
        except HookRefusal as refusal:
            if refusal.unavailable:
                raise MacPoolUnavailableError(reason=refusal.message)
            raise MacPoolRefusedError(reason=refusal.message)

    @registry.receives(resources.PORT, [events.AFTER_CREATE])
    def _commit(self, resource, event, trigger, payload):
        self.hook.after_create(payload.latest_state)

    @registry.receives(resources.PORT, [events.ABORT_CREATE, events.AFTER_DELETE])
    def _release(self, resource, event, trigger, payload):
        self.hook.after_delete(payload.latest_state)
