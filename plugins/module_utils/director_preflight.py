# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director role's preflight: every check over the models of all directors at once.

Pure functions over plain dicts (the models the role builds, the few raw
variables it reads); each error names the host, the variable and the fix.
The address, scheduler and health-check rules are the modules' own.
"""

from __future__ import annotations

import re

from ansible_collections.lvs.ha.plugins.module_utils.director_depool import depool_errors
from ansible_collections.lvs.ha.plugins.module_utils.director_ecmp import differing_real_servers, ecmp_across_errors, ecmp_errors
from ansible_collections.lvs.ha.plugins.module_utils.director_two_node import two_node_errors
from ansible_collections.lvs.ha.plugins.module_utils.director_families import instance_family_errors, service_family_errors
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import CHECK_TYPES, FORWARDING, PROTOCOLS, SCHEDULERS
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import address_refusal, is_interface_name, is_ip_address
from ansible_collections.lvs.ha.plugins.module_utils.template_values import as_int

UPPER_FORWARDING = tuple(f.upper() for f in FORWARDING)
UPPER_PROTOCOLS = tuple(p.upper() for p in PROTOCOLS)
TRACK_KINDS = ('track_scripts', 'track_interfaces', 'track_files')
# Compared across directors: what must be equal for VRRP to elect one master.
SHARED_INSTANCE_KEYS = ('virtual_router_id', 'vips', 'advert_int', 'nopreempt', 'interface')
# 24, 64: a prefix length after a VIP (no leading zero for IPv4, as keepalived's examples write it)
IPV4_PREFIX_RE = re.compile(r'^([0-9]|[12][0-9]|3[0-2])\Z')
IPV6_PREFIX_RE = re.compile(r'^[0-9]{1,3}\Z')
# lb1 (keepalived's router_id is one word)
ROUTER_ID_RE = re.compile(r'^\S+$')
# Debian's prometheus-node-exporter listens there (director_node_exporter).
NODE_EXPORTER_PORT = 9100


def is_vip(text):
    """192.0.2.10 or 192.0.2.10/24, 2001:db8::10 or 2001:db8::10/64."""
    address, slash, prefix = str(text).partition('/')
    if not is_ip_address(address):
        return False
    if not slash:
        return True
    if ':' in address:
        return IPV6_PREFIX_RE.match(prefix) is not None and int(prefix) <= 128
    return IPV4_PREFIX_RE.match(prefix) is not None


def why(address):
    """The modules' reason for refusing address (an IPv4-mapped one, a zone index...), to end a message with."""
    reason = address_refusal(str(address).split('/', maxsplit=1)[0])
    return ' (%s)' % reason if reason else ''


def unique(items):
    seen = set()
    return [i for i in items if not (i in seen or seen.add(i))]


def preflight_errors(models, settings, directors, play_hosts, host_vars):
    """Every error of the preflight, in the order the checks run, each once.

    models: each director's model (in play order); settings: the role's variables as the
    first director sees them (director_group, director_real_server_group, director_vrrp_version,
    director_ipvs_sync_id, script_names, track_file_names, vs_default_keys, vs_options);
    directors: the hosts of director_group; host_vars: {host: {variable: value}} as set
    in the inventory (per-director version and sync id, each real server's real_server_vips).
    """
    errors = group_errors(settings['director_group'], directors, play_hosts)
    for model in models:
        errors += director_errors(model, settings, directors, host_vars)
    errors += across_errors(models, settings['director_group'])
    return unique(errors)


def group_errors(group, directors, play_hosts):
    if not directors:
        return ["director_group: the group '%s' is empty or absent; put the directors in it or set director_group to "
                "their group" % group]
    missing = [h for h in directors if h not in play_hosts]
    if missing:
        return ["director_group: %s not in this play (--limit or serial?); preflight must see every director of '%s' "
                "before touching any, run the play over the whole group" % (', '.join(missing), group)]
    return []


