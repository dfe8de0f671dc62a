# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one place ipvsadm is executed.

``IpvsadmRunner.run()`` is the single entry point: argument lists, never a
shell string, C locale, the binary found once. Unit tests replace ``run`` with
recorded output. The other methods only build argument lists and parse.
"""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsadmError
from ansible_collections.lvs.ha.plugins.module_utils import ipvs_parser as parser

C_LOCALE = {'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C', 'LC_NUMERIC': 'C'}


class IpvsadmRunner:
    """Runs ipvsadm for one module invocation."""

    def __init__(self, module):
        self.module = module
        self.binary = module.get_bin_path('ipvsadm', required=True)
        module.run_command_environ_update = dict(C_LOCALE)

    def run(self, args, data=None):
        """Execute ipvsadm with args (a list); data is fed on stdin. Returns (rc, stdout, stderr)."""
        return self.module.run_command([self.binary] + list(args), data=data, binary_data=True, check_rc=False)

    def checked(self, args, data=None):
        """run(), raising IpvsadmError on a non-zero exit."""
        rc, out, err = self.run(args, data)
        if rc != 0:
            raise IpvsadmError('ipvsadm %s failed (rc=%d): %s' % (' '.join(args), rc, (err or out).strip()),
                               rc=rc, stdout=out, stderr=err, cmd=['ipvsadm'] + list(args))
        return out

    # --- reading -------------------------------------------------------------------------------
    def save_text(self):
        """``ipvsadm -S -n``: the table in save format, as text."""
        return self.checked(['-S', '-n'])

    def read_table(self, thresholds=False, text=None):
        """The live table (dict key -> VirtualService) and its save text (read unless given).

        Thresholds need a second listing and are read only on request.
        """
        text = self.save_text() if text is None else text
        table = parser.parse_save(text)
        if thresholds and table:
            parser.apply_thresholds(table, parser.parse_thresholds(self.checked(['-L', '-n', '--thresholds'])))
        return table, text

    def connections(self, service_key):
        """{server key: (active, inactive)} of one service, from ``ipvsadm -L -n <service>``."""
        listing = parser.parse_connections(self.checked(['-L', '-n'] + service_key.split()))
        return listing.get(service_key, {})

    def thresholds(self):
        return parser.parse_thresholds(self.checked(['-L', '-n', '--thresholds']))

    def stats(self):
        return parser.parse_counters(self.checked(['-L', '-n', '--exact', '--stats']), parser.STATS_COLUMNS)

    def rates(self):
        return parser.parse_counters(self.checked(['-L', '-n', '--exact', '--rate']), parser.RATE_COLUMNS)

    def timeouts(self):
        return parser.parse_timeouts(self.checked(['-L', '--timeout']))

    def daemons(self):
        return parser.parse_daemons(self.checked(['-L', '--daemon']))

    # --- writing -------------------------------------------------------------------------------
    def restore(self, lines):
        """Feed lines to ONE ``ipvsadm -R``; returns (rc, stdout, stderr) without raising.

        ipvsadm -R goes on after a rule the kernel refuses (it prints the error and
        exits with the status of the last line) and stops at a rule it cannot parse,
        so the caller judges success by rc and stderr together.
        """
        data = ('\n'.join(lines) + '\n').encode('utf-8')
        return self.run(['-R'], data=data)
