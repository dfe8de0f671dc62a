# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director's normalised model: every default applied, real servers resolved from the inventory.

The preflight compares it across directors; keepalived.conf, the fwmark rules
and the sysctls are rendered from it and nothing else. Plain data in and out:
``settings`` holds the role's ``director_*`` variables by name, ``hosts`` the
few inventory variables of the directors and real servers read here
(HOST_KEYS, and FACT_KEYS of their ansible_facts). A key present with any
value, null included, counts as set (as Jinja's ``default`` saw it). Broken
input is not refused here: the preflight reports it, naming the variable.
"""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.director_bgp_status import BGP_READ
from ansible_collections.lvs.ha.plugins.module_utils.director_depool import depool_guard
from ansible_collections.lvs.ha.plugins.module_utils.director_ecmp import ECMP_SYSCTLS, announce_services, ecmp
from ansible_collections.lvs.ha.plugins.module_utils.director_families import family
from ansible_collections.lvs.ha.plugins.module_utils.director_services import (
    default_address,
    real_server_address,
    services_of,
)
from ansible_collections.lvs.ha.plugins.module_utils.director_two_node import director_addresses, director_macs, two_node
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import DEFAULT_WEIGHT
from ansible_collections.lvs.ha.plugins.module_utils.template_values import (
    as_bool,
    as_float,
    as_int,
    as_text,
    combine,
    lower,
    unique,
    upper,
)

# The role variables the model reads, all of them, each by its name.
SETTINGS = (
    'director_group', 'director_real_server_group', 'director_address', 'director_address6', 'director_interface',
    'director_router_id',
    'director_vrrp_priority', 'director_vrrp_advert_int', 'director_vrrp_unicast', 'director_vrrp_nopreempt',
    'director_vrrp_preempt_delay', 'director_vrrp_instances', 'director_vrrp_scripts', 'director_vrrp_track_files',
    'director_switchover_file', 'director_rejoin_hold', 'director_ipvs_sync_daemon', 'director_ipvs_sync_instance',
    'director_ipvs_sync_id', 'director_sysctls', 'director_stray_tcp_drop', 'director_virtual_server_defaults',
    'director_check_defaults', 'director_virtual_servers', 'director_virtual_server_groups', 'director_peer_filter',
    'director_node_exporter', 'director_exporter', 'director_exporter_listen_address', 'director_exporter_port',
    'director_depool_policy', 'director_depool_threshold', 'director_vrrp_nice',
    'director_mode', 'director_bgp_asn', 'director_bgp_router_id', 'director_bgp_peers', 'director_bfd_interval',
    'director_bfd_multiplier',
)
# What the model reads of another host's variables, and of its ansible_facts.
HOST_KEYS = ('director_address', 'director_address6', 'ansible_host', 'real_server_address', 'real_server_address6',
             'real_server_weight', 'director_macaddress')
FACT_KEYS = ('default_ipv4', 'default_ipv6')
# The director's own address variable for each VRRP family.
ADDRESS_SETTING = {4: 'director_address', 6: 'director_address6'}
BASE_SYSCTLS = {'net.ipv4.vs.expire_nodest_conn': 1, 'net.ipv4.vs.expire_quiescent_template': 1}
# IPVS conntrack off (the kernel's default, written so a director converged with
# it on turns it off): with it on, a director that took over a NAT flow mid-stream
# reset it (an RST to the real server in the client's name, 3 of 3 lab runs of
# the rejoin test; none in 3 with it off). Only stateful firewall rules on the
# directors need it: director_sysctls can set it back.
NAT_SYSCTLS = {'net.ipv4.ip_forward': 1, 'net.ipv4.vs.conntrack': 0}
# NAT66: the directors route the IPv6 real servers' replies too. With it on the
# kernel ignores router advertisements on interfaces whose accept_ra is 1: a
# director that learns its IPv6 default route by SLAAC sets accept_ra 2 there
# (director_sysctls).
NAT6_SYSCTLS = {'net.ipv6.conf.all.forwarding': 1}
# Sync each connection once established, then every 5 s while it has traffic,
# instead of every 50th packet (the kernel's 3 50): a director held as BACKUP
# after a restart (director_rejoin_hold) learns every live flow, a slow one too.
SYNC_SYSCTLS = {'net.ipv4.vs.sync_threshold': '3 0', 'net.ipv4.vs.sync_refresh_period': 5}


def group_members(groups, name):
    """The hosts of inventory group name; none for a missing group or a name that is no group name at all."""
    try:
        return list(groups.get(name, []))
    except TypeError:  # unhashable: the preflight says director_group is empty or absent
        return []


def peer_addresses(directors, host, hosts, version=4):
    """How this director reaches each other one over IPv4 (director_address, its default IPv4 address, or its
    name) or over IPv6 (director_address6, its default IPv6 address, or its name)."""
    peers, key = [], ADDRESS_SETTING[version]
    for name in directors:
        if name != host:
            hv = hosts.get(name, {})
            peers.append(hv[key] if key in hv else default_address(hv, version) or name)
    return peers


def default_real_servers(members, hosts, version=4):
    """Every host of the real server group, for the virtual servers that list no real_servers: their IPv4
    addresses, or their IPv6 ones for a service of an IPv6 address."""
    servers = []
    for name in members:
        hv = hosts.get(name, {})
        servers.append({'host': name, 'ip': real_server_address(name, hv, version),
                        'weight': as_int(hv.get('real_server_weight', DEFAULT_WEIGHT))})
    return servers


def weights_by_name(declared):
    """Each vrrp_script or vrrp_track_file's weight; a later one of the same name wins."""
    return {item.get('name'): as_int(item.get('weight', 0)) for item in declared}


def tracks(items, declared_weights):
    """The tracked scripts, interfaces or files of an instance; effective: the weight keepalived applies."""
    return [{'name': t.get('name'), 'weight': t.get('weight'),
             'effective': as_int(t['weight'] if 'weight' in t else declared_weights.get(t.get('name'), 0))}
            for t in items]


def instance_family(vips):
    """The family of an instance's VIPs (the first that has one); 4 when none tells (the preflight reports it)."""
    return next((f for f in (family(v) for v in vips) if f), 4)


def vip_line(vip, interface, version):
    """A virtual_ipaddress line: on the instance's interface unless it names one; an IPv6 VIP deprecated
    (preferred_lft 0, keepalived's default for a /128 only) so the kernel never picks it as a source address:
    the director's health checks and a TUN director's outer header keep the host's own address."""
    line = vip if ' dev ' in vip else vip + ' dev ' + as_text(interface)
    if version == 6 and 'preferred_lft' not in vip:
        line += ' preferred_lft 0'
    return line


def vrrp_instance(i, s, first, peers):
    """One VRRP instance with the role's defaults; the first director of the group starts as MASTER.
    peers: the other directors' addresses of each family (4, 6): unicast adverts go to those of the instance's."""
    nopreempt = as_bool(i.get('nopreempt', s['director_vrrp_nopreempt']))
    preempt_delay = as_int(i.get('preempt_delay', s['director_vrrp_preempt_delay']))
    unicast = as_bool(i.get('unicast', s['director_vrrp_unicast']))
    starts_backup = nopreempt or preempt_delay > 0 or not first
    vips = [as_text(vip) for vip in i.get('vips', [])]
    version = instance_family(vips)
    interface = i.get('interface', s['director_interface'])
    return {
        'name': i.get('name'),
        'virtual_router_id': as_int(i.get('virtual_router_id')),
        'interface': interface,
        'family': version,
        'state': i.get('state', 'BACKUP' if starts_backup else 'MASTER'),
        'priority': as_int(i.get('priority', s['director_vrrp_priority'])),
        'advert_int': as_float(i.get('advert_int', s['director_vrrp_advert_int'])),
        'nopreempt': nopreempt,
        'preempt_delay': preempt_delay,
        'vips': vips,
        'vip_lines': [vip_line(vip, interface, version) for vip in vips],
        'unicast_src_ip': s[ADDRESS_SETTING[version]] if unicast else '',
        'unicast_peers': list(peers[version]) if unicast else [],
        'track_scripts': tracks(i.get('track_scripts', []), weights_by_name(s['director_vrrp_scripts'])),
        'track_interfaces': tracks(i.get('track_interfaces', []), {}),
        'track_files': tracks(i.get('track_files', []), weights_by_name(s['director_vrrp_track_files'])),
        'garp_master_delay': i.get('garp_master_delay'),
        'switchover': s['director_switchover_file'] != '',
    }


def service_key(vs, groups_by_name):
    """keepalived's name of the service (``fwmark 1``, ``group g``, ``10.0.0.10 80``) and whether it is marked."""
    if 'fwmark' in vs:
        return 'fwmark ' + as_text(vs['fwmark']), True
    if 'group' in vs:
        # A group of marks only is a fwmark service; an unknown group is not.
        members = groups_by_name.get(vs['group'], ['?'])
        return 'group ' + as_text(vs['group']), all(m.startswith('fwmark ') for m in members)
    # Without ip or port the preflight reports it; no crash here.
    return as_text(vs.get('ip', '')) + ' ' + as_text(vs.get('port', '')), False


def real_server(r, vs, check, is_fw, ports, drained):
    """One real server of vs, its check merged over the service's; a drained one has weight 0."""
    rs_check = combine(check, r.get('check', {}))
    if is_fw and 'connect_port' not in rs_check and len(ports) > 0 and rs_check.get('type') != 'MISC_CHECK':
        # A marked service has no port of its own: check the first marked one.
        rs_check['connect_port'] = ports[0]
    ip = as_text(r.get('ip'))
    weight = as_int(r.get('weight', DEFAULT_WEIGHT))
    return {
        'host': r.get('host', ''),
        'ip': ip,
        'port': None if is_fw else r.get('port', vs.get('port')),
        'weight': 0 if ip in drained else weight,
        # Before any drain: the depool guard's threshold is a share of it.
        'configured_weight': weight,
        'forwarding': upper(r.get('forwarding', vs.get('forwarding'))),
        'inhibit_on_failure': r.get('inhibit_on_failure'),
        'check': rs_check,
    }


def live_services(vs, groups_by_name):
    """The IPVS services keepalived makes of vs (director_services.services_of); none for a broken key, which the
    preflight reports."""
    try:
        return [matcher for _label, matcher in services_of(vs, groups_by_name)]
    except (TypeError, ValueError, KeyError, IndexError):
        return []


def virtual_server(v, s, groups_by_name, default_rs, drained):
    """One virtual server over the role's defaults, with its real servers (default_rs: the group's, by family)."""
    vs = combine(s['director_virtual_server_defaults'], v)
    key, is_fw = service_key(vs, groups_by_name)
    ports = vs.get('ports', [vs['port']] if 'port' in vs else [])
    check = combine(s['director_check_defaults'], vs.get('check', {}))
    model = {'key': key, 'name': vs.get('name', key)}
    for field in ('fwmark', 'group', 'ip', 'port'):
        model[field] = vs.get(field)
    model.update({
        'is_fwmark': is_fw,
        'protocol': upper(vs.get('protocol')),
        'scheduler': vs.get('scheduler'),
        'scheduler_flags': vs.get('scheduler_flags', []),
        'ops': as_bool(vs.get('ops', False)),
        'forwarding': upper(vs.get('forwarding')),
    })
    for field in ('delay_loop', 'persistence_timeout', 'persistence_granularity', 'quorum', 'quorum_up', 'quorum_down',
                  'hysteresis'):
        model[field] = vs.get(field)
    for field in ('alpha', 'omega', 'inhibit_on_failure'):
        model[field] = as_bool(vs.get(field, False))
    model['sorry_server'] = vs.get('sorry_server')
    version = family(vs['ip']) if 'ip' in vs else None
    model['family'] = version or 4
    model['real_servers'] = [real_server(r, vs, check, is_fw, ports, drained)
                             for r in vs.get('real_servers', default_rs[6 if version == 6 else 4])]
    model['depool_guard'] = depool_guard(vs, s['director_depool_policy'], s['director_depool_threshold'],
                                         model['real_servers'])
    if model['depool_guard']['policy'] == 'keep':
        # A failed real server stays in IPVS at weight 0, where the guard can give its weight back.
        for rs in model['real_servers']:
            rs['inhibit_on_failure'] = True
    elif model['depool_guard']['policy'] == 'sorry' and model['quorum'] is None:
        model['quorum'] = model['depool_guard']['min_weight']
    model['live'] = live_services(model, groups_by_name)
    mark = None
    if 'fwmark' in vs and 'ip' in vs and len(ports) > 0:
        mark = {'mark': as_int(vs['fwmark']), 'ip': vs['ip'], 'family': version or 4, 'protocol': lower(vs.get('protocol')),
                'ports': ports}
    return model, mark


def hash_fallback(vs):
    """sh and mh keep a real server at weight 0 in their table (its slots are kept for its return) and drop the new
    flows that hash to it, unless the scheduler's fallback flag sends them to another: so a service whose failed
    real servers stay at weight 0 (inhibit_on_failure: ecmp, the depool guard's keep) gets it."""
    flag = '%s-fallback' % vs['scheduler']
    if vs['scheduler'] in ('sh', 'mh') and any(as_bool(rs['inhibit_on_failure']) for rs in vs['real_servers']) \
            and flag not in vs['scheduler_flags']:
        vs['scheduler_flags'] = list(vs['scheduler_flags']) + [flag]


def stray_tcp(services, own, enabled):
    """TCP services (not served by this director itself: own, its addresses) whose stray segments nftables drops
    after IPVS; services: IPv4 ``address . port``, services6 the IPv6 ones."""
    marks, plain = [], {4: [], 6: []}
    for vs in services:
        if vs['protocol'] != 'TCP' or any(rs['ip'] in list(own) + ['127.0.0.1', '::1'] for rs in vs['real_servers']):
            continue
        if vs['is_fwmark'] and vs['fwmark'] is not None:
            marks.append(as_int(vs['fwmark']))
        elif vs['ip'] is not None and vs['port'] is not None and family(vs['ip']):
            plain[family(vs['ip'])].append(as_text(vs['ip']) + ' . ' + as_text(vs['port']))
    return {'enabled': as_bool(enabled) and len(plain[4] or plain[6] or marks) > 0, 'services': unique(plain[4]),
            'services6': unique(plain[6]), 'marks': unique(marks)}


def sync(s, instances):
    """The IPVS sync daemon: it follows a VRRP instance (the first by default), its VRID the default sync id."""
    name = s['director_ipvs_sync_instance'] or (instances[0]['name'] if instances else '')
    followed = [i for i in instances if i['name'] == name]
    enabled = as_bool(s['director_ipvs_sync_daemon']) and name != ''
    both = as_int(s['director_sysctls'].get('net.ipv4.vs.backup_only', 0)) == 0
    return {
        'enabled': enabled,
        'interface': followed[0]['interface'] if followed else s['director_interface'],
        'instance': name,
        'id': as_int(s['director_ipvs_sync_id']) or (followed[0]['virtual_router_id'] if followed else 0),
        # Both daemons on every director unless backup_only: a running backup daemon would
        # switch this director's IPVS off, so keepalived runs the one its state calls for.
        'both': both,
        # The role runs both (lvs-ha-sync.service); otherwise keepalived runs one, or none runs.
        'both_run': enabled and both,
    }


def local_address(address):
    """Where this director reaches a service of its own listening on address (every address: the loopback)."""
    if address in ('', '0.0.0.0'):
        return '127.0.0.1'
    if address == '::':
        return '[::1]'
    return '[%s]' % address if ':' in address else address


def exporter(s, model):
    """The metrics of this director: Debian's node-exporter, and the role's lvs-ha-exporter reading only the
    sources this director has (a source it lacks would read as down)."""
    enabled, node_exporter = as_bool(s['director_exporter']), as_bool(s['director_node_exporter'])
    wanted = [('sync_daemon', model['sync']['both_run']), ('nftables', model['nftables']),
              ('rejoin_hold', model['rejoin_hold'] > 0), ('switchover', model['switchover_file'] != ''),
              ('depool_guard', model['depool_guard'])]
    sources = ['keepalived', 'ipvs'] + [name for name, has in wanted if has]
    address, port = as_text(s['director_exporter_listen_address']), as_int(s['director_exporter_port'])
    args = ['--listen-address', address, '--port', str(port)] + [a for name in sources for a in ('--source', name)]
    if 'switchover' in sources:
        args += ['--switchover-file', as_text(model['switchover_file'])]
    packages = (['prometheus-node-exporter'] if node_exporter else []) + (['python3-prometheus-client'] if enabled else [])
    return {'enabled': enabled, 'node_exporter': node_exporter, 'address': address, 'port': port,
            'local': local_address(address), 'sources': sources if enabled else [], 'args': args if enabled else [],
            'packages': packages}


def director_model(settings, host, groups, hosts, drained):
    """The model of director host; settings: its director_* variables; hosts: HOST_KEYS of the other hosts."""
    s = settings
    directors = group_members(groups, s['director_group'])
    peers = {version: peer_addresses(directors, host, hosts, version) for version in (4, 6)}
    first = directors[:1] == [host]
    instances = [vrrp_instance(i, s, first, peers) for i in s['director_vrrp_instances']]
    groups_by_name = {g.get('name'): [as_text(m) for m in g.get('members')] for g in s['director_virtual_server_groups']}
    members = group_members(groups, s['director_real_server_group'])
    default_rs = {version: default_real_servers(members, hosts, version) for version in (4, 6)}
    services, fwmarks = [], []
    for v in s['director_virtual_servers']:
        vs, mark = virtual_server(v, s, groups_by_name, default_rs, drained)
        services.append(vs)
        fwmarks.extend([mark] if mark else [])
    macs = director_macs(directors, host, hosts)
    is_two_node = two_node(services, fwmarks, director_addresses(directors, host, s, hosts), macs)
    bgp = dict(ecmp(s, services), read=BGP_READ)
    if bgp['enabled']:
        announce_services(services)
    for vs in services:
        hash_fallback(vs)
    # ecmp: no VRRP, so no sync daemon to follow one (mh makes every director choose alike instead).
    daemon = sync(s, instances if not bgp['enabled'] else [])
    v6 = [i for i in instances if i['family'] == 6]
    sysctls = dict(BASE_SYSCTLS)
    nat = [rs['ip'] for vs in services for rs in vs['real_servers'] if rs['forwarding'] == 'NAT']
    if nat:
        sysctls.update(NAT_SYSCTLS)
    if any(family(ip) == 6 for ip in nat):
        sysctls.update(NAT6_SYSCTLS)
    if daemon['enabled']:
        sysctls.update(SYNC_SYSCTLS)
    if bgp['enabled']:
        sysctls.update(ECMP_SYSCTLS)
    model = {
        'host': host,
        'router_id': s['director_router_id'],
        'vrrp_nice': as_int(s['director_vrrp_nice'], None),
        'address': s['director_address'],
        'address6': s['director_address6'],
        # The peer filter's set. ecmp has no VRRP and no sync daemon: nothing to accept from anyone, and a
        # director added changes nothing on the others.
        'peers': peers[4] if not bgp['enabled'] else [],
        # The peer filter's IPv6 set, when every IPv6 instance is unicast: multicast IPv6 adverts come from
        # link-local addresses, which the filter does not know.
        'peers6': peers[6] if all(i['unicast_peers'] for i in v6) and v6 else [],
        'instances': instances,
        'virtual_servers': services,
        'groups': groups_by_name,
        'fwmarks': fwmarks,
        # Directors that are real servers too: their MACs leave packets unmarked (director_two_node.py).
        'two_node': is_two_node,
        'director_macs': macs,
        'drained': drained,
        'switchover_file': s['director_switchover_file'] if not bgp['enabled'] else '',
        'rejoin_hold': as_int(s['director_rejoin_hold']) if daemon['enabled'] else 0,
        'sync': daemon,
        # ecmp: sloppy_tcp makes IPVS take up every segment, none is stray.
        'stray_tcp': stray_tcp(services, (s['director_address'], s['director_address6']),
                               s['director_stray_tcp_drop'] and not bgp['enabled']),
        'ecmp': bgp,
        'sysctls': combine(sysctls, s['director_sysctls']),
    }
    # The guard script and the services file it reads, for services of policy keep.
    model['depool_guard'] = any(vs['depool_guard']['policy'] == 'keep' for vs in services)
    # The lvs_ha nftables table: for fwmarks, the peer filter, or stray TCP to drop.
    model['nftables'] = bool(fwmarks) or as_bool(s['director_peer_filter']) or model['stray_tcp']['enabled']
    model['exporter'] = exporter(s, model)
    return model
