#!/usr/bin/env python3
# check-potfiles.py — check that po/POTFILES.in lists exactly the files with translatable strings
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/check-potfiles.py [SOURCE-ROOT]
#
# Fails (exit 1) when a file under src/ or data/ has translatable strings but is
# not in po/POTFILES.in, when POTFILES.in lists a file that does not exist, or
# lists one twice. A string is translatable when it is marked for gettext in C
# (_(), N_(), C_(), NC_(), ngettext, g_dngettext, …), marked translatable="yes"
# in a GtkBuilder or XML file, in a GSettings schema that names a gettext-domain,
# or in a desktop file or AppStream metainfo template (.desktop.in,
# .metainfo.xml.in), which are translated as a whole. The server is never
# translated (its messages are for operators and logs), so src/server/ is not
# searched.

import os
import re
import sys

SEARCHED = ("src", "data")
NOT_TRANSLATED = ("src/server/",)

C_MARK = re.compile(
    r"(?<![A-Za-z0-9_])"
    r"(?:_|N_|C_|NC_|Q_|gettext|ngettext|dgettext|dngettext|"
    r"g_dgettext|g_dngettext|g_dcgettext|g_dpgettext|g_dpgettext2)"
    r"\s*\("
)
XML_MARK = re.compile(r"""translatable\s*=\s*["']yes["']""")
SCHEMA_DOMAIN = re.compile(r"""<schemalist[^>]*\sgettext-domain\s*=""")
SCHEMA_TEXT = re.compile(r"<(?:summary|description)>")

C_SUFFIXES = (".c", ".h")
XML_SUFFIXES = (".ui", ".xml", ".xml.in")
WHOLE_FILE_SUFFIXES = (".desktop.in", ".metainfo.xml.in", ".appdata.xml.in")


C_TOKENS = re.compile(r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|/\*.*?\*/|//[^\n]*""", re.S)


def strip_c_comments(text):
    """Comments may mention _() without marking anything; string literals
    ("https://…") are kept whole so that they do not look like comments."""
    return C_TOKENS.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else " ", text)


def is_translatable(path, text):
    if path.endswith(WHOLE_FILE_SUFFIXES):
        return True
    if path.endswith(C_SUFFIXES):
        return C_MARK.search(strip_c_comments(text)) is not None
    if path.endswith(".gschema.xml"):
        return SCHEMA_DOMAIN.search(text) is not None and SCHEMA_TEXT.search(text) is not None
    if path.endswith(XML_SUFFIXES):
        return XML_MARK.search(text) is not None
    return False


def translatable_files(root):
    found = set()
    for top in SEARCHED:
        for directory, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in files:
                path = os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
                if path.startswith(NOT_TRANSLATED):
                    continue
                try:
                    with open(os.path.join(root, path), encoding="utf-8") as source:
                        text = source.read()
                except (UnicodeDecodeError, OSError):
                    continue
                if is_translatable(path, text):
                    found.add(path)
    return found


def listed_files(root):
    listed = []
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as potfiles:
        for line in potfiles:
            line = line.strip()
            if line and not line.startswith("#"):
                listed.append(line)
    return listed


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    root = os.path.abspath(root)
    listed = listed_files(root)
    found = translatable_files(root)
    problems = []

    for path in sorted({p for p in listed if listed.count(p) > 1}):
        problems.append(f"po/POTFILES.in lists {path} more than once")
    for path in listed:
        if not os.path.isfile(os.path.join(root, path)):
            problems.append(f"po/POTFILES.in lists {path}, which does not exist")
    for path in sorted(found - set(listed)):
        problems.append(f"{path} has translatable strings but is not in po/POTFILES.in")
    for path in sorted(set(listed) - found):
        if os.path.isfile(os.path.join(root, path)):
            print(f"note: po/POTFILES.in lists {path}, which has no translatable strings")

    for problem in problems:
        print(problem)
    if problems:
        return 1

    print(f"po/POTFILES.in lists all {len(found)} files with translatable strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
