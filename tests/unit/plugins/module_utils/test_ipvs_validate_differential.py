# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ipvs_validate.OptionsChecker against ansible-core's own ArgumentSpecValidator, on generated input.

OptionsChecker stands in for AnsibleModule's validation of ipvs_table's ``services`` (see ipvs_spec.
services_option), so both must accept and refuse the same lists of services. A seeded generator makes
a few thousand lists: valid services and real servers, each then given zero to two mutations (a value
of another type or form, a value out of the choices, an unknown key, a key removed, an element that is
not a dict). Ranges, addresses and checks across fields come later (service_from_params) and are not
compared here: neither validator looks at them.

Intentional differences, where OptionsChecker does not do what ArgumentSpecValidator does:
- null is unset. An option given as null (``fwmark: null`` in a JSON table) is treated as if it were
  not given: its default applies, it counts for no mutually_exclusive, required, required_one_of,
  required_together or required_if, and its choices are not checked. ansible-core counts the key as
  given (so ``address: null`` satisfies ``required`` and becomes ``''``) and refuses null for an option
  with choices or a non-null default. The generated list is compared with null-valued keys removed.
- stricter types: a boolean is not an integer (ansible-core takes ``port: true`` as 1) and a list or a
  dict is not a string (ansible-core writes its Python repr). OptionsChecker refuses them, naming the field.
