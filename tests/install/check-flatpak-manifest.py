#!/usr/bin/env python3
# check-flatpak-manifest.py — the Flatpak manifest is one flatpak-builder can use
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak-manifest.py MANIFEST APP-ID SOURCE-ROOT
#
# flatpak-builder needs the network (runtime, SDK, sources), which the tests
# do not have, so this checks what can be checked offline: the manifest is
# JSON, names the app and its command, asks for the permissions a call needs
# and no others, pins every downloaded source by a tag, commit or checksum,
# and builds Mentorcall itself from this source tree.

import json
import os
import sys

RUNTIME = "org.gnome.Platform"
SDK = "org.gnome.Sdk"
COMMAND = "mentorcall"

# A call needs the network, a display, sound and the camera (V4L2 devices have
# no portal on GNOME 46's runtime); the keyring keeps the session token.
# Notifications, screen sharing and opening links go through portals.
PERMISSIONS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--socket=pulseaudio",
    "--device=all",
    "--talk-name=org.freedesktop.secrets",
}


def check(manifest_path, app_id, source_root):
    problems = []
    with open(manifest_path, encoding="utf-8") as manifest_file:
        manifest = json.load(manifest_file)

    for key, expected in (("id", app_id), ("command", COMMAND), ("runtime", RUNTIME),
                          ("sdk", SDK)):
        if manifest.get(key) != expected:
            problems.append(f"{key} is {manifest.get(key)!r}, not {expected!r}")
    if not str(manifest.get("runtime-version", "")).isdigit():
        problems.append("runtime-version is not a GNOME release such as \"46\"")

    finish_args = manifest.get("finish-args", [])
    for extra in sorted(set(finish_args) - PERMISSIONS):
        problems.append(f"finish-args asks for {extra}, which a call does not need")
    for missing in sorted(PERMISSIONS - set(finish_args)):
        problems.append(f"finish-args lacks {missing}")

    modules = manifest.get("modules", [])
    if not modules or modules[-1].get("name") != COMMAND:
        problems.append(f"the last module is not {COMMAND!r}")
        return problems

    for module in modules:
        name = module.get("name", "?")
        sources = module.get("sources", [])
        if not sources:
            problems.append(f"module {name} has no sources")
        for source in sources:
            kind = source.get("type")
            if kind == "git":
                if not (source.get("tag") or source.get("commit")):
                    problems.append(f"module {name}: a git source without tag or commit")
            elif kind in ("archive", "file"):
                if not source.get("sha256"):
                    problems.append(f"module {name}: a download without sha256")
            elif kind == "dir":
                path = os.path.join(os.path.dirname(manifest_path), source.get("path", ""))
                if os.path.realpath(path) != os.path.realpath(source_root):
                    problems.append(f"module {name}: dir {source.get('path')!r} is not "
                                    "the source tree")
            else:
                problems.append(f"module {name}: unexpected source type {kind!r}")

    main_sources = modules[-1].get("sources", [])
    if [source.get("type") for source in main_sources] != ["dir"]:
        problems.append(f"module {COMMAND} must build from this tree (one dir source)")
    if modules[-1].get("buildsystem") != "meson":
        problems.append(f"module {COMMAND} is not built with meson")

    return problems


def main(args):
    if len(args) != 3:
        print("usage: check-flatpak-manifest.py MANIFEST APP-ID SOURCE-ROOT", file=sys.stderr)
        return 2
    try:
        problems = check(*args)
    except (OSError, ValueError) as error:
        problems = [str(error)]
    for problem in problems:
        print(f"{args[0]}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
