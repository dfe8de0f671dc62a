# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation and normalisation of desired services and real servers, before ipvsadm runs.

Every check raises IpvsValidationError with a message that names the field
(``services[2].real_servers[0].weight``) and says how to fix it. What the
argument spec can declare (types, choices, exclusions) is declared there; what
remains are ranges and checks across fields.

Long lists of nested options (ipvs_table's ``services``, thousands of services
with their real servers) are declared in ipvs_spec like any option but checked
by OptionsChecker below instead of AnsibleModule: the same types, choices,
defaults, required and exclusion rules, in a fraction of the time.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.module_utils.common.validation import check_type_bool, check_type_dict, check_type_int, check_type_list

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsValidationError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import (
    DEFAULT_FORWARDING,
    DEFAULT_WEIGHT,
    MAX_PERSISTENCE,
    PROTOCOLS,
    SCHEDULERS,
    RealServer,
    VirtualService,
)

FLAG_SCHEDULER = {'sh-fallback': 'sh', 'sh-port': 'sh', 'mh-fallback': 'mh', 'mh-port': 'mh'}
MAX_THRESHOLD = 2 ** 31 - 1
# 192.0.2.10 (dotted quad without leading zeros: already canonical)
IPV4_RE = re.compile(r'^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\Z')
# 64 or 064 (an IPv6 prefix length; ASCII digits only, as ipvsadm's atoi reads them)
PREFIX_RE = re.compile(r'^[0-9]{1,4}\Z')
# eth0, bond0.100 (Linux refuses '/', ':' and blanks in an interface name, and more than 15 bytes)
INTERFACE_RE = re.compile(r'^[^\s/:]{1,15}\Z')
_CANONICAL = {}  # address text -> canonical text, so a table with repeated addresses parses them once


TYPE_NAMES = {'str': 'a string', 'int': 'an integer', 'bool': 'a boolean', 'list': 'a list', 'dict': 'a dictionary'}


def fail(origin, field, message):
    if not origin:
        raise IpvsValidationError('%s: %s' % (field, message))
    if ' line ' in origin:
        raise IpvsValidationError('%s: %s %s' % (origin, field, message))
    raise IpvsValidationError('%s.%s: %s' % (origin, field, message))


def canonical_address(value, origin, field='address'):
    """The address as ipvsadm prints it (compressed IPv6, dotted IPv4); host names are refused."""
    known = _CANONICAL.get(value)
    if known is not None:
        return known
    if isinstance(value, str) and IPV4_RE.match(value):
        return value
    try:
        address = ipaddress.ip_address(str(value).strip('[]'))
    except ValueError:
        fail(origin, field, '%r is not an IPv4 or IPv6 address; give a literal address such as '
             '192.0.2.10 or 2001:db8::10 (names are not resolved)' % (value,))
    canonical = str(address) if address.version == 4 else _ipv6_text(address, value, origin, field)
    if len(_CANONICAL) < 100000:
        _CANONICAL[value] = canonical
    return canonical


def is_ip_address(value):
    """True for an address as the modules accept it (canonical_address), given bare: no brackets."""
    return address_refusal(value) is None


def address_refusal(value):
    """Why the modules refuse value as a bare address (canonical_address's reason), or None when they accept it."""
    if not isinstance(value, str) or '[' in value or ']' in value:
        return '%r is not an IPv4 or IPv6 address; give it without brackets' % (value,)
    try:
        canonical_address(value, '')
    except IpvsValidationError as err:
        return str(err).split(': ', 1)[-1]
    return None


def family_refusal(address, service_family, forwarding):
    """Why a real server at address cannot serve a service of service_family ('ipv4', 'ipv6'), or None."""
    family = 'ipv6' if ':' in address else 'ipv4'
    if family != service_family and forwarding != 'tun':
        return ('%s is %s but the service is %s; use an %s address, or forwarding: tun (the only method that crosses '
                'families)' % (address, family, service_family, service_family))
    return None