def director_errors(m, settings, directors, host_vars):
    """The checks of one director on its own."""
    host, errors = m['host'], []
    own = host_vars.get(host, {})
    if host not in directors:
        errors.append("%s: not a member of director_group '%s'; add it to that group or set director_group"
                      % (host, settings['director_group']))
    if not 0 <= m['rejoin_hold'] <= 3600:
        errors.append('%s: director_rejoin_hold %s is outside 0-3600 s; set it to the seconds a returning director waits '
                      'as BACKUP (0: off)' % (host, m['rejoin_hold']))
    ecmp = m.get('ecmp', {}).get('enabled')   # the model always has it; the preflight's test fixtures need not
    if ecmp:
        errors += ecmp_errors(m)
    elif not m['instances']:
        errors.append('%s: director_vrrp_instances is empty; define at least one instance with name, virtual_router_id '
                      'and vips (or set director_mode: ecmp)' % host)
    for version, key, setting in ((4, 'address', 'director_address'), (6, 'address6', 'director_address6')):
        unicast = [i['name'] for i in m['instances'] if i['family'] == version and i['unicast_peers']]
        if unicast and not is_ip_address(m[key]):
            errors.append("%s: %s '%s' is not an IP address; set it (the unicast VRRP source of %s) or gather facts "
                          '(ansible_facts.default_ipv%d)' % (host, setting, m[key], ', '.join(unicast), version))
    if not ROUTER_ID_RE.match(str(m['router_id'])):
        errors.append("%s: director_router_id '%s' must be one word without blanks" % (host, m['router_id']))
    sync_id = as_int(own.get('director_ipvs_sync_id', settings['director_ipvs_sync_id']))
    if not 0 <= sync_id <= 255:
        errors.append("%s: director_ipvs_sync_id %s is outside 0-255; 0 takes the sync instance's VRID" % (host, sync_id))
    version = as_int(own.get('director_vrrp_version', settings['director_vrrp_version']))
    nice = m.get('vrrp_nice', 0)   # the model always has it; the preflight's test fixtures need not
    if nice is None or not -20 <= nice <= 19:
        errors.append('%s: director_vrrp_nice is not a nice value from -20 to 19 (-20: the VRRP adverts go first); '
                      'set it as a whole number' % host)
    errors += instances_errors(m, version, settings)
    errors += exporter_errors(m) + (two_node_errors(m) if m.get('two_node') else [])
    names = [i['name'] for i in m['instances']]
    if m['sync']['enabled'] and m['sync']['instance'] not in names:
        errors.append("%s: director_ipvs_sync_instance '%s' names no VRRP instance; use one of %s"
                      % (host, m['sync']['instance'], ', '.join(names)))
    for key in settings['vs_default_keys']:
        if key not in settings['vs_options']:
            errors.append("%s: director_virtual_server_defaults: unknown key '%s'; use options of director_virtual_servers "
                          "(%s)" % (host, key, ', '.join(settings['vs_options'])))
    return errors + services_errors(m, settings, host_vars)


def exporter_errors(m):
    """The exporter's listen address and port (NODE_EXPORTER_PORT is node-exporter's)."""
    e, host, errors = m.get('exporter', {}), m['host'], []
    if not e.get('enabled'):
        return errors
    if not 1 <= e['port'] <= 65535:
        errors.append('%s: director_exporter_port %s is outside 1-65535 (default 9848)' % (host, e['port']))
    elif e['node_exporter'] and e['port'] == NODE_EXPORTER_PORT:
        errors.append('%s: director_exporter_port %s is node-exporter\'s; choose another port (default 9848), or set '
                      'director_node_exporter: false' % (host, e['port']))
    if not is_ip_address(e['address']):
        errors.append("%s: director_exporter_listen_address '%s' is not an IP address; 0.0.0.0 listens on every IPv4 "
                      'address' % (host, e['address']))
    return errors


