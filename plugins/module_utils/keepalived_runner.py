# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one place keepalived is executed or signalled.

Unit tests replace ``run`` (the command) and ``read_dump`` (the signal and the
file it makes) with recorded output.
"""

from __future__ import annotations

import json
import os
import re
import time

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_json import KeepalivedDumpError

# "Keepalived v2.2.7 (01/16,2022)"
VERSION_RE = re.compile(r'^Keepalived v(?P<version>\S+)', re.MULTILINE)

# The options of every module that reads keepalived's state (doc fragment lvs.ha.keepalived).
RUNNER_OPTIONS = dict(
    pid_file=dict(type='path', default='/run/keepalived.pid'),
    dump_file=dict(type='path', default='/tmp/keepalived.json'),
    timeout=dict(type='float', default=5),
)

C_LOCALE = {'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}


class KeepalivedRunner:
    def __init__(self, module, pid_file, dump_file):
        self.module = module
        self.binary = module.get_bin_path('keepalived', required=True)
        self.pid_file = pid_file
        self.dump_file = dump_file
        module.run_command_environ_update = dict(C_LOCALE)

    def run(self, args):
        """Execute keepalived with args (a list). Returns (rc, stdout, stderr)."""
        return self.module.run_command([self.binary] + list(args), check_rc=False)

    def version(self):
        rc, out, err = self.run(['--version'])
        match = VERSION_RE.search(out + err)   # keepalived prints its version on stderr
        return match.group('version') if match else None

    def config_test(self, path):
        """``keepalived -t -f path``: (ok, [error lines])."""
        rc, out, err = self.run(['-t', '-f', path])
        errors = [line.strip() for line in (out + err).splitlines() if line.strip()]
        return rc == 0, errors

    def main_pid(self):
        """The running keepalived's pid, or None when it is not running."""
        try:
            with open(self.pid_file) as handle:
                pid = int(handle.read().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def json_signal(self):
        rc, out, err = self.run(['--signum=JSON'])
        if rc != 0 or not out.strip().isdigit():
            raise KeepalivedDumpError('this keepalived has no JSON dump (built without --enable-json): %s' % (err or out).strip())
        return int(out.strip())

    def read_dump(self, pid, timeout):
        """Ask keepalived for a fresh dump and return its text."""
        before = self._mtime()
        os.kill(pid, self.json_signal())
        deadline = time.time() + timeout
        while time.time() < deadline:
            mtime = self._mtime()
            if mtime is not None and mtime != before:
                # keepalived truncates the file, then writes it: on a loaded host the
                # new mtime can come seconds before the JSON is complete.
                text = self._complete_dump()
                if text is not None:
                    return text
            time.sleep(0.1)
        raise KeepalivedDumpError('keepalived (pid %d) wrote no JSON dump to %s within %s s' % (pid, self.dump_file, timeout))

    def _complete_dump(self):
        try:
            with open(self.dump_file) as handle:
                text = handle.read()
            json.loads(text)
            return text
        except (OSError, ValueError):
            return None

    def _mtime(self):
        try:
            return os.stat(self.dump_file).st_mtime_ns
        except OSError:
            return None
