# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_json import KeepalivedDumpError, parse_dump

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')


def dump(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_master_dump_recorded_in_the_lab():
    (inst,) = parse_dump(dump('keepalived_master.json'))
    assert (inst['name'], inst['state'], inst['vrid'], inst['version']) == ('VI_DEFAULT', 'MASTER', 77, 3)
    assert (inst['base_priority'], inst['effective_priority'], inst['advert_interval']) == (200, 200, 0.5)
    assert inst['vips'] == ['10.77.0.10/24'] and inst['vips_set'] is True
    assert inst['stats']['become_master'] == 1 and inst['interface'] == 'eth0'


def test_backup_dump_recorded_in_the_lab():
    (inst,) = parse_dump(dump('keepalived_backup.json'))
    assert (inst['state'], inst['effective_priority'], inst['vips_set']) == ('BACKUP', 150, False)


def test_unknown_state_is_named_not_dropped():
    text = '[{"data": {"iname": "VI_X", "state": 42, "wantstate": 3}, "stats": {}}]'
    (inst,) = parse_dump(text)
    assert (inst['state'], inst['wanted_state'], inst['vips']) == ('UNKNOWN(42)', 'FAULT', [])


@pytest.mark.parametrize('text', ['', '{"data": 1}', '[{"stats": {}}]', '[1]'])
def test_broken_dump_raises(text):
    with pytest.raises(KeepalivedDumpError):
        parse_dump(text)
