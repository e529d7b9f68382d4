"""The temporary folder of a build, and a watchdog that outlives samdok: if samdok is killed
(SIGKILL, the OOM killer), it kills the LibreOffice workers left and removes the build's
temporary folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import interrupts

# Run as `python -I -S -c`: reads one JSON command a line from samdok; end of input without
# "done" means samdok died. LibreOffice workers run in sessions of their own (so that a hang
# can be ended with the children soffice starts), which is why a parent-death signal would
# not reach them: it is not passed on to soffice.bin, the child of the soffice script.
_WATCHDOG = r"""
import json, os, shutil, signal, sys, time
groups, folders = set(), set()
for line in sys.stdin:
    verb, argument = json.loads(line)
    if verb == "done":
        sys.exit(0)
    {"watch": groups.add, "unwatch": groups.discard,
     "remove": folders.add, "keep": folders.discard}[verb](argument)
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
deadline = time.monotonic() + 5
while groups and time.monotonic() < deadline:  # a killed process may still be writing
    for group in list(groups):
        try:
            os.killpg(group, 0)
        except OSError:
            groups.discard(group)
    time.sleep(0.05)
for folder in folders:
    shutil.rmtree(folder, ignore_errors=True)
"""

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Lifeline:
    """One build's temporary folder (LibreOffice's profiles and its TMPDIR) and its watchdog.

    `close` removes the folder and lets the watchdog go; if samdok dies first, the watchdog
    kills the process groups still watched and removes the folders it was given."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="samdok-build-"))
        try:
            with interrupts.held():
                self.watchdog = subprocess.Popen(
                    # The folder on its command line tells whose watchdog it is (ps).
                    [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(self.folder)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                    start_new_session=True, preexec_fn=interrupts.in_child)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.remove(self.folder)

    def _say(self, verb: str, argument: str | int) -> None:
        try:
            self.watchdog.stdin.write((json.dumps([verb, argument]) + "\n").encode())
            self.watchdog.stdin.flush()
        except (OSError, ValueError):  # the watchdog is gone: nothing more it can do
            pass

    def watch(self, group: int) -> None:
        """Kill this process group if samdok dies."""
        self._say("watch", group)

    def unwatch(self, group: int) -> None:
        """The group has ended and was waited for: its id may be reused."""
        self._say("unwatch", group)

    def remove(self, folder: Path) -> None:
        """Remove this folder if samdok dies."""
        self._say("remove", str(folder.absolute()))  # the watchdog runs in /

    def keep(self, folder: Path) -> None:
        """No longer remove this folder if samdok dies (it holds what must not be lost)."""
        self._say("keep", str(folder.absolute()))

    def subfolder(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(exist_ok=True)
        return path

    def close(self) -> None:
        with interrupts.held():
            shutil.rmtree(self.folder, ignore_errors=True)
            self._say("done", "")
            try:
                self.watchdog.stdin.close()
            except OSError:
                pass
            try:
                self.watchdog.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.watchdog.kill()
                self.watchdog.wait()

    def __enter__(self) -> Lifeline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when samdok dies, however it dies (Linux only). The
    signal comes when the thread that forked this process ends: the main thread here."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # samdok died before the signal was asked for
        os._exit(1)
