"""The same outputs byte for byte: every example case's Word files (draft and final) and its
Markdown, compared with hashes recorded in tests/word/golden/same_outputs.json.

The hashes were recorded before generator/ was reorganised into stage packages; a change to
code that moves or tidies must leave them as they are. When an output is meant to change
(a template, a clause text, the writer), record them again with one switch:

    SAME_OUTPUTS_RECORD=1 python -m pytest -q -p no:cacheprovider tests/word/test_same_outputs.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.build.pipeline import check_cases
from generator.compose import drafts
from generator.review.text import case_markdown
from generator.word.render_pool import _write
from tests.helpers import ROOT

GOLDEN = Path(__file__).resolve().parent / "golden" / "same_outputs.json"
RECORD = os.environ.get("SAME_OUTPUTS_RECORD") == "1"
CASES = sorted((ROOT / "cases").glob("*.yaml"))
# A fixed provenance: the outputs must not depend on the git state of the checkout.
WHEN = dt.datetime(2026, 3, 14, 9, 26, 53, tzinfo=dt.UTC)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _outputs(case: Path, folder: Path) -> dict[str, str]:
    """name -> sha256 of everything the Word writer and the text writer make of one case."""
    templates = ROOT / "templates"
    [checked] = check_cases([case], templates, strict=True, warn=lambda _: None)
    origin = drafts.Provenance(case, "a1b2c3d", False, None, WHEN)
    hashes = {"text.md": _sha(case_markdown(checked.documents).encode("utf-8"))}
    for document in checked.documents:
        for shape, shaped in (("draft", drafts.as_draft(document, origin)),
                              ("final", drafts.as_final(document))):
            path = folder / f"{document.file_stem}.{shape}.docx"
            _write((shaped, path, WHEN), templates)  # the writer, then the pinned dates
            hashes[path.name] = _sha(path.read_bytes())
    return hashes


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_outputs_are_the_recorded_bytes(case: Path, tmp_path: Path):
    found = _outputs(case, tmp_path)
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}
    if RECORD:
        recorded[case.stem] = found
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
        pytest.skip("recorded")
    assert case.stem in recorded, f"no recorded outputs for {case.stem}; see the docstring"
    assert found == recorded[case.stem]
