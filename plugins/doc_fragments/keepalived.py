# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Options of the modules that read keepalived's state (keepalived_runner.RUNNER_OPTIONS)."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  pid_file:
    description: The pid file of keepalived's main process.
    type: path
    default: /run/keepalived.pid
  dump_file:
    description: Where keepalived writes its JSON dump.
    type: path
    default: /tmp/keepalived.json
  timeout:
    description: Seconds to wait for keepalived to write the dump.
    type: float
    default: 5
"""
