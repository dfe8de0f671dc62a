# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the benchmark table of N virtual services x 2 real servers.

ipvs_table_gen.py N OUTDIR writes OUTDIR/rules (save format, one rule a line,
as ipvsadm -S -n prints it), OUTDIR/rules.json ({"bench_rules": "..."}) and
OUTDIR/services.json ({"bench_services": [...]}) for ansible-playbook -e @file.
"""
import json
import os
import sys


def main():
    count, outdir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    lines, services = [], []
    for index in range(count):
        vip = '10.100.%d.%d' % (index // 250, index % 250 + 1)
        lines.append('-A -t %s:80 -s wrr' % vip)
        servers = []
        for real in ('192.168.0.1', '192.168.0.2'):
            lines.append('-a -t %s:80 -r %s:80 -g -w 1' % (vip, real))
            servers.append({'address': real})
        services.append({'address': vip, 'port': 80, 'scheduler': 'wrr', 'real_servers': servers})
    text = '\n'.join(lines) + '\n'
    with open(os.path.join(outdir, 'rules'), 'w', encoding='utf-8') as handle:
        handle.write(text)
    with open(os.path.join(outdir, 'rules.json'), 'w', encoding='utf-8') as handle:
        json.dump({'bench_rules': text}, handle)
    with open(os.path.join(outdir, 'services.json'), 'w', encoding='utf-8') as handle:
        json.dump({'bench_services': services}, handle)
    with open(os.path.join(outdir, 'services_list.json'), 'w', encoding='utf-8') as handle:
        json.dump(services, handle)   # the same list alone, for services_json through a file lookup


if __name__ == '__main__':
    main()
