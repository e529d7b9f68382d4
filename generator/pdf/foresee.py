"""What `samdok verify` will require of the PDFs, checked on the document model by `samdok
check`, so a clause text that drops a required phrase fails before anything is built."""

from __future__ import annotations

from ..compose.document import Block, Clause, Document, Item, Paragraph, SubHeading, Table
from ..errors import Problem
from ..model.case import LoadedCase
from .verify import normalise, required_phrases

# A phrase is shown whole in a message up to this length, then cut.
SHOWN = 80


def unshown(loaded: LoadedCase, documents: list[Document]) -> list[Problem]:
    """One problem per phrase verify requires of a clause that the clause's text does not
    hold, and per required clause the document lacks; each at the case's text that decides
    it (the clause's replacement text in `klausuler`, where there is one)."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    form = loaded.case.form
    for document in documents:
        for clause_id, phrases in required_phrases(document, form).items():
            clause = document.clause(clause_id)
            if clause is None:
                if (clause_id, "") not in seen:
                    seen.add((clause_id, ""))
                    problems.append(loaded.source.problem(
                        (), f"the {document.kind} has no clause '{clause_id}', which the "
                        f"rules require for {form}", "check the clause library's 'når' "
                        "condition for it, and the case fields it depends on"))
                continue
            text = normalise(clause_text(clause))
            for phrase in phrases:
                # A case submission to every council repeats the same clause: say it once.
                if phrase in text or (clause_id, phrase) in seen:
                    continue
                seen.add((clause_id, phrase))
                problems.append(_dropped(loaded, document, clause, phrase))
    return problems


def _dropped(loaded: LoadedCase, document: Document, clause: Clause, phrase: str) -> Problem:
    shown = phrase if len(phrase) <= SHOWN else phrase[:SHOWN] + "…"
    message = (f"clause '{clause.id}' ({clause.numbered_heading}) does not say '{shown}', "
               "which samdok verify requires in it")
    from ..compose.outline import text_path

    path = text_path(loaded, clause.id) if document.kind != "saksframlegg" else None
    if path is not None:
        return loaded.source.problem(
            path, message,
            "keep that phrase in the replacement text (the standard text writes it with a "
            "placeholder), or add to the standard text with 'tillegg:' instead of replacing it")
    return loaded.source.problem(
        (), message, "the clause library's text for it does not write the phrase its 'bevis' "
        "asks for; check the project's templates/klausuler")


def clause_text(clause: Clause) -> str:
    """The clause as verify reads it in the PDF: its numbered heading, then every block."""
    return "\n".join([clause.numbered_heading, *(_block_text(b) for b in clause.blocks)])


def _block_text(block: Block) -> str:
    if isinstance(block, Table):
        return "\n".join(" ".join(row) for row in block.all_rows)
    if isinstance(block, Item):
        return f"{block.label} {block.text}"
    if isinstance(block, SubHeading):
        return f"{block.label} {block.text}".strip()
    return block.text if isinstance(block, Paragraph) else ""
