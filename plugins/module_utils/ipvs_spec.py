# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument-spec pieces shared by the ipvs modules: what can be declared is declared here."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import (
    FAMILIES,
    FORWARDING,
    PERSISTENCE_ENGINES,
    PROTOCOLS,
    SCHEDULER_FLAGS,
    SCHEDULERS,
    TUNNEL_CHECKSUMS,
    TUNNEL_TYPES,
)

SERVICE_MUTUALLY_EXCLUSIVE = [['fwmark', 'address'], ['fwmark', 'port'], ['fwmark', 'protocol']]
SERVICE_REQUIRED_ONE_OF = [['fwmark', 'address']]
SERVICE_REQUIRED_TOGETHER = [['address', 'port']]
SERVER_REQUIRED_IF = [['tunnel_type', 'gue', ['tunnel_port']]]


def service_identity():
    """Options naming one virtual service."""
    return dict(
        protocol=dict(type='str', choices=list(PROTOCOLS)),
        address=dict(type='str'),
        port=dict(type='int'),
        fwmark=dict(type='int'),
        family=dict(type='str', choices=list(FAMILIES)),
    )


def real_server_options(defaults=True):
    """Options of one real server; without defaults, unset options keep the live values."""
    spec = dict(
        address=dict(type='str', required=True),
        port=dict(type='int'),
        forwarding=dict(type='str', choices=list(FORWARDING)),
        weight=dict(type='int'),
        upper_threshold=dict(type='int'),
        lower_threshold=dict(type='int'),
        tunnel_type=dict(type='str', choices=list(TUNNEL_TYPES)),
        tunnel_port=dict(type='int'),
        tunnel_checksum=dict(type='str', choices=list(TUNNEL_CHECKSUMS)),
    )
    if defaults:
        spec['forwarding']['default'] = 'dr'
        spec['weight']['default'] = 1
    return spec


def service_options():
    """Options of one virtual service with its real servers."""
    spec = service_identity()
    spec.update(
        scheduler=dict(type='str', choices=list(SCHEDULERS), default='wlc'),
        scheduler_flags=dict(type='list', elements='str', choices=list(SCHEDULER_FLAGS), default=[]),
        persistence_timeout=dict(type='int'),
        persistence_netmask=dict(type='str'),
        persistence_engine=dict(type='str', choices=list(PERSISTENCE_ENGINES)),
        one_packet=dict(type='bool', default=False),
        real_servers=dict(type='list', elements='dict', options=real_server_options(),
                          required_if=SERVER_REQUIRED_IF),
    )
    return spec


def services_option():
    """ipvs_table's services: a list of services with their real servers, and the rules across their fields.

    AnsibleModule gets only ``type=list, elements=dict`` (its per-dict validation of thousands of
    nested dicts was most of the module's run time); ipvs_validate.OptionsChecker applies this.
    """
    return dict(type='list', elements='dict', options=service_options(),
                mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE, required_one_of=SERVICE_REQUIRED_ONE_OF,
                required_together=SERVICE_REQUIRED_TOGETHER)
