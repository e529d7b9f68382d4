"""Files read and written safely: reads bounded in size, one atomic write (temporary + fsync +
rename), exclusive temporaries, no symlinks followed."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError

# An output folder may come from a repository written by others: a link committed in place of
# the lock, the state file or a case folder would make a build write wherever it points.
# Windows has no O_NOFOLLOW; there the lstat checks before opening are what remains.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO in place of a file must not hang the open
_BINARY = getattr(os, "O_BINARY", 0)


def _found(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be read ({exc.strerror})", hint="check the path "
                          "and its permissions, or use -o") from None


def _kind(path: Path, info: os.stat_result) -> str:
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        try:
            return f"a symbolic link (to {os.readlink(path)})"
        except OSError:
            return "a symbolic link"
    return ("a folder" if stat.S_ISDIR(mode) else "a file" if stat.S_ISREG(mode)
            else "a special file")


def _refusal(path: Path, what: str, info: os.stat_result, expected: str,
             hint: str) -> OutputError:
    return OutputError(f"{path}: {what} is {_kind(path, info)}, not {expected}; samdok writes "
                       "only inside its output folder and follows no links there", hint=hint)


def check_output(out: Path, folders: Iterable[str] = (), names: Iterable[str] = ()) -> None:
    """Refuse (OutputError) an output folder that is a link or no folder, and any of the
    `folders` in it (case folders) or files `names` (lock, state) that is a link or something
    else than it should be. What does not exist yet is fine: samdok makes it."""
    info = _found(out)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise _refusal(out, "the output folder", info, "a folder",
                       f"pass the real folder with -o {os.path.realpath(out)}, if that is "
                       "where the documents belong")
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{out}: cannot write the output folder (it is {_kind(out, info)}, "
                          "not a folder)", hint="remove it, or choose another output folder "
                          "with -o")
    if info is None:
        return
    for name in folders:
        found = _found(out / name)
        if found is not None and not stat.S_ISDIR(found.st_mode):
            raise _refusal(out / name, "the case folder", found, "a folder",
                           f"remove {out / name}; samdok makes the folder again")
    for name in names:
        found = _found(out / name)
        if found is not None and not stat.S_ISREG(found.st_mode):
            raise _refusal(out / name, "samdok's own file", found, "a file",
                           f"remove {out / name}; samdok makes it again")


def open_regular(path: Path, flags: int, what: str, hint: str) -> int:
    """os.open that never follows a link at path (and, with O_CREAT, never creates through
    one), and refuses (OutputError) anything but a regular file."""
    try:
        handle = os.open(path, flags | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _BINARY, 0o666)
    except OSError:
        info = _found(path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise _refusal(path, what, info, "a file", hint) from None
        raise
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise _refusal(path, what, info, "a file", hint)
    return handle


def read_regular(path: Path, what: str, hint: str) -> bytes | None:
    """The bytes of a regular file, None if there is none; a link or another kind of file
    is refused (OutputError)."""
    try:
        handle = open_regular(path, os.O_RDONLY, what, hint)
    except FileNotFoundError:
        return None
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


def create_exclusive(path: Path, data: bytes, sync: bool = False) -> None:
    """Write a new file; fails (FileExistsError) if anything, a link included, is there.
    sync=True: on the disk before returning."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
                     | _BINARY, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace path with data at once: a new temporary beside it, created exclusively, synced,
    then renamed over path. A crash leaves the old file or the new one, and a link at path is
    replaced itself, never written through. `mode`: the new file's permissions (default:
    those of a new file, under the umask). OSError on failure, with nothing left behind."""
    # Not tempfile.mkstemp: its files are private (0600), and a state file or a new case
    # file in a shared folder should get the permissions of any new file.
    for _ in range(100):  # a name taken already (a leftover, or planted) is never opened
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            create_exclusive(temporary, data, sync=True)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(17, "no free name for a temporary file", str(path.parent))
    try:
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_at_most(path: Path, limit: int) -> bytes:
    """A file's first limit + 1 bytes at most: more than limit means too large, and a huge
    file (or /dev/zero) is never read whole into memory. OSError is the caller's to report."""
    with path.open("rb") as file:
        return file.read(limit + 1)