def is_ipv4_address(value):
    return isinstance(value, str) and IPV4_RE.match(value) is not None


def is_interface_name(value):
    return isinstance(value, str) and INTERFACE_RE.match(value) is not None


def _ipv6_text(address, value, origin, field):
    """address as glibc's inet_ntop writes it (so as ipvsadm -S -n prints it); forms IPVS cannot use are refused."""
    if address.ipv4_mapped is not None:
        # IPv4 packets are looked up among IPv4 services only, and the kernel refuses a mapped real server.
        fail(origin, field, '%r is an IPv4-mapped IPv6 address, which IPVS cannot serve; give the IPv4 address %s '
             'instead' % (value, address.ipv4_mapped))
    if getattr(address, 'scope_id', None):
        fail(origin, field, '%r has a zone index (%%%s), which ipvsadm does not accept; remove it'
             % (value, address.scope_id))
    if 0xffff < int(address) <= 0xffffffff:
        # ::0.1.0.0 to ::255.255.255.255: inet_ntop writes the deprecated IPv4-compatible form, ipaddress hex.
        return '::%s' % ipaddress.IPv4Address(int(address))
    return str(address)


def check_range(value, low, high, origin, field, hint):
    if value is None:
        return
    if not low <= value <= high:
        fail(origin, field, '%s is out of range; %s' % (value, hint))


def check_port(value, origin, field='port'):
    check_range(value, 1, 65535, origin, field, 'give a port from 1 to 65535')


def _netmask(svc, origin):
    """Normalise persistence_netmask: dotted mask for IPv4, prefix length for IPv6, None for the default."""
    mask = svc.persistence_netmask
    if mask is None:
        return None
    mask = str(mask).strip().lstrip('/')
    if svc.persistence_timeout is None:
        fail(origin, 'persistence_netmask', 'only applies to a persistent service; set persistence_timeout too, '
             'or remove persistence_netmask')
    if svc.family == 'ipv6':
        if not PREFIX_RE.match(mask):
            fail(origin, 'persistence_netmask', '%r is not valid for an IPv6 service; give a prefix length from 1 to 128, '
                 'such as 64' % mask)
        check_range(int(mask), 1, 128, origin, 'persistence_netmask', 'give a prefix length from 1 to 128')
        # ipvsadm -S prints the length without leading zeros (064 would be a change on every run).
        return None if int(mask) == 128 else str(int(mask))
    try:
        network = ipaddress.IPv4Network('0.0.0.0/%s' % mask)
    except ValueError:
        fail(origin, 'persistence_netmask', '%r is not an IPv4 netmask; give a dotted mask such as 255.255.255.0 '
             'or a prefix length from 0 to 32' % mask)
    return None if network.prefixlen == 32 else str(network.netmask)


