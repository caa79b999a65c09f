"""Neutron service plugin that gives new ports MAC addresses from the mac-pool service."""
