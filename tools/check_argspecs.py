#!/usr/bin/env python3
"""Fail when a role's defaults/main.yml and meta/argument_specs.yml disagree.

For every role under roles/: the variable names of defaults/main.yml must be
exactly the options of argument_specs.main in meta/argument_specs.yml (the
model is prometheus-community/ansible's lint_arguments_spec.sh), and every
public name must carry the role's prefix (``director_`` for roles/director).
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load(path):
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def check_role(role):
    errors = []
    defaults = set(load(role / "defaults" / "main.yml"))
    specs = load(role / "meta" / "argument_specs.yml")
    if not (role / "meta" / "argument_specs.yml").exists():
        return [f"{role.name}: meta/argument_specs.yml is missing"]
    options = set(((specs.get("argument_specs") or {}).get("main") or {}).get("options") or {})
    for name in sorted(defaults - options):
        errors.append(f"{role.name}: {name} is in defaults/main.yml but not in meta/argument_specs.yml")
    for name in sorted(options - defaults):
        errors.append(f"{role.name}: {name} is in meta/argument_specs.yml but not in defaults/main.yml")
    prefix = role.name.lstrip("_") + "_"
    for name in sorted(defaults | options):
        if not name.startswith(prefix):
            errors.append(f"{role.name}: {name} lacks the role's prefix {prefix}")
    return errors


def main():
    roles = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
    errors = []
    for role in roles:
        role_errors = check_role(role)
        print(f"{role.name}: {'FAIL' if role_errors else 'ok'}")
        errors.extend(role_errors)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
