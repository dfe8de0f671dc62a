# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run by lvs-ha-exporter.service on every director:
#   /usr/bin/python3 lvs-ha-exporter [--listen-address A] [--port P] [--source S ...] [paths ...]
"""Prometheus metrics of a director that node-exporter's IPVS collector lacks.

Gathered on each scrape (no polling thread), each source on its own: one that
fails sets lvs_ha_exporter_source_up{source} to 0 and the others still export.

  keepalived    VRRP per instance, from keepalived's JSON dump (the JSON signal,
                then /tmp/keepalived.json): state, priorities, adverts, transitions
  ipvs          each configured real server up (in /proc/net/ip_vs with weight > 0;
                keepalived's checker removes a failed one, or sets its weight 0
                with inhibit_on_failure), per service how many are up
  sync_daemon   the IPVS sync daemons (`ipvsadm -L --daemon`: no /proc file has them)
  nftables      the drop counters of the role's table (`nft -j list ruleset`)
  rejoin_hold   whether the rejoin hold keeps this director BACKUP
  switchover    whether a switchover handed this director's VIPs away
  depool_guard  per service of depool_policy keep, whether the depool guard holds
                its failed real servers in and how many checks fail (its state
                file, --depool-guard-state; none yet: nothing held)

The services file (--services-file) is what the ipvs source expects, rendered by
the role from the director model (extra keys are ignored):

  {"virtual_servers": [
     {"name": "web", "protocol": "TCP", "ip": "10.77.0.10", "port": 80,
      "real_servers": [{"ip": "10.77.0.21", "port": 80, "weight": 1}]},
     {"name": "fwmark 7", "fwmark": 7, "real_servers": [{"ip": "10.77.0.21", "weight": 1}]},
     {"name": "group g", "group": "g", "protocol": "TCP", "real_servers": [...]}],
   "groups": {"g": ["10.77.0.10 80", "[fd00::10] 80", "fwmark 7"]}}

A real server of weight 0 there is drained: it is not up, and the alerts that a
real server is down leave it out (lvs_ha_real_server_configured_weight). One the
depool guard holds in (its check fails) is not up either, although IPVS has it
at its weight.
"""

import argparse
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

SOURCES = ('keepalived', 'ipvs', 'sync_daemon', 'nftables', 'rejoin_hold', 'switchover', 'depool_guard')
# 9100 is node-exporter's, 9165 and 9650 keepalived exporters'; 8848 is the IPVS sync port.
DEFAULT_PORT = 9848

