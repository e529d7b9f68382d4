"""The values a Word template receives for a document model (no Word library needed here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..compose.document import Document, Table
from ..compose.sandbox import freeze


def template_context(document: Document, table: Callable[[Table], Any]) -> dict[str, Any]:
    """What the Word template sees: Norwegian names, everything already formatted.

    `table` turns a model table into what the template places with {{p blokk.tabell }} (the
    Word table's XML as markupsafe.Markup when rendering; a stand-in when only the tags are
    checked). The result is plain frozen data (sandbox.freeze), made anew for each document.
    """
    return dict(freeze({
        "tittel": document.title,
        "undertittel": document.subtitle,
        "utkast": document.draft_label,
        "utkaststempel": document.draft_stamp or document.draft_label,
        "vannmerke": document.watermark,
        "etiketter": document.labels,
        "topp": document.header,
        "sted_og_dato": document.place_and_date or document.labels.get("sted_og_dato", ""),
        "avtalt_sted": document.signing_place,
        "avtalt_dato": document.signing_date,
        "klausuler": [
            {
                "id": clause.id,
                "nummer": clause.number,
                "overskrift": clause.heading,
                "blokker": [_block(block, table) for block in clause.blocks],
            }
            for clause in document.clauses
        ],
        "underskrifter": [
            {"part": s.party, "navn": s.name, "tittel": s.title} for s in document.signatories
        ],
        # Empty: attached documents are not placed in the Word file; the build appends
        # their PDF to this one's. Kept for templates that loop over it.
        "vedlegg": [],
    }))


def _block(block, table: Callable[[Table], Any]) -> dict[str, Any]:
    if isinstance(block, Table):
        return {"type": block.kind, "tabell": table(block)}
    return {"type": block.kind, "tekst": block.text, "merke": getattr(block, "label", "")}
