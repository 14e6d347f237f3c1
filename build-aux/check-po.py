#!/usr/bin/env python3
# check-po.py — check every translation in po/ with msgfmt
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/check-po.py [--msgfmt PROGRAM] [PO-DIRECTORY]
#
# Runs `msgfmt --check --statistics` on each po/LL.po: the header (including
# Plural-Forms), the plural forms and the printf formats of every message must
# be valid, and no message may be untranslated or fuzzy. po/LINGUAS must list
# exactly the languages that have a .po file. Exit status 1 on any problem.

import argparse
import os
import re
import subprocess
import sys

STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def read_linguas(podir):
    languages = []
    with open(os.path.join(podir, "LINGUAS"), encoding="utf-8") as linguas:
        for line in linguas:
            line = line.split("#", 1)[0]
            languages.extend(line.split())
    return languages


def check(msgfmt, path):
    """Returns a list of problems with one .po file."""
    environment = dict(os.environ, LC_ALL="C", LANGUAGE="")
    result = subprocess.run([msgfmt, "--check", "--statistics", "--output-file=/dev/null", path],
                            env=environment, capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip()
    name = os.path.basename(path)
    problems = []

    if output:
        print(f"{name}: {output}")
    if result.returncode != 0:
        problems.append(f"{name}: msgfmt --check failed")

    counts = {kind: int(number) for number, kind in STATISTICS.findall(output)}
    if counts.get("fuzzy", 0) > 0:
        problems.append(f"{name}: {counts['fuzzy']} fuzzy messages")
    if counts.get("untranslated", 0) > 0:
        problems.append(f"{name}: {counts['untranslated']} untranslated messages")
    if result.returncode == 0 and counts.get("translated", 0) == 0:
        problems.append(f"{name}: no translated message")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--msgfmt", default="msgfmt")
    parser.add_argument("podir", nargs="?",
                        default=os.path.join(os.path.dirname(__file__), "..", "po"))
    args = parser.parse_args()

    languages = read_linguas(args.podir)
    files = sorted(name[:-3] for name in os.listdir(args.podir) if name.endswith(".po"))
    problems = []

    for language in sorted(set(languages) - set(files)):
        problems.append(f"po/LINGUAS lists {language}, but there is no po/{language}.po")
    for language in sorted(set(files) - set(languages)):
        problems.append(f"po/{language}.po is not listed in po/LINGUAS")
    for language in files:
        problems.extend(check(args.msgfmt, os.path.join(args.podir, language + ".po")))

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