VRRP = ('iname', 'intf', 'vrid')
SERVICE = ('service', 'protocol', 'vip', 'port', 'fwmark')
REAL_SERVER = SERVICE + ('real_server', 'real_server_port')
# service: the name, as in the other lvs_ha_* metrics; key: the model's, as in the guard's state and log.
GUARD = ('service', 'key')
# Every metric: name -> (type, labels, help). keepalived_* are what keepalived's
# dump says, named as mehdy/keepalived-exporter names them where it has them;
# lvs_ha_* are the role's and IPVS's.
METRICS = {
    'keepalived_vrrp_state': ('gauge', VRRP, 'VRRP state code: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT'),
    'keepalived_vrrp_instance_state': ('gauge', VRRP + ('state',), 'VRRP state, 1 for the current one'),
    'keepalived_vrrp_effective_priority': ('gauge', VRRP, 'Priority with the tracked scripts and files'),
    'keepalived_vrrp_base_priority': ('gauge', VRRP, 'Configured priority'),
    'keepalived_vrrp_vip_set': ('gauge', VRRP + ('vip',), 'The VIP is set on this director'),
    'keepalived_vrrp_last_transition_timestamp_seconds': ('gauge', VRRP, 'Time of the last state change'),
    'keepalived_advertisements_received_total': ('counter', VRRP, 'VRRP adverts received'),
    'keepalived_advertisements_sent_total': ('counter', VRRP, 'VRRP adverts sent'),
    'keepalived_become_master_total': ('counter', VRRP, 'Transitions to MASTER'),
    'keepalived_release_master_total': ('counter', VRRP, 'Transitions from MASTER'),
    'keepalived_priority_zero_received_total': ('counter', VRRP, 'Priority-0 adverts received (a master left)'),
    'keepalived_priority_zero_sent_total': ('counter', VRRP, 'Priority-0 adverts sent (this master left)'),
    'lvs_ha_real_server_up': ('gauge', REAL_SERVER, 'In the IPVS table with weight > 0, not held in by the depool guard'),
    'lvs_ha_real_server_configured_weight': ('gauge', REAL_SERVER, 'Weight the role configured (0: drained)'),
    'lvs_ha_virtual_server_up': ('gauge', SERVICE, 'The virtual service is in the IPVS table'),
    'lvs_ha_virtual_server_real_servers': ('gauge', SERVICE, 'Real servers configured'),
    'lvs_ha_virtual_server_real_servers_up': ('gauge', SERVICE, 'Real servers up'),
    'lvs_ha_sync_daemon_up': ('gauge', ('role',), 'The IPVS sync daemon of this role runs'),
    'lvs_ha_sync_daemon_info': ('gauge', ('role', 'interface', 'syncid'), 'A running IPVS sync daemon'),
    'lvs_ha_nft_dropped_packets_total': ('counter', ('reason',), 'Packets the role\'s nftables rules dropped'),
    'lvs_ha_rejoin_hold_active': ('gauge', (), 'The rejoin hold keeps this director BACKUP'),
    'lvs_ha_switchover_away': ('gauge', (), 'A switchover handed this director\'s VIPs away'),
    'lvs_ha_depool_guard_holding': ('gauge', GUARD, 'The depool guard keeps the failed real servers in at their weight'),
    'lvs_ha_depool_guard_checks_failing': ('gauge', GUARD, 'Real servers whose checks fail, as the depool guard counts'),
    'lvs_ha_exporter_source_up': ('gauge', ('source',), 'The source was read'),
    'lvs_ha_exporter_source_duration_seconds': ('gauge', ('source',), 'Time reading the source took'),
}
# vrrp.h: VRRP_STATE_INIT 0, _BACK 1, _MAST 2, _FAULT 3.
VRRP_STATES = {0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT'}
VRRP_COUNTERS = {
    'keepalived_advertisements_received_total': 'advert_rcvd',
    'keepalived_advertisements_sent_total': 'advert_sent',
    'keepalived_become_master_total': 'become_master',
    'keepalived_release_master_total': 'release_master',
    'keepalived_priority_zero_received_total': 'pri_zero_rcvd',
    'keepalived_priority_zero_sent_total': 'pri_zero_sent',
}
# The comments of the role's rules (templates/lvs-ha.nft.j2), by their start, and
# the reason each counts: an IPv6 twin of a rule adds to the same reason.
NFT_REASONS = (('TCP to a', 'stray_tcp'), ('VRRP from', 'forged_vrrp'), ('IPVS sync from', 'forged_sync'))

# /proc/net/ip_vs (ip_vs_ctl.c): hex addresses, IPv6 as %pI6 in brackets.
# "TCP  0A4D000A:0050 wlc " or "TCP  [fd00:0000:0000:0000:0000:0000:0000:0010]:0050 rr "
SERVICE_RE = re.compile(r'^(?P<protocol>[A-Z][A-Z0-9_]*)\s+(?P<addr>[0-9A-F]{8}|\[[0-9a-f:]+\]):(?P<port>[0-9A-F]{4})\s', re.I)
# "FWM  00000007 mh "
FWM_RE = re.compile(r'^FWM\s+(?P<mark>[0-9A-F]{8})\s', re.I)
# "  -> 0A4D0015:0050      Route   1      0          0         "
DEST_RE = re.compile(r'^\s+->\s+(?P<addr>[0-9A-F]{8}|\[[0-9a-f:]+\]):(?P<port>[0-9A-F]{4})\s+\S+\s+(?P<weight>-?\d+)\s', re.I)
# "master sync daemon (mcast=eth0, syncid=10, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)"
DAEMON_RE = re.compile(r'^(?P<role>master|backup) sync daemon \(mcast=(?P<interface>[^,)]*)(?:, syncid=(?P<syncid>\d+))?')


class SourceError(Exception):
    """A source could not be read; the message says which file or command."""


def address(text):
    """One spelling per address: '10.77.0.10', 'fd00::10' (the model's may be any)."""
    try:
        return ipaddress.ip_address(str(text).strip('[]')).compressed
    except ValueError:
        return str(text)


def proc_address(field):
    """'0A4D000A' -> '10.77.0.10'; '[fd00:0000:…:0010]' -> 'fd00::10'."""
    if field.startswith('['):
        return address(field)
    return str(ipaddress.IPv4Address(int(field, 16)))


def parse_ip_vs(text):
    """/proc/net/ip_vs -> {service key: {(real server, port): weight}}; keys as service_keys() makes them."""
    table, current = {}, None
    for line in text.splitlines():
        if (match := DEST_RE.match(line)) and current is not None:
            dest = (proc_address(match['addr']), int(match['port'], 16))
            current[dest] = int(match['weight'])
        elif match := FWM_RE.match(line):
            # An IPv4 and an IPv6 service of one mark print alike: one key for both.
            current = table.setdefault(('FWM', int(match['mark'], 16)), {})
        elif match := SERVICE_RE.match(line):
            key = (match['protocol'].upper(), proc_address(match['addr']), int(match['port'], 16))
            current = table.setdefault(key, {})
    return table


def member_key(member, protocol):
    """A virtual_server_group member: '10.77.0.10 80', '[fd00::10] 80' or 'fwmark 7' (ranges unsupported)."""
    words = str(member).split()
    if len(words) == 2 and words[0] == 'fwmark':
        return ('FWM', int(words[1]))
    if len(words) == 2 and words[1].isdigit():
        return (protocol, address(words[0]), int(words[1]))
    return None


def service_keys(vs, groups):
    """The IPVS services of a configured virtual server: one, or a group's members."""
    protocol = str(vs.get('protocol') or 'TCP').upper()
    if vs.get('group') is not None:
        keys = (member_key(m, protocol) for m in groups.get(vs['group'], []))
        return [k for k in keys if k is not None]
    if vs.get('fwmark') is not None:
        return [('FWM', int(vs['fwmark']))]
    return [(protocol, address(vs.get('ip')), int(vs.get('port') or 0))]


def service_labels(vs, key):
    if key[0] == 'FWM':
        return [str(vs.get('name', 'fwmark %d' % key[1])), 'FWM', '', '', str(key[1])]
    return [str(vs.get('name', '%s %s' % key[1:])), key[0], key[1], str(key[2]), '']


def real_server_live(live, rs):
    """The real server's weight in the live service, None if absent; without a port (fwmark) any port."""
    ip, port = address(rs.get('ip')), rs.get('port')
    weights = [w for (a, p), w in live.items() if a == ip and (port is None or p == int(port))]
    return max(weights) if weights else None


def expected_services(text):
    data = json.loads(text)
    if isinstance(data, list):
        data = {'virtual_servers': data}
    return data.get('virtual_servers', []), data.get('groups', {})


def parse_daemons(text):
    """`ipvsadm -L --daemon` -> {role: (interface, syncid)}."""
    found = {}
    for line in text.splitlines():
        if match := DAEMON_RE.match(line.strip()):
            found[match['role']] = (match['interface'], match['syncid'] or '')
    return found


def nft_drops(text, table):
    """`nft -j list ruleset` -> {reason: packets} of the counters in the rules of `table` (any family)."""
    drops = {}
    for item in json.loads(text).get('nftables', []):
        rule = item.get('rule')
        if not rule or rule.get('table') != table:
            continue
        reason = next((r for start, r in NFT_REASONS if rule.get('comment', '').startswith(start)), None)
        counters = [e['counter'] for e in rule.get('expr', []) if isinstance(e, dict) and 'counter' in e]
        if reason and counters:
            drops[reason] = drops.get(reason, 0) + sum(c.get('packets', 0) for c in counters)
    return drops


def read_number(path):
    """A track file's number (keepalived adds it to the priority)."""
    try:
        with open(path, encoding='ascii') as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError) as exc:
        raise SourceError('%s: %s' % (path, exc))


