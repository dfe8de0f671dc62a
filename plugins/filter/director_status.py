# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.director_status: the cluster status lines (module_utils/director_status.py) from hostvars."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.director_status import status_lines


def director_status(play_hosts, hostvars):
    """play_hosts: the directors, each with _director_status_vrrp, _director_status_ipvs and _director_model."""
    return status_lines([{'host': h, 'vrrp': hostvars[h]['_director_status_vrrp'], 'ipvs': hostvars[h]['_director_status_ipvs'],
                          'model': hostvars[h]['_director_model']} for h in play_hosts])


class FilterModule:
    def filters(self):
        return {'director_status': director_status}