def validate_service(svc, origin):
    """Check and normalise a VirtualService in place (not its real servers)."""
    if svc.fwmark is not None:
        check_range(svc.fwmark, 1, 2 ** 32 - 1, origin, 'fwmark', 'give a firewall mark from 1 to 4294967295')
        if svc.address is not None or svc.port is not None or svc.protocol is not None:
            fail(origin, 'fwmark', 'a firewall-mark service has no protocol, address or port; remove them or remove fwmark')
        svc.family = svc.family or 'ipv4'
    else:
        if svc.address is None or svc.port is None:
            fail(origin, 'address', 'a service needs address and port, or a fwmark instead')
        svc.address = canonical_address(svc.address, origin)
        check_port(svc.port, origin)
        family = 'ipv6' if ':' in svc.address else 'ipv4'
        if svc.family not in (None, family):
            fail(origin, 'family', 'is %s but address %s is %s; remove family or fix the address' % (svc.family, svc.address, family))
        svc.family = family
        svc.protocol = svc.protocol or 'tcp'
        if svc.protocol not in PROTOCOLS:
            fail(origin, 'protocol', '%r is not one of %s' % (svc.protocol, ', '.join(PROTOCOLS)))
    if svc.scheduler not in SCHEDULERS:
        fail(origin, 'scheduler', '%r is not a scheduler; use one of %s' % (svc.scheduler, ', '.join(SCHEDULERS)))
    for flag in svc.scheduler_flags:
        if FLAG_SCHEDULER.get(flag) != svc.scheduler:
            fail(origin, 'scheduler_flags', '%r needs scheduler %s, not %s; remove the flag or change the scheduler'
                 % (flag, FLAG_SCHEDULER.get(flag, 'sh or mh'), svc.scheduler))
    check_range(svc.persistence_timeout, 1, MAX_PERSISTENCE, origin, 'persistence_timeout',
                'give seconds from 1 to %d (31 days), or omit it for a non-persistent service' % MAX_PERSISTENCE)
    svc.persistence_netmask = _netmask(svc, origin)
    if svc.persistence_engine is not None and svc.persistence_timeout is None:
        fail(origin, 'persistence_engine', 'only applies to a persistent service; set persistence_timeout too, '
             'or remove persistence_engine')
    if svc.one_packet and svc.fwmark is None and svc.protocol != 'udp':
        fail(origin, 'one_packet', 'one-packet scheduling is for UDP (or firewall-mark) services only; set protocol: udp or '
             'one_packet: false')


def _tunnel(server, origin):
    if server.forwarding != 'tun':
        if server.tunnel_type or server.tunnel_port or server.tunnel_checksum:
            fail(origin, 'tunnel_type', 'tunnel settings need forwarding: tun; remove them or set forwarding: tun')
        return
    server.tunnel_type = server.tunnel_type or 'ipip'
    if server.tunnel_type == 'gue':
        if server.tunnel_port is None:
            fail(origin, 'tunnel_port', 'a gue tunnel needs tunnel_port (the receiver\'s GUE port, 1-65535)')
        check_port(server.tunnel_port, origin, 'tunnel_port')
    elif server.tunnel_port is not None:
        fail(origin, 'tunnel_port', 'only a gue tunnel has a port; remove tunnel_port or set tunnel_type: gue')
    if server.tunnel_type == 'ipip':
        if server.tunnel_checksum:
            fail(origin, 'tunnel_checksum', 'an ipip tunnel has no checksum option; remove tunnel_checksum')
    else:
        server.tunnel_checksum = server.tunnel_checksum or 'nocsum'


def validate_server(server, svc, origin):
    """Check and normalise a RealServer of svc in place. Unset (None) fields stay unset."""
    server.address = canonical_address(server.address, origin)
    refusal = family_refusal(server.address, svc.family, server.forwarding)
    if refusal:
        fail(origin, 'address', refusal)
    if svc.fwmark is not None:
        server.port = server.port or 0
        check_range(server.port, 0, 65535, origin, 'port', 'give a port from 0 to 65535 (0 keeps the packet\'s port)')
    elif server.port is None:
        server.port = svc.port
    else:
        check_port(server.port, origin)
        if server.port != svc.port and server.forwarding in ('dr', 'tun'):
            fail(origin, 'port', '%d differs from the service port %d; with forwarding %s the port cannot change: '
                 'remove port or use forwarding: nat' % (server.port, svc.port, server.forwarding))
    check_range(server.weight, 0, 65535, origin, 'weight', 'give a weight from 0 (drained) to 65535')
    check_range(server.upper_threshold, 0, MAX_THRESHOLD, origin, 'upper_threshold', 'give 0 (no limit) or a positive number')
    check_range(server.lower_threshold, 0, MAX_THRESHOLD, origin, 'lower_threshold', 'give 0 or a positive number')
    if server.lower_threshold and (server.upper_threshold or 0) < server.lower_threshold:
        fail(origin, 'lower_threshold', '%d is above upper_threshold %s; the lower threshold must not exceed the upper one'
             % (server.lower_threshold, server.upper_threshold or 0))
    _tunnel(server, origin)


