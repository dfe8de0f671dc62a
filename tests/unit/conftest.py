# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make ``ansible_collections.lvs.ha`` importable for a plain ``pytest tests/unit``.

``<repo>/.build/collections/ansible_collections/lvs/ha`` is a link to the repository
(``make deps`` creates it); putting ``<repo>/.build/collections`` first on sys.path is enough.
"""

from __future__ import annotations

import os
import sys

COLLECTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '.build', 'collections')
if os.path.normpath(COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.normpath(COLLECTIONS))
