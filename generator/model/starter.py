"""The starter case's placeholder texts: one list, used to write the starter (`samdok new`)
and to find what is left of it in a case (a warning in a draft, an error in a final case)."""

from __future__ import annotations

from ..errors import Problem
from .source import FieldPath, LoadedFile, dotted, texts

# Every text the starter writes for the secretariat to replace, per language, in «…». The
# check looks for these exact texts (whitespace and case aside), so a placeholder is found
# wherever it stands and however the rest of the text around it was edited, while a real
# text quoting something in «» is never taken for one. The bokmål texts are those every
# earlier version of the starter wrote: change them only by adding, so old cases stay found.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "nb": {
        "navn": "«Navnet på samarbeidet»",
        "representant": "«Navn»",
        "tjeneste": "«tjenesten avtalen gjelder, f.eks. barneverntjeneste»",
        "bakgrunn": "«Hvorfor kommunene samarbeider, og hva som er gjort før.»",
        "formål": "«Hva samarbeidet skal oppnå.»",
        "oppgave": "«Oppgave, med myndighet til å treffe vedtak i saker som ikke er av "
                   "prinsipiell betydning.»",
        "innskudd": "«Hva hver deltaker skyter inn eller betaler.»",
        "inntreden": "«Hvordan en ny kommune kan bli med.»",
        "rapportering": "«Hva samarbeidet rapporterer til deltakerkommunene om, og når.»",
        "myndighet": "«Hvilken myndighet samarbeidet får, eller at det ikke får myndighet til "
                     "å treffe vedtak.»",
        "arkivansvar": "«hvem som oppbevarer arkivene etter oppløsning»",
        "overføring": "«når oppgavene og myndigheten overføres, f.eks. når avtalen trer i "
                      "kraft»",
        "underretning": "«hvilke av vertskommunens vedtak deltakerkommunene skal "
                        "underrettes om»",
        "oppløsning": "«Hvordan samarbeidet avvikles, og hvordan eiendeler og forpliktelser "
                      "fordeles.»",
        "sted": "«Sted»",
        "sammendrag": "«Kort om saken, høyst fem linjer.»",
        "saksopplysninger": "«Fakta i saken: bakgrunn, lovgrunnlag og økonomi.»",
        "vurdering": "«Kommunedirektørens vurdering.»",
        "arkivsak": "«Arkivsaksnummer»",
        "saksbehandler": "«Saksbehandler»",
    },
    "nn": {
        "navn": "«Namnet på samarbeidet»",
        "representant": "«Namn»",
        "tjeneste": "«tenesta avtalen gjeld, t.d. barnevernsteneste»",
        "bakgrunn": "«Kvifor kommunane samarbeider, og kva som er gjort før.»",
        "formål": "«Kva samarbeidet skal oppnå.»",
        "oppgave": "«Oppgåve, med mynde til å gjere vedtak i saker som ikkje er av "
                   "prinsipiell betydning.»",
        "innskudd": "«Kva kvar deltakar skyt inn eller betaler.»",
        "inntreden": "«Korleis ein ny kommune kan bli med.»",
        "rapportering": "«Kva samarbeidet rapporterer til deltakarkommunane om, og når.»",
        "myndighet": "«Kva mynde samarbeidet får, eller at det ikkje får mynde til å gjere "
                     "vedtak.»",
        "arkivansvar": "«kven som oppbevarer arkiva etter oppløysing»",
        "overføring": "«når oppgåvene og mynda vert overførte, t.d. når avtalen tek til å "
                      "gjelde»",
        "underretning": "«kva for vedtak i vertskommunen deltakarkommunane skal "
                        "underrettast om»",
        "oppløsning": "«Korleis samarbeidet vert avvikla, og korleis eigedelar og "
                      "forpliktingar vert fordelte.»",
        "sted": "«Stad»",
        "sammendrag": "«Kort om saka, høgst fem liner.»",
        "saksopplysninger": "«Fakta i saka: bakgrunn, lovgrunnlag og økonomi.»",
        "vurdering": "«Vurderinga til kommunedirektøren.»",
        "arkivsak": "«Arkivsaksnummer»",
        "saksbehandler": "«Saksbehandlar»",
    },
}


def _plain(text: str) -> str:
    """Whitespace and case aside: a placeholder rewrapped in a block text is still found."""
    return " ".join(text.split()).casefold()


# Longest first, so «Navnet på samarbeidet» is named rather than a shorter text inside it;
# each with its plain form, made once (every text of every case checked is compared).
_ALL = [(text, _plain(text)) for text in sorted(
    {text for texts in PLACEHOLDERS.values() for text in texts.values()}, key=len, reverse=True)]


def leftovers(source: LoadedFile, final: bool) -> list[Problem]:
    """One problem per text of the case that still holds a starter placeholder: an error
    when the case is final (it would be printed, signed and archived), else a warning."""
    problems = []
    for path, value in texts(source.data):
        if "«" not in value:  # every placeholder begins with one (tests/model/test_check_truth.py)
            continue
        plain = _plain(value)
        found = next((text for text, placeholder in _ALL if placeholder in plain), None)
        if found is None:
            continue
        line, column = _located(source, path, found)
        if final:
            message = (f"the starter's placeholder {found} is still here, in a case marked "
                       "final (status: endelig)")
            hint = ("replace it with the case's own text; a final agreement is printed, "
                    "signed and archived as it stands")
        else:
            message = f"the starter's placeholder {found} is still here"
            hint = ("replace it with the case's own text before the agreement goes out; "
                    "samdok new wrote it to be replaced")
        problems.append(Problem(source.file, line, column, dotted(path), message, hint,
                                "error" if final else "warning"))
    return problems


def _located(source: LoadedFile, path: FieldPath, found: str) -> tuple[int | None, int | None]:
    """Line and column of the placeholder itself when the file shows it as written (in a
    block text it stands on a line below the key), else of the value that holds it."""
    line, column = source.where(path)
    if not source.text or line is None or column is None:
        return line, column
    lines = source.text.split("\n")

    def offset(position: tuple[int, int]) -> int:
        return sum(len(text) + 1 for text in lines[:position[0] - 1]) + position[1] - 1

    # Searched for up to where the next value of the file starts, so a placeholder is never
    # placed in another field. The opening words are enough: a rewrapped placeholder still
    # starts with them.
    later = [p for p in source.values.values() if p > (line, column)]
    end = offset(min(later)) if later else len(source.text)
    at = source.text.find(found[:12], offset((line, column)), end)
    if at < 0:
        return line, column
    before = source.text[:at]
    return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1
