# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import RealServer, VirtualService


def test_real_server_equality_ignores_origin_and_copy_keeps_it():
    server = RealServer('2001:db8::2', 80, weight=3, origin='services[0].real_servers[1]')
    assert server == RealServer('2001:db8::2', 80, 'dr', 3)
    assert server != RealServer('2001:db8::2', 80, 'dr', 4)
    assert (server.key, server.family) == ('[2001:db8::2]:80', 'ipv6')
    drained = server.copy(weight=0)
    assert (drained.weight, drained.origin, server.weight) == (0, 'services[0].real_servers[1]', 3)
    with pytest.raises(TypeError):
        hash(server)


def test_virtual_service_sorts_flags_and_compares_its_real_servers():
    svc = VirtualService(fwmark=7, family='ipv6', scheduler='mh', scheduler_flags=['mh-port', 'mh-fallback'], origin='a')
    assert svc.key == '-f 7 -6' and svc.scheduler_flags == ('mh-fallback', 'mh-port')
    with_servers = svc.copy({'[2001:db8::2]:0': RealServer('2001:db8::2', 0)})
    assert with_servers.origin == 'a' and svc.real_servers is None
    assert with_servers.same_settings(svc) and with_servers != svc
    assert with_servers == VirtualService(fwmark=7, family='ipv6', scheduler='mh', scheduler_flags=('mh-port', 'mh-fallback'),
                                          real_servers={'[2001:db8::2]:0': RealServer('2001:db8::2', 0)})
    assert with_servers.to_dict()['scheduler_flags'] == ['mh-fallback', 'mh-port']
    assert with_servers.to_dict()['real_servers'] == [RealServer('2001:db8::2', 0).to_dict()]
