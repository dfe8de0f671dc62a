# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils import keepalived_runner
from ansible_collections.lvs.ha.plugins.module_utils.keepalived_json import KeepalivedDumpError
from ansible_collections.lvs.ha.plugins.module_utils.keepalived_runner import KeepalivedRunner


class FakeModule:
    run_command_environ_update = {}

    def get_bin_path(self, name, required=False):
        return '/usr/sbin/keepalived'

    def run_command(self, args, check_rc=False):
        return 0, '36\n', ''   # keepalived --signum=JSON


@pytest.fixture
def runner(tmp_path, monkeypatch):
    """A runner whose signal truncates the dump; each sleep of the poll writes the next part."""
    dump = tmp_path / 'keepalived.json'
    dump.write_text('[]')
    parts = []
    monkeypatch.setattr(keepalived_runner.os, 'kill', lambda pid, sig: dump.write_text(''))
    monkeypatch.setattr(keepalived_runner.time, 'sleep', lambda s: parts and dump.write_text(dump.read_text() + parts.pop(0)))
    return KeepalivedRunner(FakeModule(), str(tmp_path / 'pid'), str(dump)), parts


def test_a_dump_read_while_keepalived_writes_it_is_waited_for(runner):
    # Seen in the lab under load: the mtime changed, the file still empty, then half written.
    runner, parts = runner
    parts.extend(['[{"data": {"iname": "VI_1"}', ', "stats": {}}]'])
    assert runner.read_dump(420, timeout=5) == '[{"data": {"iname": "VI_1"}, "stats": {}}]'


def test_no_complete_dump_within_the_timeout_is_a_clear_error(runner):
    runner, _parts = runner
    with pytest.raises(KeepalivedDumpError, match='wrote no JSON dump'):
        runner.read_dump(420, timeout=0.3)