def instances_errors(m, version, settings):
    host, errors = m['host'], []
    seen = {'vrids': set(), 'names': set(), 'vips': {}}
    for i in m['instances']:
        name, where = i['name'], '%s: director_vrrp_instances[%s]' % (host, i['name'])
        # A VRID is one per interface and family (RFC 5798: IPv4 and IPv6 routers are distinct).
        vrid_key = '%s/%s/%s' % (i['interface'], i['family'], i['virtual_router_id'])
        if vrid_key in seen['vrids']:
            errors.append('%s: director_vrrp_instances: virtual_router_id %s is used twice for IPv%s on %s; give instance '
                          '%s its own VRID (1-255)' % (host, i['virtual_router_id'], i['family'], i['interface'], name))
        seen['vrids'].add(vrid_key)
        if name in seen['names']:
            errors.append('%s: director_vrrp_instances: instance name %s is used twice; give each instance its own name'
                          % (host, name))
        seen['names'].add(name)
        if not is_interface_name(i['interface']):
            errors.append("%s.interface '%s' is not an interface name; set director_interface or the instance's interface"
                          % (where, i['interface']))
        errors += timing_errors(i, where, version)
        errors += vips_errors(i, host, where, seen['vips'])
        errors += instance_family_errors(i, where)
        errors += tracks_errors(i, where, settings)
        errors += instance_range_errors(i, host, where)
    return errors


def timing_errors(i, where, version):
    advert, errors = i['advert_int'], []
    if version == 2 and (advert < 1 or advert > 255 or advert != round(advert)):
        errors.append('%s.advert_int %s must be whole seconds 1-255 with director_vrrp_version 2; set '
                      "director_vrrp_advert_int (or the instance's advert_int), or use VRRPv3" % (where, advert))
    elif version == 3 and (advert < 0.01 or advert > 40.95):
        errors.append("%s.advert_int %s is outside 0.01-40.95 s (VRRPv3); set director_vrrp_advert_int or the instance's "
                      'advert_int' % (where, advert))
    if not 0 <= i['preempt_delay'] <= 1000:
        errors.append("%s.preempt_delay %s is outside 0-1000 s; set director_vrrp_preempt_delay or the instance's "
                      'preempt_delay' % (where, i['preempt_delay']))
    return errors


def vips_errors(i, host, where, seen):
    """seen: VIP -> the first instance holding it, across the director's instances."""
    errors = []
    for vip in i['vips']:
        address = (vip.split() + [''])[0]
        bare = address.split('/')[0]
        if not is_vip(address):
            errors.append("%s.vips: '%s' does not start with an address (10.0.0.10/24, then keepalived options if any)%s"
                          % (where, vip, why(bare)))
        elif bare in seen:
            errors.append('%s: director_vrrp_instances: VIP %s is in %s and %s; one instance per VIP'
                          % (host, bare, seen[bare], i['name']))
        seen.setdefault(bare, i['name'])
    return errors


def tracks_errors(i, where, settings):
    errors = []
    for kind, known, variable in (('track_scripts', settings['script_names'], 'director_vrrp_scripts'),
                                  ('track_files', settings['track_file_names'], 'director_vrrp_track_files')):
        for t in i[kind]:
            if t['name'] not in known:
                errors.append("%s.%s: '%s' is not in %s; define it there or fix the name" % (where, kind, t['name'], variable))
    return errors


def instance_range_errors(i, host, where):
    errors = []
    if not 1 <= i['virtual_router_id'] <= 255:
        errors.append('%s.virtual_router_id %s is outside 1-255' % (where, i['virtual_router_id']))
    if not 1 <= i['priority'] <= 254:
        errors.append("%s: priority %s of instance %s is outside 1-254; set director_vrrp_priority (or the instance's "
                      'priority) for this host' % (host, i['priority'], i['name']))
    if not i['vips']:
        errors.append('%s.vips is empty; list the virtual addresses the instance moves' % where)
    for peer in i['unicast_peers']:
        if not is_ip_address(peer):
            errors.append("%s: unicast peer '%s' of %s is not an IP address; set %s for that director or gather its facts"
                          % (host, peer, i['name'], 'director_address6' if i['family'] == 6 else 'director_address'))
    return errors


def services_errors(m, settings, host_vars):
    errors, keys = [], set()
    for vs in m['virtual_servers']:
        key = '%s/%s' % (vs['key'], vs['protocol'])
        if key in keys:
            errors.append('%s: director_virtual_servers: %s %s is defined twice (%s); keep one entry per address and port, '
                          'fwmark or group' % (m['host'], vs['key'], vs['protocol'], vs['name']))
        keys.add(key)
        errors += service_errors(vs, m, settings)
        for rs in vs['real_servers']:
            errors += real_server_errors(rs, vs, m['host'], host_vars)
    return errors


