#!/usr/bin/env python3
# check-server-conf.py — the example configuration shows every key the server reads
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-server-conf.py MCS-CONFIG-C MENTORCALL-SERVER-CONF
#
# Collects the (group, key) pairs that src/server/mcs-config.c reads with its
# read_*() helpers and fails unless the example configuration has each one in
# its group, set or commented out ("key=" or "#key="), and has no key the
# server does not read.

import re
import sys

# read_string (file, "server", "listen", ...), read_secret (file, "auth",
# "admin-api-key", "admin-api-key-file", ...): the group, the key and, for
# secrets, the key of the file that may hold it.
READ = re.compile(r'read_\w+\s*\(\s*file,\s*"([\w-]+)",\s*"([\w-]+)"(?:,\s*"([\w-]+)")?')
GROUP = re.compile(r'^\s*\[([\w-]+)\]\s*$')
KEY = re.compile(r'^\s*#?\s*([a-z][\w-]*)=')


def read_source(path):
    keys = set()
    with open(path, encoding="utf-8") as source:
        for group, key, file_key in READ.findall(source.read()):
            keys.add((group, key))
            if file_key:
                keys.add((group, file_key))
    return keys


def read_example(path):
    keys = set()
    group = None
    with open(path, encoding="utf-8") as example:
        for line in example:
            match = GROUP.match(line)
            if match:
                group = match.group(1)
                continue
            match = KEY.match(line)
            if match and group is not None:
                keys.add((group, match.group(1)))
    return keys


def main(args):
    if len(args) != 2:
        print("usage: check-server-conf.py MCS-CONFIG-C MENTORCALL-SERVER-CONF", file=sys.stderr)
        return 2
    read = read_source(args[0])
    shown = read_example(args[1])
    if not read:
        print(f"{args[0]}: found no keys; has the way it reads them changed?", file=sys.stderr)
        return 1
    status = 0
    for group, key in sorted(read - shown):
        print(f"{args[1]}: [{group}] {key} is read by the server but not shown", file=sys.stderr)
        status = 1
    for group, key in sorted(shown - read):
        print(f"{args[1]}: [{group}] {key} is not a key the server reads", file=sys.stderr)
        status = 1
    if status == 0:
        print(f"{len(read)} keys, all shown")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
