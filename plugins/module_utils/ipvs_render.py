# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Renders the model as ``ipvsadm -R`` lines (the save format, plus thresholds, which ipvsadm does not save)."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import FORWARDING_SWITCH


def service_options(svc):
    """`` -s wlc -p 300 -M 255.255.255.0 -o -b sh-port`` for an -A/-E line, in the order ipvsadm -S writes them."""
    parts = [' -s ', svc.scheduler]
    if svc.persistence_timeout:
        parts.append(' -p %d' % svc.persistence_timeout)
        if svc.persistence_netmask is not None:
            parts.append(' -M %s' % svc.persistence_netmask)
        if svc.persistence_engine:
            parts.append(' --pe %s' % svc.persistence_engine)
    if svc.one_packet:
        parts.append(' -o')
    if svc.scheduler_flags:
        parts.append(' -b %s' % ','.join(svc.scheduler_flags))
    return ''.join(parts)


def server_options(server):
    """`` -g -w 1 --tun-type gue --tun-port 6080 --tun-nocsum -x 100 -y 10`` for an -a/-e line."""
    parts = [' ', FORWARDING_SWITCH[server.forwarding], ' -w ', str(server.weight)]
    if server.forwarding == 'tun' and server.tunnel_type:
        parts.append(' --tun-type %s' % server.tunnel_type)
        if server.tunnel_port:
            parts.append(' --tun-port %d' % server.tunnel_port)
        if server.tunnel_checksum:
            parts.append(' --tun-%s' % server.tunnel_checksum)
    if server.upper_threshold:
        parts.append(' -x %d' % server.upper_threshold)
    if server.lower_threshold:
        parts.append(' -y %d' % server.lower_threshold)
    return ''.join(parts)


def add_service(svc):
    return '-A ' + svc.key + service_options(svc)


def edit_service(svc):
    return '-E ' + svc.key + service_options(svc)


def delete_service(svc):
    return '-D ' + svc.key


def add_server(svc, server):
    return '-a ' + svc.key + ' -r ' + server.key + server_options(server)


def edit_server(svc, server):
    return '-e ' + svc.key + ' -r ' + server.key + server_options(server)


def delete_server(svc, server):
    return '-d ' + svc.key + ' -r ' + server.key


RENDERERS = {
    'add-service': add_service,
    'edit-service': edit_service,
    'delete-service': delete_service,
}

SERVER_RENDERERS = {
    'add-server': add_server,
    'edit-server': edit_server,
    'delete-server': delete_server,
}


def render_change(change):
    """The restore line of one ipvs_diff.Change."""
    if change.server is None:
        return RENDERERS[change.action](change.service)
    return SERVER_RENDERERS[change.action](change.service, change.server)


def render_table(table):
    """A whole table (dict key -> VirtualService) as restore lines: what ``ipvsadm -S -n`` would print, plus thresholds."""
    lines = []
    for svc in table.values():
        lines.append(add_service(svc))
        for server in (svc.real_servers or {}).values():
            lines.append(add_server(svc, server))
    return lines


def render_text(table):
    """render_table() joined into one text, for diff before/after."""
    lines = render_table(table)
    return '\n'.join(lines) + '\n' if lines else ''