def guard_key(ip, port):
    """A real server as the depool guard's state names it ('10.77.0.21 80', '10.77.0.21 -'), one spelling."""
    return '%s %s' % (address(ip), '-' if port in (None, '-') else port)


def read_guard_state(path):
    """The depool guard's {service key: entry}; a missing file is a guard that never acted: nothing held."""
    try:
        with open(path, encoding='utf-8') as f:
            state = json.load(f)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SourceError('%s: %s' % (path, exc.strerror or exc))
    except ValueError as exc:
        raise SourceError('%s: not the depool guard\'s JSON: %s' % (path, exc))
    services = state.get('services') if isinstance(state, dict) else None
    if not isinstance(services, dict):
        raise SourceError('%s: no "services" object: not the depool guard\'s state' % path)
    return services


def read_text(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except OSError as exc:
        raise SourceError('%s: %s' % (path, exc.strerror or exc))


class Families:
    """The metric families of one scrape, made from METRICS."""

    def __init__(self):
        self.families = {}
        for name, (kind, labels, help_text) in METRICS.items():
            cls = CounterMetricFamily if kind == 'counter' else GaugeMetricFamily
            self.families[name] = cls(name, help_text, labels=list(labels))

    def add(self, name, labels, value):
        self.families[name].add_metric([str(v) for v in labels], value)

    def extend(self, batch):
        for sample in batch:
            self.add(*sample)

    def __iter__(self):
        return iter(self.families.values())


class Batch(list):
    """One source's samples, kept only if the whole source was read."""

    def add(self, name, labels, value):
        self.append((name, labels, value))


class DirectorCollector:
    """Reads every chosen source on each collect(); run: subprocess.run (a test gives recorded output)."""

    def __init__(self, args, run=subprocess.run):
        self.args, self.run = args, run
        self.lock = threading.Lock()   # two scrapes at once would signal keepalived twice
        self.json_signal = args.keepalived_signal
        self.errors = {}
        self.guard = None   # the depool guard's state of this scrape: SourceError, or its services

    def describe(self):
        return list(Families())

    def collect(self):
        out = Families()
        with self.lock:
            self.guard = None
            for source in self.args.source:
                started, batch = time.monotonic(), Batch()
                try:
                    getattr(self, 'collect_' + source)(batch)
                    out.extend(batch)
                    up = 1
                except (SourceError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                    up = 0
                    self.log_change(source, '%s: %s' % (type(exc).__name__, exc))
                else:
                    self.log_change(source, None)
                out.add('lvs_ha_exporter_source_up', [source], up)
                out.add('lvs_ha_exporter_source_duration_seconds', [source], time.monotonic() - started)
        return iter(out)

    def log_change(self, source, error):
        """Once per change, not per scrape: a broken source would fill the journal."""
        if self.errors.get(source) != error:
            print('lvs-ha-exporter: %s: %s' % (source, error or 'read again'), file=sys.stderr, flush=True)
            self.errors[source] = error

    def command(self, argv):
        try:
            result = self.run(argv, capture_output=True, text=True, timeout=self.args.command_timeout, check=False,
                              env={'LC_ALL': 'C', 'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
        except (OSError, subprocess.SubprocessError) as exc:
            raise SourceError('%s: %s' % (argv[0], exc))
        if result.returncode != 0:
            raise SourceError('%s exited %d: %s' % (' '.join(argv), result.returncode, result.stderr.strip()))
        return result.stdout

    # keepalived ---------------------------------------------------------
    def keepalived_dump(self):
        """A fresh dump; with no pid file configured (tests, bench) the file as it is."""
        if not self.args.keepalived_pid_file:
            return json.loads(read_text(self.args.keepalived_dump))
        pid = int(read_text(self.args.keepalived_pid_file).strip())
        if self.json_signal is None:   # asked once: the number is keepalived's build's
            self.json_signal = int(self.command([self.args.keepalived, '--signum=JSON']).strip())
        before = mtime(self.args.keepalived_dump)
        os.kill(pid, self.json_signal)
        deadline = time.monotonic() + self.args.keepalived_timeout
        while time.monotonic() < deadline:
            if mtime(self.args.keepalived_dump) != before:
                try:   # keepalived truncates, then writes: read until the JSON is whole
                    return json.loads(read_text(self.args.keepalived_dump))
                except ValueError:
                    pass
            time.sleep(0.01)
        raise SourceError('keepalived (pid %d) wrote no JSON dump to %s within %s s'
                          % (pid, self.args.keepalived_dump, self.args.keepalived_timeout))

    def collect_keepalived(self, out):
        for entry in self.keepalived_dump():
            data, stats = entry['data'], entry.get('stats', {})
            labels = [data['iname'], data.get('ifp_ifname', ''), data.get('vrid', '')]
            out.add('keepalived_vrrp_state', labels, data['state'])
            for code, name in VRRP_STATES.items():
                out.add('keepalived_vrrp_instance_state', labels + [name], 1 if data['state'] == code else 0)
            out.add('keepalived_vrrp_effective_priority', labels, data.get('effective_priority', 0))
            out.add('keepalived_vrrp_base_priority', labels, data.get('base_priority', 0))
            out.add('keepalived_vrrp_last_transition_timestamp_seconds', labels, data.get('last_transition', 0))
            for vip in data.get('vips', []):
                # "10.77.0.10/24 dev eth0 scope global set": "set" when this director holds it.
                out.add('keepalived_vrrp_vip_set', labels + [vip.split()[0]], 1 if vip.split()[-1] == 'set' else 0)
            for name, key in VRRP_COUNTERS.items():
                out.add(name, labels, stats.get(key, 0))

    # IPVS ---------------------------------------------------------------
    def collect_ipvs(self, out):
        virtual_servers, groups = expected_services(read_text(self.args.services_file))
        table = parse_ip_vs(read_text(self.args.ipvs_table))
        for vs in virtual_servers:
            for key in service_keys(vs, groups):
                self.collect_service(out, vs, key, table.get(key))

    def collect_service(self, out, vs, key, live):
        labels = service_labels(vs, key)
        servers = vs.get('real_servers', [])
        held = self.held_in(vs)
        up = 0
        for rs in servers:
            weight = real_server_live(live or {}, rs)
            is_up = 1 if weight is not None and weight > 0 and guard_key(rs.get('ip'), rs.get('port')) not in held else 0
            rs_labels = labels + [address(rs.get('ip')), '' if rs.get('port') is None else rs['port']]
            out.add('lvs_ha_real_server_up', rs_labels, is_up)
            out.add('lvs_ha_real_server_configured_weight', rs_labels, rs.get('weight', 1))
            up += is_up
        out.add('lvs_ha_virtual_server_up', labels, 0 if live is None else 1)
        out.add('lvs_ha_virtual_server_real_servers', labels, len(servers))
        out.add('lvs_ha_virtual_server_real_servers_up', labels, up)

    # The depool guard ----------------------------------------------------
    def guard_state(self):
        """Read once per scrape: the ipvs source and the depool_guard source both need it."""
        if self.guard is None:
            try:
                self.guard = read_guard_state(self.args.depool_guard_state)
            except SourceError as exc:
                self.guard = exc
        if isinstance(self.guard, SourceError):
            raise self.guard
        return self.guard

    def held_in(self, vs):
        """The real servers (guard_key) of vs whose checks fail and that the guard holds in at their weight."""
        if 'depool_guard' not in self.args.source:
            return set()
        try:
            entry = self.guard_state().get(vs.get('key'), {})
        except SourceError:
            return set()   # the depool_guard source reports it; IPVS's weights stand
        # "10.77.0.21 80": the address, then the port or '-'.
        return {guard_key(*str(down).partition(' ')[::2]) for down in entry.get('down', [])} if entry.get('holding') else set()

    def collect_depool_guard(self, out):
        virtual_servers = expected_services(read_text(self.args.services_file))[0]
        state = self.guard_state()
        for vs in virtual_servers:
            if (vs.get('depool_guard') or {}).get('policy') != 'keep':
                continue
            entry, labels = state.get(vs['key'], {}), [vs.get('name', vs['key']), vs['key']]
            out.add('lvs_ha_depool_guard_holding', labels, 1 if entry.get('holding') else 0)
            out.add('lvs_ha_depool_guard_checks_failing', labels, len(entry.get('down', [])))

    # The sync daemon, nftables, the track files --------------------------
    def collect_sync_daemon(self, out):
        running = parse_daemons(self.command([self.args.ipvsadm, '-L', '--daemon']))
        for role in self.args.sync_daemon:
            out.add('lvs_ha_sync_daemon_up', [role], 1 if role in running else 0)
        for role, (interface, syncid) in sorted(running.items()):
            out.add('lvs_ha_sync_daemon_info', [role, interface, syncid], 1)

    def collect_nftables(self, out):
        drops = nft_drops(self.command([self.args.nft, '-j', 'list', 'ruleset']), self.args.nft_table)
        if not drops:
            raise SourceError('no counted rule of the lvs.ha rules in table %s' % self.args.nft_table)
        for reason, packets in sorted(drops.items()):
            out.add('lvs_ha_nft_dropped_packets_total', [reason], packets)

    def collect_rejoin_hold(self, out):
        out.add('lvs_ha_rejoin_hold_active', [], 1 if read_number(self.args.rejoin_hold_file) < 0 else 0)

    def collect_switchover(self, out):
        out.add('lvs_ha_switchover_away', [], 1 if read_number(self.args.switchover_file) < 0 else 0)


def mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def parse(argv=None):
    p = argparse.ArgumentParser(prog='lvs-ha-exporter', description=__doc__.splitlines()[0])
    p.add_argument('--listen-address', default='0.0.0.0')
    p.add_argument('--port', type=int, default=DEFAULT_PORT)
    p.add_argument('--source', action='append', choices=SOURCES,
                   help='a source to read (repeatable; default: all of %s)' % ', '.join(SOURCES))
    p.add_argument('--once', action='store_true', help='print the metrics once and exit')
    p.add_argument('--command-timeout', type=float, default=5)
    p.add_argument('--keepalived', default='/usr/sbin/keepalived')
    p.add_argument('--keepalived-pid-file', default='/run/keepalived.pid',
                   help='"" reads the dump as it is, without signalling keepalived')
    p.add_argument('--keepalived-dump', default='/tmp/keepalived.json')
    p.add_argument('--keepalived-signal', type=int, help='the JSON signal (default: keepalived --signum=JSON)')
    p.add_argument('--keepalived-timeout', type=float, default=2)
    p.add_argument('--services-file', default='/etc/keepalived/lvs-ha-services.json')
    p.add_argument('--ipvs-table', default='/proc/net/ip_vs')
    p.add_argument('--ipvsadm', default='/usr/sbin/ipvsadm')
    p.add_argument('--sync-daemon', action='append', choices=('master', 'backup'),
                   help='a sync daemon that must run (repeatable; default: both)')
    p.add_argument('--nft', default='/usr/sbin/nft')
    p.add_argument('--nft-table', default='lvs_ha')
    p.add_argument('--rejoin-hold-file', default='/run/lvs-ha-rejoin-hold')
    p.add_argument('--switchover-file', default='/etc/keepalived/lvs-ha-switchover')
    p.add_argument('--depool-guard-state', default='/run/lvs-ha/depool-guard.json')
    args = p.parse_args(argv)
    args.source = list(dict.fromkeys(args.source or SOURCES))
    args.sync_daemon = list(dict.fromkeys(args.sync_daemon or ('master', 'backup')))
    return args


def registry(args, run=subprocess.run):
    reg = CollectorRegistry()
    reg.register(DirectorCollector(args, run))
    ProcessCollector(registry=reg)   # process_cpu_seconds_total, process_resident_memory_bytes: its own cost
    return reg


def main(argv=None):
    args = parse(argv)
    reg = registry(args)
    if args.once:
        sys.stdout.write(generate_latest(reg).decode())
        return 0
    try:
        start_http_server(args.port, addr=args.listen_address, registry=reg)
    except OSError as exc:
        print('lvs-ha-exporter: cannot listen on %s port %d: %s' % (args.listen_address, args.port, exc.strerror or exc),
              file=sys.stderr)
        return 2
    print('lvs-ha-exporter: listening on %s port %d, sources: %s' % (args.listen_address, args.port, ', '.join(args.source)),
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == '__main__':
    sys.exit(main())
