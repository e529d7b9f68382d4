"""What git knows about an input file: its last commit, uncommitted changes, older versions."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import CaseError, Problem


@dataclass(frozen=True)
class FileState:
    """A file's place in git: the last commit that touched it, and whether it has changed since.

    `commit` is None when git does not know the file (no repository, or never committed).
    """

    commit: str | None  # short hash of the last commit that changed the file
    commit_time: int | None  # that commit's time, seconds since the epoch
    dirty: bool  # uncommitted changes (or untracked): the work tree differs from `commit`


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    """Run git in cwd; None when git is not installed or cwd is not inside a repository."""
    if shutil.which("git") is None:
        return None
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result


def _folder(path: Path) -> Path:
    path = path.resolve()
    return path if path.is_dir() else path.parent


def repository(path: Path) -> Path | None:
    """The top folder of the git work tree holding path, or None."""
    result = _git(["rev-parse", "--show-toplevel"], _folder(path))
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.decode().strip())


def state(path: Path) -> FileState:
    """The last commit of a file (or folder) and whether the work tree differs from it."""
    if repository(path) is None:
        return FileState(None, None, True)
    where = _folder(path)
    name = path.resolve().name if path.is_file() else "."
    log = _git(["log", "-1", "--format=%h %ct", "--", name], where)
    commit = commit_time = None
    if log is not None and log.returncode == 0 and log.stdout.strip():
        short, seconds = log.stdout.decode().split()
        commit, commit_time = short, int(seconds)
    return FileState(commit, commit_time, commit is None or bool(changes(path)))


def changes(path: Path) -> list[str]:
    """Uncommitted changes under path (modified, staged, deleted or untracked), as git shows
    them ("M cases/x.yaml"); paths relative to the repository's top folder."""
    where = _folder(path)
    name = path.resolve().name if path.is_file() else "."
    # Porcelain output is stable across git versions and languages, with paths relative to
    # the top folder; -z leaves non-ASCII names unquoted; -uall lists untracked files inside
    # untracked folders one by one.
    result = _git(["status", "--porcelain", "-z", "-uall", "--", name], where)
    if result is None or result.returncode != 0:
        return []
    entries = result.stdout.decode("utf-8", "replace").split("\0")
    lines = []
    skip = False
    for entry in entries:
        if skip or not entry:  # a rename's second field is its old name
            skip = False
            continue
        status, file = entry[:2].strip(), entry[3:]
        skip = status.startswith("R") or status.startswith("C")
        lines.append(f"{status} {file}")
    return lines


def head(path: Path) -> str | None:
    """The full hash of HEAD in the repository holding path, or None."""
    result = _git(["rev-parse", "--verify", "-q", "HEAD"], _folder(path))
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def show(path: Path, revision: str, shown: str) -> bytes:
    """The contents of a file at a git revision (`git show REV:./file`)."""
    where = _folder(path)
    if repository(where) is None:
        raise CaseError([Problem(shown, None, None, "", f"{path.parent} is not in a git work tree",
                                 "a revision (FILE@REV) needs the file to be in git")])
    result = _git(["show", f"{revision}:./{path.name}"], where)
    if result is None or result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if result \
            else []
        raise CaseError([Problem(shown, None, None, "",
                                 f"git has no version of {path.name} at '{revision}'"
                                 + (f" ({message[0]})" if message else ""),
                                 "check the revision with: git log --oneline -- " + str(path))])
    return result.stdout
