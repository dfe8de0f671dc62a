# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The refusals of the roles' argument specs, checked the way validate_argument_spec checks them.

The role's first task runs ansible-core's ArgumentSpecValidator over the options
of meta/argument_specs.yml; this runs the same validator over the same options
in-process. tests/roles/test_bad_input.py proves end to end that the role stops there.
"""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from role_inputs import VIP, inst, rs, vs  # tests/roles/role_inputs.py

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


def options(role, entry='main'):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs'][entry]['options']


VALIDATORS = {(role, entry): ArgumentSpecValidator(options(role, entry))
              for role, entry in (('director', 'main'), ('director', 'preflight'), ('real_server', 'main'))}


DIRECTOR = [
    ('packages_type', {'director_packages': {'keepalived': 1}}, 'director_packages'),
    ('vrrp_version_choice', {'director_vrrp_version': 4}, 'director_vrrp_version', '2, 3'),
    ('advert_int_type', {'director_vrrp_advert_int': 'fast'}, 'director_vrrp_advert_int', 'float'),
    ('unicast_type', {'director_vrrp_unicast': 'maybe'}, 'director_vrrp_unicast', 'bool'),
    ('priority_type', {'director_vrrp_priority': 'high'}, 'director_vrrp_priority', 'int'),
    ('nopreempt_type', {'director_vrrp_nopreempt': 'often'}, 'director_vrrp_nopreempt'),
    ('preempt_delay_type', {'director_vrrp_preempt_delay': 'soon'}, 'director_vrrp_preempt_delay'),
    ('rejoin_hold_type', {'director_rejoin_hold': 'a while'}, 'director_rejoin_hold'),
    ('instances_type', {'director_vrrp_instances': 'VI_1'}, 'director_vrrp_instances'),
    ('instance_unknown_key', inst(prio=100), 'director_vrrp_instances', 'prio'),
    ('instance_without_vips', {'director_vrrp_instances': [{'name': 'VI_1', 'virtual_router_id': 51}]},
     'vips', 'director_vrrp_instances'),
    ('instance_without_vrid', {'director_vrrp_instances': [{'name': 'VI_1', 'vips': [VIP]}]},
     'virtual_router_id', 'director_vrrp_instances'),
    ('instance_state_choice', inst(state='LEADER'), 'state', 'MASTER, BACKUP'),
    ('instance_vrid_type', inst(virtual_router_id='fifty'), 'virtual_router_id'),
    ('track_script_unknown_key', inst(track_scripts=[{'name': 's', 'wieght': 2}]), 'track_scripts', 'wieght'),
    ('scripts_without_script', {'director_vrrp_scripts': [{'name': 's'}]}, 'director_vrrp_scripts', 'script'),
    ('track_files_without_file', {'director_vrrp_track_files': [{'name': 't'}]}, 'director_vrrp_track_files', 'file'),
    ('restart_sec_type', {'director_keepalived_restart_sec': 'soon'}, 'director_keepalived_restart_sec'),
    ('lvs_flush_type', {'director_lvs_flush': 'perhaps'}, 'director_lvs_flush'),
    ('peer_filter_type', {'director_peer_filter': 'perhaps'}, 'director_peer_filter'),
    ('stray_tcp_drop_type', {'director_stray_tcp_drop': 'perhaps'}, 'director_stray_tcp_drop'),
    ('sync_daemon_type', {'director_ipvs_sync_daemon': 'perhaps'}, 'director_ipvs_sync_daemon'),
    ('sync_id_type', {'director_ipvs_sync_id': 'one'}, 'director_ipvs_sync_id'),
    ('modules_type', {'director_ipvs_modules': {'ip_vs': 1}}, 'director_ipvs_modules'),
    ('sysctls_type', {'director_sysctls': [1]}, 'director_sysctls'),
    ('vs_defaults_type', {'director_virtual_server_defaults': [1]}, 'director_virtual_server_defaults'),
    ('check_defaults_type', {'director_check_defaults': [1]}, 'director_check_defaults'),
    ('virtual_servers_type', {'director_virtual_servers': 'web'}, 'director_virtual_servers'),
    ('vs_unknown_key', vs(shceduler='rr'), 'director_virtual_servers', 'shceduler'),
    ('vs_port_type', vs(port='http'), 'port', 'int'),
    ('vs_protocol_choice', vs(protocol='ICMP'), 'protocol', 'TCP'),
    ('vs_forwarding_choice', vs(forwarding='ROUTE'), 'forwarding', 'DR'),
    ('vs_scheduler_flags_choice', vs(scheduler_flags=['fast']), 'scheduler_flags', 'sh-port'),
    ('rs_without_ip', vs(real_servers=[{'port': 80}]), 'real_servers', 'ip'),
    ('rs_weight_type', rs(weight='heavy'), 'weight', 'int'),
    ('sorry_without_ip', vs(sorry_server={'port': 80}), 'sorry_server', 'ip'),
    ('vs_groups_without_members', {'director_virtual_server_groups': [{'name': 'g'}]},
     'director_virtual_server_groups', 'members'),
    ('drain_timeout_type', {'director_drain_timeout': 'long'}, 'director_drain_timeout'),
    ('switchover_choice', {'director_switchover': 'sideways'}, 'director_switchover', 'away, back'),
]
# playbooks/site.yml runs tasks_from preflight before the role: its entry point refuses the same.
PREFLIGHT = [c for c in DIRECTOR if c[0] in {'instances_type', 'instance_without_vrid', 'vs_unknown_key', 'rs_without_ip'}]
REAL_SERVER = [
    ('method_choice', {'real_server_method': 'route'}, 'real_server_method', 'dr, tun, nat'),
    ('vips_type', {'real_server_vips': {'a': 1}}, 'real_server_vips'),
    ('weight_type', {'real_server_weight': 'heavy'}, 'real_server_weight', 'int'),
    ('packages_type', {'real_server_packages': {'a': 1}}, 'real_server_packages'),
]
CASES = ([('director', 'main') + c for c in DIRECTOR] + [('director', 'preflight') + c for c in PREFLIGHT]
         + [('real_server', 'main') + c for c in REAL_SERVER])


@pytest.mark.parametrize('role, entry, case_id, variables, fragments', [c[:4] + (c[4:],) for c in CASES],
                         ids=['%s-%s-%s' % c[:3] for c in CASES])
def test_refused(role, entry, case_id, variables, fragments):
    result = VALIDATORS[role, entry].validate(variables)
    message = '\n'.join(result.error_messages)
    assert message, 'accepted: %r' % variables
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize('role, entry, variables', [
    ('director', 'main', dict(inst(), **vs(real_servers=[{'ip': '192.0.2.21', 'weight': 2}]))),
    ('director', 'preflight', dict(inst(), **vs())),
    ('real_server', 'main', {'real_server_vips': [VIP], 'real_server_method': 'dr'}),
])
def test_accepted(role, entry, variables):
    assert VALIDATORS[role, entry].validate(variables).error_messages == []
