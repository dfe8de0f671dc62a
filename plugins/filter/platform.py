# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.platform_errors (module_utils/platform.py)."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.platform import picked_facts, platform_errors


def platform_errors_filter(facts, host):
    """facts: the host's ansible_facts; only OS_FACT_KEYS of it are read (and templated)."""
    return platform_errors(host, picked_facts(facts))


class FilterModule:
    def filters(self):
        return {'platform_errors': platform_errors_filter}
