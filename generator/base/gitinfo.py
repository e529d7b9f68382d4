"""What git knows about an input file: its last commit, uncommitted changes, older versions."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import CaseError, Problem


@dataclass(frozen=True)
class FileState:
    """A file's place in git: the last commit that touched it, and whether it has changed since.

    `commit` is None when git does not know the file (no repository, or never committed).
    """

    commit: str | None  # short hash of the last commit that changed the file
    commit_time: int | None  # that commit's time, seconds since the epoch
    dirty: bool  # uncommitted changes (or untracked): the work tree differs from `commit`


# git runs programs that a repository's own configuration names (see SECURITY in git(1)):
# core.fsmonitor on every `status`, gpg.program for log.showSignature, a transport's command
# when a partial clone fetches a missing object, the summary of submodules. samdok reads
# repositories that others made, so each call turns these off; they only save time or show
# more than samdok asks. Filter drivers are turned off for `status` in changes().
SAFE_CONFIG = {
    "core.fsmonitor": "false",
    "log.showSignature": "false",
    "protocol.allow": "never",
    "status.submoduleSummary": "false",
}


def _git(args: list[str], cwd: Path, config: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess | None:
    """Run git in cwd; None when git is not installed or cwd is not inside a repository.

    The settings go in through GIT_CONFIG_COUNT (not `-c`), so a name holding '=' stays
    a name; pathspecs are literal, so a file named ':(top)' or '*.yaml' is only that file.
    """
    if shutil.which("git") is None:
        return None
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1")
    settings = {**SAFE_CONFIG, **(config or {})}
    count = env.get("GIT_CONFIG_COUNT", "")
    start = int(count) if count.isdigit() else 0  # the user's own settings come first
    for index, (key, value) in enumerate(settings.items(), start=start):
        env[f"GIT_CONFIG_KEY_{index}"], env[f"GIT_CONFIG_VALUE_{index}"] = key, value
    env["GIT_CONFIG_COUNT"] = str(start + len(settings))
    try:
        result = subprocess.run(["git", "--no-pager", *args], cwd=cwd, env=env,
                                capture_output=True, timeout=60)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return result


def _repository_filters(cwd: Path) -> dict[str, str]:
    """Settings that switch off the filter drivers a repository's own configuration defines:
    `status` runs a file's clean filter to compare it with the index. Drivers from the
    user's own configuration (global, system; git-lfs installs there) stay as they are."""
    listed = _git(["config", "-z", "--show-scope", "--name-only", "--get-regexp",
                   r"^filter\."], cwd)
    if listed is None or listed.returncode != 0:
        return {}
    fields = listed.stdout.decode("utf-8", "replace").split("\0")
    off: dict[str, str] = {}
    for scope, name in zip(fields[0::2], fields[1::2], strict=False):
        if scope in ("local", "worktree") and name.count(".") >= 2:
            driver = name[len("filter."):name.rindex(".")]
            for key in ("clean", "smudge", "process"):
                off[f"filter.{driver}.{key}"] = ""  # an empty command is no filter
            off[f"filter.{driver}.required"] = "false"
    return off


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
    log = _git(["log", "-1", "--no-show-signature", "--format=%h %ct", "--", name], where)
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
    # No optional locks: status does not rewrite the index as it refreshes it.
    result = _git(["--no-optional-locks", "status", "--porcelain", "-z", "-uall",
                   "--ignore-submodules=all", "--", name], where, _repository_filters(where))
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


# What a revision may look like before git sees it: not an option ('-...'), no control
# characters. git itself then decides whether it names a commit.
_NOT_A_REVISION = re.compile(r"^-|[\x00-\x1f\x7f]")


def show(path: Path, revision: str, shown: str, limit: int) -> bytes:
    """The contents of a file at a git revision: the revision resolved to a commit first
    (`git rev-parse --verify --end-of-options REV^{commit}`), then the file's blob read by
    its commit hash (`git cat-file blob HASH:./file`: no textconv, no filters), if it is at
    most `limit` bytes: git packs repeated bytes so well that a small repository can hold a
    blob of gigabytes."""
    where = _folder(path)
    if repository(where) is None:
        raise CaseError([Problem(shown, None, None, "", f"{path.parent} is not in a git work tree",
                                 "a revision (FILE@REV) needs the file to be in git")])
    hint = "check the revision with: git log --oneline -- " + str(path)
    if _NOT_A_REVISION.search(revision):
        why = "starts with '-'" if revision.startswith("-") else "holds a control character"
        raise CaseError([Problem(shown, None, None, "", f"{revision!r} is not a revision: it "
                                 f"{why}", "name a commit, branch or tag after '@', e.g. "
                                 f"{path}@HEAD~1; " + hint)])
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                   f"{revision}^{{commit}}"], where)
    if commit is None or commit.returncode != 0:
        raise CaseError([Problem(shown, None, None, "", f"git has no version of {path.name} "
                                 f"at '{revision}' (no such commit)", hint)])
    full = commit.stdout.decode().strip()
    size = _git(["cat-file", "-s", f"{full}:./{path.name}"], where)
    if size is not None and size.returncode == 0 and int(size.stdout.strip() or 0) > limit:
        raise CaseError([Problem(shown, None, None, "", f"the file at '{revision}' is larger "
                                 f"than {limit:,} bytes",
                                 "a case file holds text and figures (the largest real ones "
                                 "are about 100 KB); check the revision")])
    result = _git(["cat-file", "blob", f"{full}:./{path.name}"], where)
    if result is None or result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if result \
            else []
        raise CaseError([Problem(shown, None, None, "",
                                 f"git has no version of {path.name} at '{revision}'"
                                 + (f" ({message[0]})" if message else ""), hint)])
    return result.stdout