def service_from_params(params, origin):
    """A validated VirtualService from a module's (sub)options dict; real_servers None when not given."""
    svc = VirtualService(protocol=params.get('protocol'), address=params.get('address'), port=params.get('port'),
                         fwmark=params.get('fwmark'), family=params.get('family'),
                         scheduler=params.get('scheduler') or 'wlc', scheduler_flags=params.get('scheduler_flags') or (),
                         persistence_timeout=params.get('persistence_timeout'),
                         persistence_netmask=params.get('persistence_netmask'),
                         persistence_engine=params.get('persistence_engine'),
                         one_packet=bool(params.get('one_packet')), origin=origin)
    validate_service(svc, origin)
    if params.get('real_servers') is not None:
        svc.real_servers = {}
        prefix = origin + '.' if origin else ''
        for index, item in enumerate(params['real_servers']):
            where = '%sreal_servers[%d]' % (prefix, index)
            server = server_from_params(dict(item, forwarding=item.get('forwarding') or DEFAULT_FORWARDING,
                                             weight=DEFAULT_WEIGHT if item.get('weight') is None else item['weight']), svc, where)
            if server.key in svc.real_servers:
                fail(where, 'address', '%s is listed twice; list each real server once'
                     % server.key)
            svc.real_servers[server.key] = server
    return svc


def server_from_params(params, svc, origin):
    """A validated RealServer of svc from a (sub)options dict."""
    server = RealServer(params.get('address'), params.get('port'), params.get('forwarding'), params.get('weight'),
                        params.get('upper_threshold'), params.get('lower_threshold'), params.get('tunnel_type'),
                        params.get('tunnel_port'), params.get('tunnel_checksum'), origin=origin)
    validate_server(server, svc, origin)
    return server


def _convert(kind, value, origin, field):
    """value as the argument-spec type kind, converted the way AnsibleModule converts it."""
    if kind == 'str':
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return str(value)
    else:
        try:
            if kind == 'int':
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
                if not isinstance(value, (bool, list, dict)):
                    return check_type_int(value)
            elif kind == 'bool':
                return check_type_bool(value)
            elif kind == 'list':
                return check_type_list(value)
            elif kind == 'dict':
                return check_type_dict(value)
        except TypeError:
            pass
    fail(origin, field, '%r is not %s; give %s' % (value, TYPE_NAMES[kind], TYPE_NAMES[kind]))


_PLAIN = {'str': str, 'int': int, 'bool': bool, 'list': list, 'dict': dict}