def service_errors(vs, m, settings):
    host, errors = m['host'], []
    where = '%s: director_virtual_servers[%s]' % (host, vs['name'])
    if vs['ip'] is not None and not (is_vip(vs['ip']) if vs['fwmark'] is not None else is_ip_address(vs['ip'])):
        errors.append("%s.ip '%s' is not an IP address%s" % (where, vs['ip'], why(vs['ip'])))
    if vs['port'] is not None and not 1 <= as_int(vs['port']) <= 65535:
        errors.append('%s.port %s is outside 1-65535' % (where, vs['port']))
    if vs['scheduler'] not in SCHEDULERS:
        errors.append("%s.scheduler '%s' is not an IPVS scheduler; use one of %s (here or in "
                      'director_virtual_server_defaults)' % (where, vs['scheduler'], ', '.join(SCHEDULERS)))
    if vs['protocol'] not in UPPER_PROTOCOLS:
        errors.append("%s.protocol '%s' is not TCP, UDP or SCTP (here or in director_virtual_server_defaults)"
                      % (where, vs['protocol']))
    if vs['forwarding'] not in UPPER_FORWARDING:
        errors.append("%s.forwarding '%s' is not DR, TUN or NAT (here or in director_virtual_server_defaults)"
                      % (where, vs['forwarding']))
    if vs['group'] is not None and vs['group'] not in m['groups']:
        errors.append("%s.group '%s' is not in director_virtual_server_groups; define it there" % (where, vs['group']))
    if vs['fwmark'] is None and vs['group'] is None and (vs['ip'] is None or vs['port'] is None):
        errors.append('%s needs ip and port, or fwmark, or group' % where)
    if not any(rs['weight'] > 0 for rs in vs['real_servers']):
        errors.append("%s: virtual server %s has no real server of weight > 0 (only the sorry or a Local server would "
                      "answer); add hosts to director_real_server_group '%s' or set real_servers with weight >= 1"
                      % (host, vs['name'], settings['director_real_server_group']))
    return errors + service_family_errors(vs, where) + depool_errors(vs, where)


def real_server_errors(rs, vs, host, host_vars):
    where, ip, errors = '%s: director_virtual_servers[%s]' % (host, vs['name']), rs['ip'], []
    if rs['port'] is not None and not 1 <= as_int(rs['port']) <= 65535:
        errors.append('%s.real_servers: port %s of %s is outside 1-65535' % (where, rs['port'], ip))
    if not 0 <= rs['weight'] <= 65535:
        errors.append('%s: weight %s of real server %s is outside 0-65535; set its weight in real_servers%s'
                      % (where, rs['weight'], ip, ' or real_server_weight of host ' + rs['host'] if rs['host'] else ''))
    if rs['forwarding'] not in UPPER_FORWARDING:
        errors.append("%s: forwarding '%s' of real server %s is not DR, TUN or NAT" % (where, rs['forwarding'], ip))
    check_type = rs['check'].get('type', '')
    if check_type not in CHECK_TYPES:
        errors.append("%s: check type '%s' of real server %s is not one of %s; fix it in director_check_defaults or the "
                      'check of the virtual server or real server' % (where, check_type, ip, ', '.join(CHECK_TYPES)))
    if not is_ip_address(ip):
        errors.append("%s: real server '%s' of %s is not an IP address%s; set real_server_address for host %s or gather "
                      'its facts before the director play' % (host, ip, vs['name'], why(ip), rs['host'] or ip))
    if not vs['is_fwmark'] and rs['port'] is None:
        errors.append('%s: real server %s of %s has no port; set port on the virtual server or the real server'
                      % (host, ip, vs['name']))
    vips = host_vars.get(rs['host'], {}).get('real_server_vips') if rs['host'] else None
    if vips is not None and vs['ip'] is not None and rs['forwarding'] in ('DR', 'TUN') and vs['ip'] not in vips:
        errors.append('real server %s: real_server_vips %s lacks %s of virtual server %s (%s); add it, or the real server '
                      'drops what the directors forward' % (rs['host'], vips, vs['ip'], vs['name'], rs['forwarding']))
    if vs['is_fwmark'] and rs['check'].get('type') != 'MISC_CHECK' and 'connect_port' not in rs['check']:
        errors.append('%s: fwmark service %s: the %s of %s needs check.connect_port (or ports on the virtual server)'
                      % (host, vs['name'], rs['check'].get('type'), ip))
    return errors


