"""The law's default for a participant's withdrawal (`uttreden: {lov: true}`): which forms
have one, its citation from the rule data, and the located error where the law sets none."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .rules import forms
from .source import LoadedFile

# The statutes' short names in nynorsk (the rule data cites in bokmål).
NYNORSK = {"kommuneloven": "kommunelova", "IKS-loven": "IKS-lova"}


def default_citation(form: str, documents: list[str], language: str = "nb") -> str | None:
    """The statute whose default notice period governs withdrawal from this agreement, or
    None: only the agreement that establishes a form with such a default is governed by it
    (a service agreement under an existing IKS is not the selskapsavtale IKS-loven § 30
    speaks of)."""
    about = forms().get(form) or {}
    citation = about.get("uttreden_lov")
    if not citation or not any(d in (about.get("etableres_ved") or []) for d in documents):
        return None
    if language == "nn":
        for bokmål, nynorsk in NYNORSK.items():
            citation = citation.replace(bokmål, nynorsk)
    return citation


def check_withdrawal(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """`lov: true` where the statute sets no default for the form is an error, with what to
    write instead."""
    withdrawal, form = data.get("uttreden"), data.get("samarbeidsform")
    documents = data.get("dokumenter", ["samarbeidsavtale"])
    if (not isinstance(withdrawal, dict) or withdrawal.get("lov") is not True
            or form not in forms() or not isinstance(documents, list)):
        return []
    if default_citation(form, [d for d in documents if isinstance(d, str)]):
        return []
    about = forms()[form]
    if about.get("uttreden_lov"):
        establishing = ", ".join(about["etableres_ved"])
        message = (f"{about['uttreden_lov']} sets the default for withdrawal from the "
                   f"agreement that establishes the cooperation ({establishing}), which this "
                   "case does not build")
    else:
        message = (f"the law sets no default notice period for withdrawal from "
                   f"'{form}' ({about['navn']}), so 'lov: true' has nothing to state")
    return [source.problem(
        ("uttreden", "lov"), message,
        "write 'oppsigelsestid_måneder: N', or say in 'tekst' how a participant withdraws "
        "(e.g. that each service agreement regulates it)")]
