#!/usr/bin/env python3
# check-icons.py — the app's hand-written SVG icons are well formed and sized
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-icons.py FILE SIZE [FILE SIZE…]
#
# Each FILE must be an SVG document whose width, height and viewBox are SIZE
# (the icon grid it was drawn on), and must not refer to anything outside
# itself: icon themes render icons without a network or other files.

import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def check(path, size):
    problems = []
    root = ET.parse(path).getroot()
    if root.tag != SVG + "svg":
        problems.append("the root element is not an SVG <svg>")
    for attribute in ("width", "height"):
        if root.get(attribute) != size:
            problems.append(f"{attribute} is {root.get(attribute)!r}, not {size!r}")
    if root.get("viewBox", "").split() != ["0", "0", size, size]:
        problems.append(f"viewBox is {root.get('viewBox')!r}, not '0 0 {size} {size}'")
    for element in root.iter():
        reference = element.get("href") or element.get(XLINK_HREF)
        if reference is not None and not reference.startswith("#"):
            problems.append(f"<{element.tag}> refers to {reference!r}")
    return problems


def main(args):
    if not args or len(args) % 2 != 0:
        print(__doc__ or "usage: check-icons.py FILE SIZE [FILE SIZE…]", file=sys.stderr)
        return 2
    status = 0
    for path, size in zip(args[0::2], args[1::2]):
        try:
            problems = check(path, size)
        except (OSError, ET.ParseError) as error:
            problems = [str(error)]
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
