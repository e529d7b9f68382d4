"""The host municipality's notice to statsforvalteren that a host cooperation is established
(kommuneloven § 20-4 femte ledd): a letter from the host, composed like the other documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import register
from ..model.case import LoadedCase
from .clauses import library
from .document import Document

KIND = "melding-statsforvalteren"

# The statsforvalter whose area holds each county (since 2024: one office for Oslo, Akershus,
# Buskerud and Østfold; one for Vestfold and Telemark; one for Troms and Finnmark).
OFFICES = {"Oslo": "Oslo og Viken", "Akershus": "Oslo og Viken", "Buskerud": "Oslo og Viken",
           "Østfold": "Oslo og Viken", "Vestfold": "Vestfold og Telemark",
           "Telemark": "Vestfold og Telemark", "Troms": "Troms og Finnmark",
           "Finnmark": "Troms og Finnmark"}


def office(county: str) -> str:
    """The statsforvalter's area for a county: «Innlandet», «Oslo og Viken» …"""
    return OFFICES.get(county, county)


def compose_notice(loaded: LoadedCase, templates: Path, agreement: Document) -> Document:
    """The host's letter: the participants, the tasks and authority transferred, and each
    council's decision, with the host's archive case number and case officer in its head."""
    from .enrich import compose_document, official_display

    case, lang = loaded.case, loaded.case.language
    lib = library(templates, KIND, lang)
    host = register.lookup(case.host)
    copy = case.submission.councils[host.number]
    recipient = f"{lib.labels['statsforvalteren']} {office(host.county)}"
    extra: dict[str, Any] = {
        "avtale": {"tittel": agreement.title, "type": lib.phrases["avtaletype"][agreement.kind]},
        "mottaker": recipient,
    }
    header = {"kommune": official_display(host), "mottaker": recipient,
              "arkivsak": copy.case_number, "saksbehandler": copy.officer}
    return compose_document(loaded, KIND, templates, extra, references=agreement.anchors,
                            header=header, title=lib.labels["melding_tittel"],
                            subtitle=case.title)
