# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Current table + desired table -> the table after, and the ordered changes between two tables.

Tables are dicts (service key -> VirtualService), so both steps are dictionary
look-ups, linear in the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import DEFAULT_FORWARDING, DEFAULT_WEIGHT, SLOTS, RealServer, VirtualService


@dataclass(frozen=True, **SLOTS)
class Change:
    """One step between two tables; server is None for the service-level actions."""

    action: str   # add-service | edit-service | delete-service | add-server | edit-server | delete-server
    service: VirtualService
    server: RealServer | None


KEPT_WHEN_UNSET = ('forwarding', 'weight', 'upper_threshold', 'lower_threshold',
                   'tunnel_type', 'tunnel_port', 'tunnel_checksum')


def merge_server(current, desired):
    """desired with every unset (None) field taken from current, or from ipvsadm's defaults for a new server.

    Returns current itself when desired asks for nothing different (no copy: tables can be large).
    """
    if current is None:
        if desired.forwarding is not None and desired.weight is not None:
            return desired
        merged = desired.copy()
        if merged.forwarding is None:
            merged.forwarding = DEFAULT_FORWARDING
        if merged.weight is None:
            merged.weight = DEFAULT_WEIGHT
        return merged
    if all(getattr(desired, name) in (None, getattr(current, name)) for name in KEPT_WHEN_UNSET):
        if desired.forwarding is None or desired.forwarding == 'tun' or current.tunnel_type is None:
            return current
    merged = desired.copy()
    forwarding_given = desired.forwarding is not None
    for name in KEPT_WHEN_UNSET:
        if getattr(merged, name) is None:
            if name.startswith('tunnel_') and forwarding_given:
                continue
            setattr(merged, name, getattr(current, name))
    return merged


def merge_service(current, desired, purge_servers):
    """The service after applying desired (real_servers None = leave the real servers as they are).

    Returns current itself when nothing would change.
    """
    current_servers = current.real_servers if current is not None else {}
    if desired.real_servers is None:
        if current is not None and current.same_settings(desired):
            return current
        return desired.copy(dict(current_servers))
    servers = {} if purge_servers else dict(current_servers)
    same = current is not None and current.same_settings(desired)
    fresh = current is None
    for key, server in desired.real_servers.items():
        merged = merge_server(current_servers.get(key), server)
        same = same and merged is current_servers.get(key)
        fresh = fresh and merged is server
        servers[key] = merged
    if same and len(servers) == len(current_servers):
        return current
    if fresh:
        return desired  # a new service taken as declared: no copy (tables can be large)
    return desired.copy(servers)


def merge(current, desired, purge_services=False, purge_servers=False, absent=()):
    """The whole table after the change: desired services merged over current, absent keys removed."""
    after = {} if purge_services else dict(current)
    for key, svc in desired.items():
        after[key] = merge_service(current.get(key), svc, purge_servers)
    for key in absent:
        after.pop(key, None)
    return after


def _server_changes(before, after):
    changes = []
    old = before.real_servers if before is not None else {}
    for key, server in old.items():
        if key not in after.real_servers:
            changes.append(Change('delete-server', after, server))
    for key, server in after.real_servers.items():
        previous = old.get(key)
        if previous is None:
            changes.append(Change('add-server', after, server))
        elif previous != server:
            changes.append(Change('edit-server', after, server))
    return changes


def diff(before, after):
    """Ordered changes turning table before into table after: deletions of services first, then per service
    the service itself (add or edit), its real servers removed, edited and added."""
    changes = [Change('delete-service', svc, None) for key, svc in before.items() if key not in after]
    for key, svc in after.items():
        previous = before.get(key)
        if previous is svc:
            continue
        if previous is None:
            changes.append(Change('add-service', svc, None))
        elif not previous.same_settings(svc):
            changes.append(Change('edit-service', svc, None))
        if previous is None or previous.real_servers != svc.real_servers:
            changes.extend(_server_changes(previous, svc))
    return changes


def unknown_thresholds(changes):
    """True when an edit would send thresholds nobody has read yet (ipvsadm -e resets what it is not given)."""
    return any(change.action == 'edit-server' and change.server.upper_threshold is None for change in changes)


def satisfied(change, table):
    """True when change is visible in table (as read back after a failed batch)."""
    svc = table.get(change.service.key)
    if change.action == 'delete-service':
        return svc is None
    if svc is None:
        return False
    if change.server is None:
        return svc.same_settings(change.service)
    server = svc.real_servers.get(change.server.key)
    if change.action == 'delete-server':
        return server is None
    if server is None:
        return False
    return all(getattr(server, name) == getattr(change.server, name) for name in server.FIELDS
               if getattr(server, name) is not None and getattr(change.server, name) is not None)