class OptionsChecker:
    """Checks values of one argument-spec entry (with nested options) the way AnsibleModule checks suboptions.

    Built once per option, then applied to thousands of values: types converted, choices checked,
    defaults filled in, unknown and missing options refused, mutually_exclusive, required_one_of,
    required_together and required_if applied; every failure names the field.
    """

    def __init__(self, option):
        self.option = option
        self.kind = option['type']
        self.elements = option.get('elements')
        self.choices = option.get('choices')
        self.fields = {}
        for name, sub in (option.get('options') or {}).items():
            nested = OptionsChecker(sub) if sub.get('options') or sub.get('elements') or sub.get('choices') else None
            self.fields[name] = (_PLAIN[sub['type']], sub['type'], nested)
        self.required = [name for name, sub in (option.get('options') or {}).items() if sub.get('required')]
        self.rules = any(option.get(rule) for rule in ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if'))

    def value(self, value, origin, field):
        """value converted and checked; a list's elements too, each dict element against the nested options."""
        value = _convert(self.kind, value, origin, field)
        if self.kind != 'list':
            self._choice(value, origin, field)
            return value
        if self.elements is None:
            return value
        items = []
        changed = False
        plain = _PLAIN[self.elements]
        prefix = '%s.%s' % (origin, field) if origin else field
        for index, item in enumerate(value):
            given = item
            if item is None:
                fail(origin, '%s[%d]' % (field, index), 'is empty; remove it or fill it in')
            if item.__class__ is not plain:
                item = _convert(self.elements, item, origin, '%s[%d]' % (field, index))
            if self.choices is not None:
                self._choice(item, origin, '%s[%d]' % (field, index))
            if self.fields:
                item = self.params(item, '%s[%d]' % (prefix, index))
            items.append(item)
            changed = changed or item is not given
        return items if changed else value

    def _choice(self, value, origin, field):
        if self.choices is not None and value not in self.choices:
            fail(origin, field, '%r is not one of %s' % (value, ', '.join(map(str, self.choices))))

    def params(self, params, origin):
        """One dict checked against the nested options; returned as is, or as a copy when a value was converted.

        Unset options stay unset (the callers apply the defaults of the spec); only given values are checked,
        which keeps a table of thousands of small dicts cheap.
        """
        fields = self.fields
        unknown = params.keys() - fields.keys()
        if unknown:
            fail(origin, sorted(unknown)[0], 'is not an option here; use %s' % ', '.join(sorted(fields)))
        for name in self.required:
            if params.get(name) is None:
                fail(origin, name, 'is required')
        converted = None
        for name, value in params.items():
            if value is None:
                continue
            plain, kind, nested = fields[name]
            if nested is not None:
                new = nested.value(value, origin, name)
            elif value.__class__ is not plain:
                new = _convert(kind, value, origin, name)
            else:
                continue
            if new is not value:
                converted = converted or dict(params)
                converted[name] = new
        params = converted or params
        if self.rules:
            self._rules(params, origin)
        return params

    def _rules(self, params, origin):
        option = self.option
        for names in option.get('mutually_exclusive') or ():
            given = [name for name in names if params.get(name) is not None]
            if len(given) > 1:
                fail(origin, given[0], 'parameters are mutually exclusive: %s; give only one of them' % '|'.join(names))
        for names in option.get('required_one_of') or ():
            if all(params.get(name) is None for name in names):
                fail(origin, names[0], 'one of the following is required: %s' % ', '.join(names))
        for names in option.get('required_together') or ():
            missing = [name for name in names if params.get(name) is None]
            if missing and len(missing) != len(names):
                fail(origin, missing[0], 'parameters are required together: %s; give all of them or none' % ', '.join(names))
        for name, value, needed in option.get('required_if') or ():
            if params.get(name) == value:
                missing = [other for other in needed if params.get(other) is None]
                if missing:
                    fail(origin, missing[0], 'is required because %s is %s' % (name, value))


def table_from_params(services, origin='services', option=None):
    """A validated table (dict key -> VirtualService) from a list of service dicts.

    With option (an argument-spec entry with nested options), each dict is first checked against it
    with OptionsChecker: the list was declared without nested options to AnsibleModule.
    """
    if option is not None:
        services = OptionsChecker(option).value(services, '', origin)
    table = {}
    for index, params in enumerate(services):
        svc = service_from_params(params, '%s[%d]' % (origin, index))
        if svc.key in table:
            fail('%s[%d]' % (origin, index), 'address', '%s is declared twice (also %s); declare each service once'
                 % (svc.key, table[svc.key].origin))
        table[svc.key] = svc
    return table


def _validate_servers(svc):
    """svc's real servers parsed from ``rules``, validated and keyed by canonical keys."""
    servers = {}
    for server in svc.real_servers.values():
        validate_server(server, svc, server.origin)
        if server.key in servers:
            raise IpvsValidationError('%s: real server %s of %s is listed twice (also %s); list each real server once'
                                      % (server.origin, server.key, svc.key, servers[server.key].origin))
        servers[server.key] = server
    return servers


def validate_table(table):
    """Validate a table parsed from ``rules`` text; returns it keyed by canonical keys."""
    result = {}
    for svc in table.values():
        validate_service(svc, svc.origin)
        svc.real_servers = _validate_servers(svc)
        if svc.key in result:
            raise IpvsValidationError('%s: %s is declared twice (also %s); declare each service once'
                                      % (svc.origin, svc.key, result[svc.key].origin))
        result[svc.key] = svc
    return result
