# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The good input both role test files vary one field of at a time."""

VIP = '192.0.2.100'
INSTANCE = {'name': 'VI_1', 'virtual_router_id': 51, 'vips': [VIP + '/24']}
SERVICE = {'name': 'web', 'ip': VIP, 'port': 80}


def inst(**over):
    return {'director_vrrp_instances': [dict(INSTANCE, **over)]}


def vs(**over):
    return {'director_virtual_servers': [dict(SERVICE, **over)]}


def rs(**over):
    return vs(real_servers=[dict({'ip': '192.0.2.21'}, **over)])
