"""The ecmp scenario's verify helpers: the default scenario's (hosts by name,
the inventory from molecule.yml, traffic from the client), loaded from there as
`shared`, so both read this scenario's molecule.yml the same way."""

import importlib.util
import os

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "default", "tests", "conftest.py")
_SPEC = importlib.util.spec_from_file_location("lvs_default_conftest", _PATH)
shared = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(shared)
