# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The director exporter's own cost per scrape: CPU time (its own and its
children's, nft and ipvsadm) and memory, over HTTP as Prometheus scrapes it.

    python3 bench/exporter.py [SCRAPES]        default 200; root (a network namespace)

Runs in a private network namespace (unshare -n): the real nft there lists the
recorded lvs_ha ruleset (tests/unit/fixtures/nft_ruleset_inet.json, loaded with
nft -j -f); ipvsadm is a stand-in that prints the recorded `-L --daemon` (this
host's kernel may have no IPVS: the spawn is what it costs); keepalived's dump
and /proc/net/ip_vs are fixture files (the signal is keepalived's cost, not
ours). Two tables: the fixtures' (9 services) and a generated 100 services x
10 real servers. The exporter runs on Debian's python3-prometheus-client when
tools/debian_package.sh unpacked it, else on the main virtualenv's.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(TOP, 'tests', 'unit', 'fixtures')
EXPORTER = os.path.join(TOP, 'roles', 'director', 'files', 'lvs-ha-exporter.py')
PORT = 19848
TICK = os.sysconf('SC_CLK_TCK')


def interpreter():
    debian = [os.path.join(TOP, '.build', 'debian', p, 'usr', 'lib', 'python3', 'dist-packages')
              for p in ('python3-prometheus-client', 'python3-decorator')]
    if all(os.path.isdir(d) for d in debian):
        return ['/usr/bin/python3'], dict(os.environ, PYTHONPATH=':'.join(debian))   # a director's python3
    return [os.path.join(TOP, '.venv', 'bin', 'python')], dict(os.environ)


def large_table(work, services=100, servers=10):
    """/proc/net/ip_vs as the kernel prints it and the services file, every real server up."""
    lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags',
             '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn']
    model = []
    for s in range(services):
        vip = (10 << 24) + (100 << 16) + s + 1
        lines.append('TCP  %08X:%04X wlc  ' % (vip, 80))
        real = []
        for r in range(servers):
            lines.append('  -> %08X:%04X      %-7s %-6d %-10d %-10d' % ((192 << 24) + (168 << 16) + r + 1, 80, 'Route', 1, 5, 7))
            real.append({'ip': '192.168.0.%d' % (r + 1), 'port': 80, 'weight': 1})
        model.append({'name': 'svc%d' % s, 'protocol': 'TCP', 'ip': '10.100.0.%d' % (s + 1), 'port': 80, 'real_servers': real})
    with open(os.path.join(work, 'ip_vs'), 'w', encoding='ascii') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(work, 'services.json'), 'w', encoding='ascii') as f:
        json.dump({'virtual_servers': model}, f)
    return os.path.join(work, 'services.json'), os.path.join(work, 'ip_vs')


def cpu_and_memory(pid):
    with open('/proc/%d/stat' % pid, encoding='ascii') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    own, children = (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK
    with open('/proc/%d/status' % pid, encoding='ascii') as f:
        status = dict(line.split(':', 1) for line in f)
    return own, children, int(status['VmRSS'].split()[0]), int(status['VmHWM'].split()[0])


def run(label, argv, env, scrapes):
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    url = 'http://127.0.0.1:%d/metrics' % PORT
    try:
        for _ in range(50):
            try:
                body = urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        failed = [line for line in body.decode().splitlines() if line.startswith('lvs_ha_exporter_source_up{') and line.endswith(' 0.0')]
        assert b'lvs_ha_exporter_source_up{' in body and not failed, failed
        own0, children0, _, _ = cpu_and_memory(proc.pid)
        started = time.monotonic()
        for _ in range(scrapes):
            urllib.request.urlopen(url, timeout=5).read()
        wall = time.monotonic() - started
        own1, children1, rss, hwm = cpu_and_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
    print('%-34s %6.1f ms CPU/scrape (exporter %5.1f + nft, ipvsadm %5.1f), %5.1f ms wall/scrape, RSS %5.1f MiB (peak %5.1f), %d bytes'
          % (label, 1000 * (own1 - own0 + children1 - children0) / scrapes, 1000 * (own1 - own0) / scrapes,
             1000 * (children1 - children0) / scrapes, 1000 * wall / scrapes, rss / 1024, hwm / 1024, len(body)))


def main():
    if os.environ.get('LVS_HA_BENCH_NETNS') != '1':
        os.execvpe('unshare', ['unshare', '-n', sys.executable] + sys.argv, dict(os.environ, LVS_HA_BENCH_NETNS='1'))
    scrapes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    subprocess.run(['nft', '-j', '-f', os.path.join(FIX, 'nft_ruleset_inet.json')], check=True)
    python, env = interpreter()
    version = subprocess.run(python + ['-c', 'import sys, prometheus_client as p; print(sys.version.split()[0], p.__file__)'],
                             env=env, capture_output=True, text=True, check=True).stdout.strip()
    print('python %s; %d scrapes each; %s' % (version, scrapes, subprocess.run(['nft', '--version'], capture_output=True, text=True).stdout.strip()))
    with tempfile.TemporaryDirectory() as work:
        ipvsadm = os.path.join(work, 'ipvsadm')
        with open(ipvsadm, 'w', encoding='ascii') as f:
            f.write('#!/bin/sh\nexec cat %s\n' % os.path.join(FIX, 'list_daemon.txt'))
        os.chmod(ipvsadm, 0o755)
        hold = os.path.join(work, 'hold')
        with open(hold, 'w', encoding='ascii') as f:
            f.write('0\n')
        base = python + [EXPORTER, '--listen-address', '127.0.0.1', '--port', str(PORT), '--keepalived-pid-file', '',
                         '--keepalived-dump', os.path.join(FIX, 'keepalived_master.json'), '--ipvsadm', ipvsadm,
                         '--rejoin-hold-file', hold, '--switchover-file', hold]
        fixtures = ['--services-file', os.path.join(FIX, 'lvs_ha_services.json'), '--ipvs-table', os.path.join(FIX, 'proc_net_ip_vs.txt')]
        services, table = large_table(work)
        run('fixtures (9 services)', base + fixtures, env, scrapes)
        run('100 services x 10 real servers', base + ['--services-file', services, '--ipvs-table', table], env, scrapes)
        no_spawn = ['--source', 'keepalived', '--source', 'ipvs', '--source', 'rejoin_hold', '--source', 'switchover']
        run('  the same, files only (no spawn)', base + ['--services-file', services, '--ipvs-table', table] + no_spawn, env, scrapes)


if __name__ == '__main__':
    main()
