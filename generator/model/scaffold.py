"""`samdok new`: a commented starter case for a cooperation form, from templates/ny/sak.yaml.j2."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..base import files
from ..errors import SamdokError
from . import caseid, costs, norsk, register, rules, starter

# The starter's comments, per language; the texts to replace are in starter.py, where the
# checks find them again.
NOTES: dict[str, dict[str, str]] = {
    "nb": {
        "ny_sak": "Ny sak for samdok",
        "laget": "Laget med `samdok new`. Bytt ut all tekst i «vinkelhaker» før avtalen sendes "
                 "på høring;",
        "kjør": "kjør",
        "etter_endring": "etter hver endring. Feltene er forklart i README.md.",
        "ordfører": "ordfører",
        "vertskommune": "Vertskommunen må være en av partene.",
        "oppgaver": "Oppgavene, og hvilken myndighet som legges til samarbeidet.",
        "per_deltaker": "per deltakerkommune, eller {kommunenummer: antall, ...}",
        "minst_tre": "minst tre",
        "prosent": "Prosent per deltaker; til sammen 100.",
        "låneadgang": "eller {tillatt: true, ramme: 10000000}",
        "rettssubjekt": "ja eller nei",
        "eller_likt": "eller likt",
        "budsjett": "kroner per år; andelene regnes ut",
        "uten_tall": "uten tall: bare prinsipper og/eller tekst, uten fordeling",
        "uttreden": "eller {lov: true} der loven har en oppsigelsesfrist, eller {tekst: …}",
        "ikrafttredelse": "eller vedtatt (når alle kommunestyrene har vedtatt den)",
        "saksframlegg": "Felles saksframlegg til kommunestyrene, med avtalen som vedlegg.",
        "kommuner": "Hver kommunes eget hode og behandling. Datoene er eksempler: rett dem.",
        "kommunestyret": "Kommunestyret",
        "samarbeidsavtale": "Samarbeidsavtale mellom",
        "tjenestekjøp": "Avtale om kjøp av tjenester mellom",
    },
    "nn": {
        "ny_sak": "Ny sak for samdok",
        "laget": "Laga med `samdok new`. Byt ut all tekst i «vinkelhaker» før avtalen vert "
                 "send på høyring;",
        "kjør": "køyr",
        "etter_endring": "etter kvar endring. Felta er forklarte i README.md.",
        "ordfører": "ordførar",
        "vertskommune": "Vertskommunen må vere ein av partane.",
        "oppgaver": "Oppgåvene, og kva mynde som vert lagt til samarbeidet.",
        "per_deltaker": "per deltakarkommune, eller {kommunenummer: tal, ...}",
        "minst_tre": "minst tre",
        "prosent": "Prosent per deltakar; til saman 100.",
        "låneadgang": "eller {tillatt: true, ramme: 10000000}",
        "rettssubjekt": "ja eller nei",
        "eller_likt": "eller likt",
        "budsjett": "kroner per år; delane vert rekna ut",
        "uten_tall": "utan tal: berre prinsipper og/eller tekst, utan fordeling",
        "uttreden": "eller {lov: true} der lova har ein oppseiingsfrist, eller {tekst: …}",
        "ikrafttredelse": "eller vedtatt (når alle kommunestyra har vedteke han)",
        "saksframlegg": "Felles saksframlegg til kommunestyra, med avtalen som vedlegg.",
        "kommuner": "Kvar kommune sitt eige hovud og handsaming. Datoane er døme: rett dei.",
        "kommunestyret": "Kommunestyret",
        "samarbeidsavtale": "Samarbeidsavtale mellom",
        "tjenestekjøp": "Avtale om kjøp av tenester mellom",
    },
}


def documents_for(form: str, submission: bool) -> list[str]:
    """The documents a starter case builds: buying a service is a service agreement."""
    agreement = "tjenesteavtale" if form == "tjenestekjøp" else "samarbeidsavtale"
    return [agreement, "saksframlegg"] if submission else [agreement]


def default_title(form: str, names: list[str], language: str = "nb") -> str:
    """"Samarbeidsavtale mellom Røros, Os og Holtålen", or for buying a service "Avtale om
    kjøp av tjenester mellom …"."""
    words = NOTES[language]["tjenestekjøp" if form == "tjenestekjøp" else "samarbeidsavtale"]
    return f"{words} {norsk.and_list(names, language)}"


def starter_case(templates: Path, form: str, parties: list[str], case_id: str, title: str,
                 file: str, today: dt.date | None = None, language: str = "nb",
                 submission: bool = False) -> str:
    """The text of a new case file: every field its documents require, with placeholders
    (starter.PLACEHOLDERS) in the case's language; with `submission`, the joint case
    submission to every council as well."""
    found = [register.find(p) for p in parties]
    documents = documents_for(form, submission)
    fields = {r.field for document in documents for r in rules.applicable(document, form)}
    # A form with a name rule gets its abbreviation after the placeholder, so the starter
    # meets the rule as it stands (kommuneloven § 18-1 tredje ledd and the like).
    abbreviation = next((r.name_rule.abbreviation for document in documents
                         for r in rules.listed(document, form) if r.name_rule), "")
    today = today or dt.date.today()
    shares = costs.largest_remainder(100, [Fraction(1, len(found))] * len(found))
    env = Environment(loader=FileSystemLoader(templates / "ny"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("sak.yaml.j2").render(
        id=case_id, tittel=title, form=form, felt=fields, forkortelse=abbreviation,
        parter=found, språk=language,
        dokumenter=documents, p=starter.PLACEHOLDERS[language], m=NOTES[language],
        andeler=list(zip(found, shares, strict=True)), fil=file, år=today.year + 1,
        ikrafttredelse=dt.date(today.year + 1, 1, 1).isoformat(),
        saksdato=today.isoformat(), møtedato=(today + dt.timedelta(days=30)).isoformat())


def write_new(path: Path, text: str, force: bool = False) -> None:
    """Write a new file whole (files.write_atomic: a link at path is replaced, never written
    through); never overwrite unless forced."""
    if (path.exists() or path.is_symlink()) and not force:
        raise SamdokError(f"{path} exists already", hint="choose another name with -o, "
                          "or add --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise SamdokError(f"{path}: cannot write ({exc.strerror})", hint="check the folder "
                          "and its permissions, or choose another file with -o") from None


def new_case(templates: Path, form: str, parties: list[str], case_id: str | None = None,
             title: str | None = None, output: str | None = None, language: str = "nb",
             submission: bool = False, force: bool = False) -> Path:
    """`samdok new`: the starter case for form and parties (numbers or names) written to
    output (default cases/<id>.yaml); its id from the first parties' names and its title
    from the form unless given. Returns where it was written."""
    found = [register.find(party) for party in parties]
    names = [m.name for m in found]
    case_id = case_id or caseid.slug(names[:3])
    title = title or default_title(form, names, language)
    path = Path(output or f"cases/{case_id}.yaml")
    text = starter_case(templates, form, [m.number for m in found], case_id, title, str(path),
                        language=language, submission=submission)
    write_new(path, text, force)
    return path
