# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.director_status: the cluster status lines (module_utils/director_status.py) from hostvars."""

from __future__ import annotations

import base64
import binascii
import json

from ansible_collections.lvs.ha.plugins.module_utils.director_status import status_lines


def depool_services(slurped):
    """The depool guard's services by key from its state file as ansible.builtin.slurp read it; {} (nothing held)
    when the file is absent (no check of a service of policy keep failed since boot) or not the guard's."""
    try:
        state = json.loads(base64.b64decode((slurped or {}).get('content', '')) or b'{}')
    except (ValueError, TypeError, binascii.Error):
        return {}
    services = state.get('services') if isinstance(state, dict) else None
    return services if isinstance(services, dict) else {}


def director_status(play_hosts, hostvars):
    """play_hosts: the directors, each with _director_status_vrrp, _director_status_ipvs, _director_model,
    _director_status_depool (optional) and _director_status_bgp (director_mode ecmp)."""
    return status_lines([{'host': h, 'vrrp': hostvars[h]['_director_status_vrrp'], 'ipvs': hostvars[h]['_director_status_ipvs'],
                          'model': hostvars[h]['_director_model'],
                          'depool': depool_services(hostvars[h].get('_director_status_depool')),
                          'bgp': (hostvars[h].get('_director_status_bgp') or {}).get('stdout', '')} for h in play_hosts])


class FilterModule:
    def filters(self):
        return {'director_status': director_status}
