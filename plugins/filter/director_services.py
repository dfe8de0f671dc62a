# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.real_server_address, lvs.ha.director_drain_services, lvs.ha.director_drain_refusals and
lvs.ha.canonical_address (module_utils/director_services.py, director_depool.py)."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.director_depool import drain_refusals
from ansible_collections.lvs.ha.plugins.module_utils.director_services import canonical, drain_services, real_server_address


def real_server_address_filter(host_vars, host, version=4):
    """host_vars: hostvars[host]; version 6: its address for the services of IPv6 VIPs."""
    return real_server_address(host, host_vars, int(version))


class FilterModule:
    def filters(self):
        return {'real_server_address': real_server_address_filter, 'director_drain_services': drain_services,
                'director_drain_refusals': drain_refusals, 'canonical_address': canonical}
