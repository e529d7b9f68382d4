"""Whether a case's built outputs are what a build would make from its inputs now, untouched."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..base import files
from ..base.project import shown
from ..base.reproducible import sha256
from ..errors import OutputError
from . import leftovers, manifest, state

# What `samdok verify` says when a source recorded in manifest.json differs from now.
CHANGED = {
    "case": "the case file changed",
    "git": "the case file's git state changed (the draft stamp names its commit, or says it "
           "has uncommitted changes)",
    "SOURCE_DATE_EPOCH": "SOURCE_DATE_EPOCH changed (the documents' dates come from it)",
    "templates": "the templates changed (the Word templates or the clause texts)",
    "samdok": "samdok changed (its version, code, register or rules)",
}


@dataclass
class Verdict:
    """What a case folder says of itself against the inputs now. Empty lists: current."""

    built: bool = False  # a manifest, or at least one of the documents, is there
    stale: list[str] = field(default_factory=list)  # what changed since the build
    unknown: str = ""  # why what the outputs were built from cannot be told
    touched: dict[str, str] = field(default_factory=dict)  # output name -> what happened
    command: str = ""  # what to run to make the outputs current
    # Documents in the folder the case does not make now: name -> (what, hint).
    leftover: dict[str, tuple[str, str]] = field(default_factory=dict)


def command(case: Path, output: str, final: bool, force: bool = False) -> str:
    """The build command that makes the case's outputs current, ready to paste."""
    words = ["samdok", "build", *(["--final"] if final else []), *(["--force"] if force else []),
             shown(case), *(["-o", output] if Path(output) != Path("build") else [])]
    return " ".join(shlex.quote(word) for word in words)


def _read(folder: Path) -> dict | None:
    """manifest.json as a mapping, or None when it is missing, unreadable or not samdok's."""
    try:
        text = files.read_regular(folder / manifest.NAME, "manifest", "build again")
        data = json.loads(text or b"null")
    except (OSError, ValueError, OutputError):
        return None
    return data if isinstance(data, dict) else None


def _pairs(items, key: str) -> dict[str, str]:
    """A manifest list of {"path": …, "sha256": …} as path -> hash; anything else is left out."""
    found = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get(key), str) \
                and isinstance(item.get("sha256"), str):
            found[item[key]] = item["sha256"]
    return found


def check(case: Path, folder: Path, names: list[str], templates: Path, kinds: list[str],
          language: str, output: str) -> Verdict:
    """Compare the case folder's manifest with what the case's documents are made from now
    (the same sources the build records, state.BuildState.sources), and each output's bytes
    with the hash the manifest gives. `names` are the document files the case makes now."""
    verdict = Verdict()
    recorded = _read(folder)
    verdict.built = recorded is not None or any((folder / name).exists() for name in names)
    final = bool(recorded.get("final")) if recorded else False
    verdict.command = command(case, output, final)
    if not verdict.built:
        return verdict
    _leftovers(verdict, folder, names, _pairs(recorded.get("outputs"), "path")
               if recorded else None)
    sources = recorded.get("sources") if recorded else None
    if not isinstance(sources, dict) or not all(isinstance(sources.get(name), str)
                                                for name in manifest.SOURCE_NAMES):
        verdict.unknown = (f"{shown(folder / manifest.NAME)} "
                           + ("is missing or unreadable" if recorded is None
                              else "does not say what they were built from (an earlier "
                                   "samdok wrote it)"))
        return verdict
    now = {**state.build_sources(templates), **state.case_sources(case)}
    before_inputs = _pairs(recorded.get("inputs"), "path")
    now_inputs = {manifest.shown_path(path): sha256(path)
                  for path in manifest.inputs(case, templates, kinds, language)}
    changed_files = sorted(path for path, digest in now_inputs.items()
                           if before_inputs.get(path, digest) != digest)
    for name in manifest.SOURCE_NAMES:
        # Another LibreOffice makes a build run again (its PDFs may differ in layout), but it
        # does not make the documents say something else than the case: the PDF is read back
        # below either way, and a clerk may verify where no LibreOffice is installed.
        if name != "converter" and sources[name] != now[name]:
            verdict.stale.append(_describe(name, sources[name], now[name], case, changed_files,
                                           recorded.get("samdok")))
    outputs = _pairs(recorded.get("outputs"), "path")
    for name in names:
        if not (folder / name).exists():
            verdict.touched[name] = "not built yet"
        elif name not in outputs:
            verdict.touched[name] = f"not made by the build {manifest.NAME} records"
    for name, digest in outputs.items():
        path = folder / name
        if Path(name).name != name:  # the manifest only ever names files of the case folder
            verdict.touched[name] = "is not a file of the case folder"
        elif not path.is_file():
            verdict.touched.setdefault(name, "removed after the build")
        elif sha256(path) != digest:
            verdict.touched[name] = "changed after the build (its SHA-256 is not the one " \
                                    "manifest.json records)"
    if verdict.touched and not verdict.stale:
        # An output edited in place may keep its size and time, and the build trusts those.
        verdict.command = command(case, output, final, force=True)
    return verdict


def _leftovers(verdict: Verdict, folder: Path, names: list[str],
               outputs: dict[str, str] | None) -> None:
    """Documents that could be sent as the case's and are not what it makes now: one the last
    build made that the case no longer makes (the next build removes it), and one no build
    of the case recorded making (samdok leaves it alone: it may not be samdok's)."""
    if outputs is None:
        return  # no manifest to tell samdok's files by: said as STALE
    for name in outputs:
        if name not in names and name.lower().endswith(leftovers.DOCUMENT_SUFFIXES) \
                and os.path.lexists(folder / name) and Path(name).name == name:
            verdict.leftover[name] = ("the case does not make this document now (its last "
                                      "build did)", verdict.command)
    for name in leftovers.unlisted(folder, outputs):
        verdict.leftover[name] = (f"not made by the last build of the case ({manifest.NAME} "
                                  "does not list it)", f"remove it or move it out of "
                                  f"{shown(folder)}/: a build removes only the files its "
                                  f"previous build listed")


def _describe(name: str, before: str, now: str, case: Path, changed_files: list[str],
              version: object) -> str:
    text = CHANGED[name]
    if name == "case":
        return f"the case file {shown(case)} changed"
    if name in ("templates", "samdok"):
        inside = [path for path in changed_files if path != manifest.shown_path(case)
                  and (path.startswith("generator/") == (name == "samdok"))]
        if name == "samdok" and isinstance(version, str) and version != __version__:
            inside.insert(0, f"version {version} → {__version__}")
        return text + (f": {', '.join(inside)}" if inside else "")
    if name == "git":
        return text + f": {_git(before)} → {_git(now)}"
    if name == "SOURCE_DATE_EPOCH":
        return text + f": {before or 'unset'} → {now or 'unset'}"
    return text


def _git(recorded: str) -> str:
    try:
        commit, _, dirty = json.loads(recorded)
    except (ValueError, TypeError):
        return "unknown"
    where = f"commit {commit}" if commit else "not committed"
    return where + (" with changes" if dirty and commit else "")
