# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.director_preflight_errors: the director role's preflight (module_utils/director_preflight.py).

The only part that knows Ansible: it reads the models and the few inventory
variables from hostvars and hands plain data to the checks.
"""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.director_preflight import preflight_errors
from ansible_collections.lvs.ha.plugins.module_utils.platform import picked_facts, platform_errors

# Read per host from the inventory (hostvars hold no role defaults): the per-director
# overrides, and what a real server answers for.
DIRECTOR_VARS = ('director_ipvs_sync_id', 'director_vrrp_version')
REAL_SERVER_VARS = ('real_server_vips',)


def inventory_vars(hostvars, hosts, names):
    """{host: {name: value}} for the names set in each host's inventory."""
    result = {}
    for host in hosts:
        if host in hostvars:
            hv = hostvars[host]
            result[host] = dict((name, hv[name]) for name in names if name in hv)
    return result


def director_preflight_errors(play_hosts, hostvars, groups, role_vars, vs_options):
    """play_hosts: ansible_play_hosts_all; role_vars: the role's variables on this host; vs_options: the
    argument spec's options of director_virtual_servers."""
    models = [hostvars[h]['_director_model'] for h in play_hosts if h in hostvars and '_director_model' in hostvars[h]]
    group = role_vars['director_group']
    real_servers = sorted(set(rs['host'] for m in models for vs in m['virtual_servers'] for rs in vs['real_servers']
                              if rs['host']))
    host_vars = inventory_vars(hostvars, play_hosts, DIRECTOR_VARS)
    host_vars.update(inventory_vars(hostvars, real_servers, REAL_SERVER_VARS))
    settings = {
        'director_group': group,
        'director_real_server_group': role_vars['director_real_server_group'],
        'director_vrrp_version': role_vars['director_vrrp_version'],
        'director_ipvs_sync_id': role_vars['director_ipvs_sync_id'],
        'script_names': [s['name'] for s in role_vars['director_vrrp_scripts']],
        'track_file_names': [t['name'] for t in role_vars['director_vrrp_track_files']],
        'vs_default_keys': list(role_vars['director_virtual_server_defaults']),
        'vs_options': list(vs_options),
    }
    # Every director's OS first: a role that cannot serve one changes none.
    platform = [error for host in (m['host'] for m in models)
                for error in platform_errors(host, picked_facts(hostvars[host].get('ansible_facts')))]
    return platform + preflight_errors(models, settings, list(groups.get(group) or []), list(play_hosts), host_vars)


class FilterModule:
    def filters(self):
        return {'director_preflight_errors': director_preflight_errors}
