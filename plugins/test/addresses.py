# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests lvs.ha.ip_address, lvs.ha.ipv4_address, lvs.ha.interface_name: the modules' rules, for the roles."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import is_interface_name, is_ip_address, is_ipv4_address


class TestModule:
    def tests(self):
        return {'ip_address': is_ip_address, 'ipv4_address': is_ipv4_address, 'interface_name': is_interface_name}
