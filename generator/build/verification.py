"""`samdok verify` for built cases: are the outputs what the inputs make now, and does every
PDF hold what its document requires."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..base.project import shown
from . import freshness
from .pipeline import Checked

# Where a line goes: its text, and whether it reports a failure (stderr) or success (stdout).
Say = Callable[[str, bool], None]


def verify_built(checked: list[Checked], output: str, templates: Path, jobs: int,
                 say: Say) -> int:
    """Verify the built documents of each checked case in output/<case-id>/, saying a line
    per finding and per document that passed; the number of documents that failed.

    Documents built from other inputs than there are now are not read: what they say is not
    what the case says now. A document changed after the build fails; every PDF is read back
    for each required clause and checked for the archive."""
    from ..pdf.verify import verify_documents

    failures = 0
    for item in checked:
        folder, documents = Path(output) / item.loaded.id, item.documents
        names = [f"{d.file_stem}{suffix}" for d in documents for suffix in (".docx", ".pdf")]
        verdict = freshness.check(item.loaded.path, folder, names, templates,
                                  [d.kind for d in documents], item.loaded.case.language,
                                  output)
        hint = verdict.command
        for name, (what, remedy) in verdict.leftover.items():
            say(f"LEFTOVER {shown(folder / name)}: {what}; hint: {remedy}", True)
        # Counted as documents: each is one a clerk could send by mistake.
        failures += len({Path(name).stem for name in verdict.leftover})
        if verdict.unknown:
            say(f"STALE    {shown(folder)}/: cannot tell what these documents were built "
                f"from: {verdict.unknown}; hint: {hint}", True)
            failures += len(documents)
            continue
        if verdict.stale:
            say(f"STALE    {shown(folder)}/: built from other inputs than there are "
                f"now: {'; '.join(verdict.stale)}; hint: {hint}", True)
            failures += len(documents)
            continue
        for name, what in verdict.touched.items():
            if (folder / name).with_suffix(".pdf").exists():  # else "not built yet" below
                say(f"CHANGED  {shown(folder / name)}: {what}; hint: {hint}", True)
        for document, (pdf, findings) in zip(documents, verify_documents(
                documents, item.loaded.case.form, folder, hint, jobs), strict=True):
            for finding in findings:
                say(f"MISSING  {finding}", True)
            if findings or {pdf.name, f"{document.file_stem}.docx"} & set(verdict.touched):
                failures += 1
            else:
                say(f"ok  {shown(pdf)}: built from the inputs as they are now; every "
                    "required clause found; PDF/A-2b, tagged", False)
    return failures