"""

from __future__ import annotations

import copy
import random

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsValidationError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_spec import services_option
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import OptionsChecker

SEED = 14
CASES = 3000

OPTION = services_option()
SERVICE_OPTIONS = OPTION['options']
SERVER_OPTIONS = SERVICE_OPTIONS['real_servers']['options']

# Values of every kind and form a table can carry: right, convertible, wrong.
ODD_VALUES = [None, True, False, 0, 1, 80, -1, 65536, 8.0, 8.5, '80', ' 80', '0x10', '8.0', '', 'eighty',
              'yes', 'no', 'on', 'off', 'true', 'False', '1', '0', 'maybe', 'tcp', 'TCP', 'sh-port',
              'sh-port,sh-fallback', '10.0.0.2', 'a=1', '{"a": 1}', [], [None], ['sh-port'], ['sh-port', 'mh-port'],
              ['nope'], [1], ['a'], {}, {'a': 1}, {'address': '10.0.0.2'}]


def valid_value(rng, sub):
    """A value the option accepts, in its own type or a form ansible-core converts."""
    if sub.get('choices'):
        choices = list(sub['choices'])
        if sub['type'] == 'list':
            picked = rng.sample(choices, rng.randint(0, 2))
            return ','.join(picked) if picked and rng.random() < 0.2 else picked
        return rng.choice(choices)
    return {'int': lambda: rng.choice([rng.randint(0, 70000), str(rng.randint(0, 99)), 8.0]),
            'str': lambda: rng.choice(['10.0.0.%d' % rng.randint(1, 254), '24', 80]),
            'bool': lambda: rng.choice([True, False, 'yes', 'no', 1, 0, 'on'])}[sub['type']]()


def valid_server(rng):
    server = {'address': '10.0.1.%d' % rng.randint(1, 254)}
    for name in rng.sample(sorted(SERVER_OPTIONS), rng.randint(0, 3)):
        if name not in ('tunnel_type', 'address'):
            server[name] = valid_value(rng, SERVER_OPTIONS[name])
    if rng.random() < 0.15:
        server.update(tunnel_type='gue', tunnel_port=rng.randint(1, 65535))
    return server


def valid_service(rng):
    if rng.random() < 0.7:
        service = {'address': '10.0.0.%d' % rng.randint(1, 254), 'port': rng.randint(1, 65535)}
        if rng.random() < 0.5:
            service['protocol'] = valid_value(rng, SERVICE_OPTIONS['protocol'])
    else:
        service = {'fwmark': rng.randint(1, 100)}
    for name in rng.sample(['family', 'scheduler', 'scheduler_flags', 'persistence_timeout', 'persistence_netmask',
                            'persistence_engine', 'one_packet'], rng.randint(0, 3)):
        service[name] = valid_value(rng, SERVICE_OPTIONS[name])
    if rng.random() < 0.6:
        service['real_servers'] = [valid_server(rng) for _index in range(rng.randint(0, 3))]
    return service


def mutate(rng, services):
    """One change that may make the list invalid, to a service, a real server or the list itself."""
    places = [(service, SERVICE_OPTIONS) for service in services if isinstance(service, dict)]
    places += [(server, SERVER_OPTIONS) for service in services if isinstance(service, dict)
               if isinstance(service.get('real_servers'), list) for server in service['real_servers'] if isinstance(server, dict)]
    if not places or rng.random() < 0.04:
        services.append(rng.choice([None, 'x', 5, ['a']]))
        return
    target, options = rng.choice(places)
    what = rng.random()
    if what < 0.1 and target:
        del target[rng.choice(sorted(target))]
    elif what < 0.15:
        target[rng.choice(['wieght', 'servers', 'Port'])] = 1
    elif what < 0.2 and options is SERVICE_OPTIONS:
        target['real_servers'] = rng.choice(['10.0.0.2', 5, {'address': '10.0.0.2'}, [None], ['x'], [{}],
                                             ['address=10.0.0.2'], ['{"address": "10.0.0.2", "weight": "2"}'],
                                             'address=10.0.0.2 weight=0'])
    else:
        target[rng.choice(sorted(options))] = rng.choice(ODD_VALUES)


def generate(rng):
    services = [valid_service(rng) for _index in range(rng.randint(1, 3))]
    for _index in range(rng.choice([0, 0, 0, 1, 1, 1, 1, 1, 2, 2])):
        mutate(rng, services)
    return services


def without_nulls(services):
    """The list with each null-valued key of a service or real server removed (null is unset)."""
    result = []
    for service in services:
        if isinstance(service, dict):
            service = {k: v for k, v in service.items() if v is not None}
            if isinstance(service.get('real_servers'), list):
                service['real_servers'] = [{k: v for k, v in server.items() if v is not None}
                                           if isinstance(server, dict) else server for server in service['real_servers']]
        result.append(service)
    return result


def stricter_fields(services):
    """The fields holding a boolean for an integer or a list or dict for a string (refused here on purpose)."""
    fields = set()

    def look(params, options):
        for name, value in params.items():
            kind = options.get(name, {}).get('type')
            if (kind == 'int' and isinstance(value, bool)) or (kind == 'str' and isinstance(value, (list, dict))):
                fields.add(name)

    for service in services:
        if isinstance(service, dict):
            look(service, SERVICE_OPTIONS)
            if isinstance(service.get('real_servers'), list):
                for server in service['real_servers']:
                    if isinstance(server, dict):
                        look(server, SERVER_OPTIONS)
    return fields


def ansible_answer(services):
    result = ArgumentSpecValidator({'services': OPTION}).validate({'services': copy.deepcopy(services)})
    return result.error_messages, result.validated_parameters.get('services')


def checker_answer(services):
    try:
        return None, OptionsChecker(OPTION).value(copy.deepcopy(services), '', 'services')
    except IpvsValidationError as exc:
        return exc.msg, None


def same_values(ours, theirs):
    """Every value OptionsChecker returns (the given ones, converted; null is unset) equals ansible-core's."""
    if isinstance(ours, list):
        return all(same_values(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, dict):
        return all(same_values(value, theirs[name]) if isinstance(value, (list, dict)) and name == 'real_servers'
                   else value == theirs[name] for name, value in ours.items() if value is not None)
    return ours == theirs


def compare(services):
    """None when both agree (or differ on purpose), else a description of the disagreement."""
    ours, checked = checker_answer(services)
    stripped = without_nulls(services)
    theirs, validated = ansible_answer(stripped)
    if ours is None and not theirs:
        return None if same_values(checked, validated) else 'converted differently: %r, ansible-core %r' % (checked, validated)
    if (ours is None) == (not theirs):
        return None
    stricter = stricter_fields(stripped)
    if ours is not None and stricter and any(('.%s:' % name) in ours for name in stricter):
        return None
    return 'OptionsChecker: %s; ansible-core: %s' % (ours or 'valid', '; '.join(theirs) or 'valid')


def test_generator_covers_valid_and_invalid():
    rng = random.Random(SEED)
    answers = [not ansible_answer(without_nulls(generate(rng)))[0] for _index in range(500)]
    assert 0.3 < sum(answers) / len(answers) < 0.7


def test_options_checker_agrees_with_ansible_core():
    rng = random.Random(SEED)
    disagreements = []
    for index in range(CASES):
        services = generate(rng)
        problem = compare(services)
        if problem is not None:
            disagreements.append('case %d: %r\n    %s' % (index, services, problem))
    assert not disagreements, '%d of %d disagree:\n%s' % (len(disagreements), CASES, '\n'.join(disagreements[:20]))


@pytest.mark.parametrize('services, why', [
    ([{'fwmark': 7, 'protocol': None}], 'null is unset'),
    ([{'address': '10.0.0.1', 'port': 80, 'real_servers': [{'address': None}]}], 'null is unset: required'),
    ([{'address': '10.0.0.1', 'port': True}], 'a boolean is not an integer'),
    ([{'address': ['10.0.0.1'], 'port': 80}], 'a list is not a string'),
])
def test_intentional_differences_are_the_documented_ones(services, why):
    ours, _checked = checker_answer(services)
    theirs, _validated = ansible_answer(services)
    assert (ours is None) != (not theirs), why
    assert compare(services) is None
