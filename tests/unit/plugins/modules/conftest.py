# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Module-level test helpers: IpvsadmRunner.run replaced by recorded output, exit/fail captured."""

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')


def fixture_text(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


class FakeIpvsadm:
    """Answers ipvsadm argument lists with recorded output; a list of answers is consumed in order."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []
        self.stdin = []

    def run(self, args, data=None):
        args = tuple(args)
        self.calls.append(args)
        if data is not None:
            self.stdin.append(data.decode('utf-8') if isinstance(data, bytes) else data)
        answer = self.answers.get(args, (0, '', ''))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if isinstance(answer, str):
            answer = (0, answer, '')
        return answer

    def ran(self, *args):
        return tuple(args) in self.calls


@pytest.fixture
def fake(monkeypatch):
    ipvsadm = FakeIpvsadm()
    monkeypatch.setattr(IpvsadmRunner, 'run', lambda self, args, data=None: ipvsadm.run(args, data))
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, *a, **kw: '/usr/sbin/ipvsadm')
    return ipvsadm


@pytest.fixture
def run_module(monkeypatch):
    """run_module(main, args, check_mode=False, diff=False) -> (result, failed)."""

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        raise ModuleExit(kwargs, True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def run(main, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
        with pytest.raises(ModuleExit) as caught:
            main()
        return caught.value.result, caught.value.failed

    return run


@pytest.fixture
def recorded():
    """recorded(name) -> the text of tests/unit/fixtures/<name>, output recorded from ipvsadm."""
    return fixture_text
