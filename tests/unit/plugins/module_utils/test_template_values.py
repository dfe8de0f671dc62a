# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""template_values against the Jinja and ansible-core filters it stands in for."""

from __future__ import annotations

import warnings

import pytest
from jinja2 import Environment
from jinja2.filters import do_float, do_int, do_lower, do_upper

from ansible.plugins.filter.core import combine as ansible_combine
from ansible.plugins.filter.core import to_bool
from ansible.plugins.filter.mathstuff import unique as ansible_unique

from ansible_collections.lvs.ha.plugins.module_utils import template_values as tv

VALUES = [0, 1, 2, -3, 3.7, '3', ' 4 ', '4.9', '-5', 'x', '', None, True, False, [], {}, 'yes', 'On', 'TRUE', 'no',
          'off', '1', '0', 1.0, 0.0, 'y', 't', [1]]


@pytest.mark.parametrize('value', VALUES, ids=repr)
def test_numbers_and_text_as_jinja(value):
    assert tv.as_int(value) == do_int(value)
    assert tv.as_float(value) == do_float(value)
    assert tv.as_text(value) == str(value)
    assert tv.upper(value) == do_upper(str(value))
    assert tv.lower(value) == do_lower(str(value))


@pytest.mark.parametrize('value', VALUES, ids=repr)
def test_bool_as_ansible(value):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            expected = to_bool(value)
        except Exception:  # pylint: disable=broad-except  # the deprecation display needs a running CLI
            expected = None
    if expected is not None:
        assert tv.as_bool(value) is expected
    assert isinstance(tv.as_bool(value), bool)


@pytest.mark.parametrize('items', [['a', 'A', 'b', 'a'], [3, 1, 3, 2], ['10.0.0.1 . 80', '10.0.0.1 . 80'], []])
def test_unique_as_ansible(items):
    assert tv.unique(items) == list(ansible_unique(Environment(), items))


@pytest.mark.parametrize('base, over', [
    ({'a': 1, 'b': 2}, {'b': 3, 'c': 4}),
    ({}, {'b': 1, 'a': 2}),
    ({'a': 1, 'b': 2}, {'b': 2, 'a': 1}),  # equal: the order of over
    ({'a': 1}, {}),
])
def test_combine_as_ansible(base, over):
    assert list(tv.combine(base, over).items()) == list(ansible_combine(base, over).items())


def test_plain_reads_every_value():
    class Lazy(dict):
        def items(self):
            return [(k, v.upper()) for k, v in dict.items(self)]

    assert tv.plain({'a': Lazy(x='y'), 'b': ('c', [Lazy(z='w')])}) == {'a': {'x': 'Y'}, 'b': ['c', [{'z': 'W'}]]}


def test_picked_reads_only_the_keys_asked():
    assert tv.picked({'a': (1, 2), 'b': 2}, ('a', 'z')) == {'a': [1, 2]}
    assert tv.picked(None, ('a',)) == {}
