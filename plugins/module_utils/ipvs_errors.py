# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exceptions raised by the ipvs helpers; only a module's top level turns them into fail_json."""

from __future__ import annotations


class IpvsError(Exception):
    """Base class; ``details`` are extra keys for the module's failure result."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class IpvsValidationError(IpvsError):
    """Bad input, found before ipvsadm runs; the message names the field and the fix."""


class IpvsParseError(IpvsError):
    """Output of ipvsadm (or a ``rules`` text) that does not have the expected shape."""


class IpvsadmError(IpvsError):
    """ipvsadm exited non-zero; carries the command, rc, stdout and stderr."""


class IpvsApplyError(IpvsError):
    """A batch failed midway; names the failing rule and says whether the previous table was restored."""


class IpvsTimeoutError(IpvsError):
    """Waiting for a drained real server's connections to end took longer than allowed."""
