#!/usr/bin/env python3
# web-screenshot.py — a screenshot of a page after some seconds of real time,
# through headless Chromium's DevTools protocol on a pipe (--screenshot takes
# its picture at the load event, or in virtual time, where a camera or a
# WebRTC call never starts).
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: web-screenshot.py OUTPUT.png SECONDS URL CHROMIUM-ARGUMENT...

import base64
import json
import os
import subprocess
import sys
import time

output, seconds, url = sys.argv[1], float(sys.argv[2]), sys.argv[3]
to_chromium_read, to_chromium = os.pipe()
from_chromium, from_chromium_write = os.pipe()
# Chromium reads commands on its fd 3 and writes answers on its fd 4.
process = subprocess.Popen(
    sys.argv[4:] + ["--remote-debugging-pipe", url],
    pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    preexec_fn=lambda: (os.dup2(to_chromium_read, 3), os.dup2(from_chromium_write, 4)))
os.close(to_chromium_read)
os.close(from_chromium_write)
pending = b""
next_id = 0


def call(method, params=None, session=None):
    global pending, next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_chromium, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in pending:
            chunk = os.read(from_chromium, 1 << 20)
            if not chunk:
                sys.exit("chromium went away")
            pending += chunk
        text, pending = pending.split(b"\0", 1)
        answer = json.loads(text)
        if answer.get("id") == next_id:
            if "error" in answer:
                sys.exit(f"{method}: {answer['error']}")
            return answer["result"]


try:
    targets = call("Target.getTargets")["targetInfos"]
    page = next(t for t in targets if t["type"] == "page")
    session = call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
    time.sleep(seconds)
    shot = call("Page.captureScreenshot", {"format": "png"}, session)
    with open(output, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
finally:
    process.terminate()
    process.wait()
