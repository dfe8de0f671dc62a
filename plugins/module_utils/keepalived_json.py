# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parser of keepalived's JSON dump (``/tmp/keepalived.json``), plain Python.

keepalived writes the dump when its main process gets the JSON signal
(``keepalived --signum=JSON``): a list with one object per VRRP instance, each
``{"data": {...}, "stats": {...}}``. Only keepalived built with ``--enable-json``
writes it (Debian's is).
"""

from __future__ import annotations

import json

# vrrp.h: VRRP_STATE_INIT 0, _BACK 1, _MAST 2, _FAULT 3; 97/98 are transient stop states.
STATES = {0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'STOP', 98: 'DELETED'}

STAT_KEYS = ('advert_rcvd', 'advert_sent', 'become_master', 'release_master',
             'pri_zero_rcvd', 'pri_zero_sent', 'auth_failure', 'advert_interval_err')


class KeepalivedDumpError(Exception):
    """The dump is not what keepalived writes."""


def state_name(code):
    return STATES.get(code, 'UNKNOWN(%s)' % code)


def vip_address(vip):
    """'10.77.0.10/24 dev eth0 scope global set' -> '10.77.0.10/24'."""
    return vip.split()[0]


def parse_instance(entry):
    data, stats = entry.get('data', {}), entry.get('stats', {})
    return {
        'name': data['iname'],
        'state': state_name(data.get('state')),
        'wanted_state': state_name(data.get('wantstate')),
        'vrid': data.get('vrid'),
        'interface': data.get('ifp_ifname'),
        'version': data.get('version'),
        'base_priority': data.get('base_priority'),
        'effective_priority': data.get('effective_priority'),
        'advert_interval': data.get('adver_int'),
        'nopreempt': bool(data.get('nopreempt')),
        'preempt_delay': data.get('preempt_delay'),
        'last_transition': data.get('last_transition'),
        'vips': [vip_address(v) for v in data.get('vips', [])],
        'vips_set': bool(data.get('vipset')),
        'stats': {k: stats[k] for k in STAT_KEYS if k in stats},
    }


def parse_dump(text):
    """The dump's text -> list of instance dicts (see parse_instance), sorted by name."""
    try:
        entries = json.loads(text)
        return sorted((parse_instance(e) for e in entries), key=lambda i: i['name'])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeepalivedDumpError('unreadable keepalived JSON dump: %s' % exc)
