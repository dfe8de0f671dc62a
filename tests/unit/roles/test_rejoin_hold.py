# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director role's rejoin hold (roles/director/files/lvs-ha-rejoin-hold.py):
what it writes and starts for each verdict, and a real VRRP advert heard on the
loopback (root only: a raw socket)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import threading
import time

import pytest

PATH = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'director', 'files', 'lvs-ha-rejoin-hold.py')
SPEC = importlib.util.spec_from_file_location('lvs_ha_rejoin_hold', PATH)
hold = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(hold)


def args(tmp_path, *extra):
    return ['--hold-file', str(tmp_path / 'hold'), '--hold', '20', '--advert-int', '0.5', '--advert-int', '1',
            '--peer', '10.77.0.12', *extra]


class Recorder:
    def __init__(self, fail_on=None):
        self.calls, self.fail_on = [], fail_on

    def __call__(self, argv, **kwargs):
        self.calls.append(argv)
        if self.fail_on and argv[0] == self.fail_on:
            raise subprocess.CalledProcessError(1, argv)
        return subprocess.CompletedProcess(argv, 0)


def test_listens_three_adverts_of_the_slowest_instance_plus_one_second():
    assert hold.listen_seconds([0.5, 1.0]) == 4.0
    assert hold.listen_seconds([0.25]) == 1.75


def test_no_peer_master_writes_zero_and_starts_no_timer(tmp_path, capsys):
    run = Recorder()
    heard = {}
    assert hold.main(args(tmp_path), run=run, listen=lambda peers, s: heard.update(peers=peers, seconds=s)) == 0
    assert (tmp_path / 'hold').read_text() == '0\n'
    assert heard == {'peers': {'10.77.0.12'}, 'seconds': 4.0}
    assert [c[0] for c in run.calls] == ['systemctl']   # the stale timer stopped, nothing started
    assert 'no rejoin hold' in capsys.readouterr().out


def test_peer_master_holds_the_priority_down_and_starts_the_release_timer(tmp_path, capsys):
    run = Recorder()
    assert hold.main(args(tmp_path), run=run, listen=lambda peers, s: '10.77.0.12') == 0
    assert (tmp_path / 'hold').read_text() == '-253\n'
    timer = run.calls[-1]
    assert timer[0] == 'systemd-run' and '--on-active=20' in timer and '--timer-property=AccuracySec=100ms' in timer
    assert timer[-1] == f"echo 0 > {tmp_path / 'hold'}"
    # The journal line the lab's rejoin test asserts on.
    assert '10.77.0.12 is MASTER: priority held down for 20 s' in capsys.readouterr().out


def test_a_failure_leaves_the_hold_at_zero_and_exits_non_zero(tmp_path, capsys):
    run = Recorder(fail_on='systemd-run')
    assert hold.guarded(args(tmp_path), run=run, listen=lambda peers, s: '10.77.0.12') == 1
    assert (tmp_path / 'hold').read_text() == '0\n'
    assert 'rejoin hold not set' in capsys.readouterr().err


def test_arguments_are_required():
    with pytest.raises(SystemExit):
        hold.parse(['--hold', '20'])


@pytest.mark.skipif(os.geteuid() != 0, reason='a raw socket needs root')
def test_hears_a_real_vrrp_advert_from_a_peer_and_ignores_others():
    def send():
        time.sleep(0.3)
        with socket.socket(socket.AF_INET, socket.SOCK_RAW, hold.VRRP_PROTOCOL) as raw:
            raw.sendto(bytes(20), ('127.0.0.1', 0))

    threading.Thread(target=send).start()
    started = time.monotonic()
    assert hold.peer_master_heard({'127.0.0.1'}, 3) == '127.0.0.1'
    assert time.monotonic() - started < 2
    threading.Thread(target=send).start()
    assert hold.peer_master_heard({'10.77.0.12'}, 1) is None
