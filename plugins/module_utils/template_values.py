# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Role variables read the way the role's templates read them.

The director's model was Jinja before it was Python; keepalived.conf and the
lab depend on every value it produced. These conversions are Jinja's ``int``,
``float``, ``string`` and ``upper`` filters and ansible-core's ``bool``, so
"3", 3.0 and 3 still give 3, and a value nothing can read gives 0, not an error
(the preflight reports it with the variable's name).
"""

from __future__ import annotations

from collections.abc import Mapping

TRUE = frozenset(('yes', 'on', 'true', '1'))


def as_int(value, default=0):
    """Jinja's ``int``: "42" and "42.23" give 42, anything unreadable the default."""
    try:
        return int(value, 10) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default


def as_float(value):
    """Jinja's ``float``: anything unreadable gives 0.0."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def as_bool(value):
    """ansible-core's ``bool``: yes/on/true/1 in any case, or 1, are true; the rest false."""
    if isinstance(value, (str, int)):
        return str(value).lower() in TRUE
    return value == 1


def as_text(value):
    """Jinja's ``string`` (and what ``~`` joins): None gives "None", as the templates wrote it."""
    return value if isinstance(value, str) else str(value)


def upper(value):
    return as_text(value).upper()


def lower(value):
    return as_text(value).lower()


def unique(items):
    """ansible-core's ``unique``: first occurrence kept, strings compared without case."""
    seen = set()
    kept = []
    for item in items:
        key = item.lower() if isinstance(item, str) else item
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def combine(base, over):
    """ansible-core's ``combine`` of two dicts: over's keys win; equal dicts come out in over's order."""
    if base == {} or base == over:
        return dict(over)
    return {**base, **over}


def picked(mapping, keys):
    """keys of a variable's mapping (hostvars[host], ansible_facts) that it has, plain; nothing else of it is templated."""
    return {key: plain(mapping[key]) for key in keys if key in mapping} if isinstance(mapping, Mapping) else {}


def plain(value):
    """value as plain dicts and lists; reading a variable's mapping this way templates each value it holds."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