def across_errors(models, group):
    """The checks across directors: the same instances and services everywhere, priorities that elect one master."""
    ecmp = any(m.get('ecmp', {}).get('enabled') for m in models)
    errors = ecmp_across_errors(models) if ecmp else []
    if len(models) < 2:
        return errors
    first = models[0]
    for m in models[1:]:
        # ecmp's own message already names real servers that differ.
        told = {name for name, _a, _b in differing_real_servers(first, m)} if ecmp else set()
        errors += _compare_instances(first, m, group) + _compare_services(first, m, group, told)
    for i in first['instances']:
        ranked = sorted(({'host': m['host'], 'priority': j['priority'], 'inst': j}
                         for m in models for j in m['instances'] if j['name'] == i['name']),
                        key=lambda r: r['priority'], reverse=True)
        if len(ranked) > 1:
            errors += priority_errors(i['name'], ranked)
    return errors


def _compare_instances(first, m, group):
    a, b = [i['name'] for i in first['instances']], [i['name'] for i in m['instances']]
    if a != b:
        return ['director_vrrp_instances differ: %s has %s, %s has %s; define them once in group_vars/%s'
                % (first['host'], ','.join(a), m['host'], ','.join(b), group)]
    return ['instance %s: %s is %s on %s but %s on %s; set it the same on every director (group_vars/%s)'
            % (i['name'], key, i[key], first['host'], j[key], m['host'], group)
            for i, j in zip(first['instances'], m['instances']) for key in SHARED_INSTANCE_KEYS if i[key] != j[key]]


def _compare_services(first, m, group, told=()):
    va, vb = [vs['key'] for vs in first['virtual_servers']], [vs['key'] for vs in m['virtual_servers']]
    if va != vb:
        return ['director_virtual_servers differ: %s has [%s], %s has [%s]; define them once in group_vars/%s'
                % (first['host'], ', '.join(va), m['host'], ', '.join(vb), group)]
    return ['virtual server %s is configured differently on %s and %s (scheduler, persistence, real servers or checks); '
            'define it once in group_vars/%s' % (vs['name'], first['host'], m['host'], group)
            for vs, other in zip(first['virtual_servers'], m['virtual_servers']) if vs != other and vs['name'] not in told]


def priority_errors(name, ranked):
    """ranked: the directors' copies of instance name, highest priority first."""
    top, second, errors = ranked[0], ranked[1], []
    gap = top['priority'] - second['priority']
    if gap < 1:
        errors.append('instance %s: %s and %s both have priority %s; set director_vrrp_priority per host so the intended '
                      'master is higher (e.g. 200 and 150)' % (name, top['host'], second['host'], top['priority']))
    else:
        errors += ['instance %s: %s %s has weight %s but the priority gap between %s (%s) and %s (%s) is %s: its failure '
                   'cannot move the VIP; use a weight beyond -%s or narrow the gap'
                   % (name, kind[:-1], t['name'], t['effective'], top['host'], top['priority'], second['host'],
                      second['priority'], gap, gap)
                   for kind in TRACK_KINDS for t in top['inst'][kind] if t['effective'] != 0 and abs(t['effective']) <= gap]
    for r in ranked:
        up = sum(t['effective'] for kind in TRACK_KINDS for t in r['inst'][kind] if t['effective'] > 0)
        if r['priority'] + up > 254:
            errors.append('instance %s on %s: priority %s + positive track weights %s exceed 254, keepalived caps the sum '
                          'and the priority gap can vanish; lower director_vrrp_priority or the weights'
                          % (name, r['host'], r['priority'], up))
    return errors
