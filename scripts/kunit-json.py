#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Flatten kunit.py's --json output: one "ok|fail suite.case" line per
case (skipped cases count as ok), and a failure when there is no case."""
import json
import sys


def walk(group, prefix, out):
    name = group.get('name', '')
    here = prefix + [name] if name and name != 'KUnit Test Group' else prefix
    for case in group.get('test_cases', []):
        st = 'ok' if case['status'] in ('PASS', 'SKIP') else 'fail'
        out.append((st, '.'.join(here + [case['name']])))
    for sub in group.get('sub_groups', []):
        walk(sub, here, out)


def main():
    try:
        with open(sys.argv[1]) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print('fail results_readable (%s)' % e)
        return 1
    out = []
    walk(data, [], out)
    if not out:
        print('fail no_kunit_cases_ran')
        return 1
    for st, name in out:
        print(st, name)
    return 0 if all(st == 'ok' for st, _ in out) else 1


if __name__ == '__main__':
    sys.exit(main())
