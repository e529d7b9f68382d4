"""The corpus of bad case files: each gives exit 1 and a message at its place with a hint,
never a traceback, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, invoke

BAD = FIXTURES / "feil"

# file -> the start of its first message after the file name: ":LINE:COL: field: message"
EXPECTED = {
    'andeler-ikke-100.yaml':
        ':10:41: økonomi.fordeling.andeler: the shares add up to 90 %, not 100 %',
    'andeler-mangler-part.yaml':
        ':10:41: økonomi.fordeling.andeler: no share for Gausdal (3441)',
    'bare-kommentarer.yaml':
        ': the file is empty',
    'budsjett-negativt.yaml':
        ':11:20: økonomi.budsjett[2027]: must be greater than 0',
    'budsjett-null.yaml':
        ':11:20: økonomi.budsjett[2027]: must be greater than 0',
    'budsjett-tekst.yaml':
        ":11:20: økonomi.budsjett[2027]: expected a whole number, got 'en million'",
    'dobbel-nokkel.yaml':
        ":8:1: tittel: duplicate key 'tittel' (first on line 3)",
    'dobbel-part.yaml':
        ':8:14: parter[2].kommune: Gausdal is listed twice as a party',
    'egen-tagg.yaml':
        ":8:9: formål: the YAML tag '!hemmelig' is not allowed in a case file",
    'en-part.yaml':
        ':6:3: parter: needs at least 2 item(s)',
    'feil-type-dato.yaml':
        ":14:17: ikrafttredelse: expected a date, got '1. januar 2027'",
    'feil-type-liste.yaml':
        ':6:3: parter: expected a list, got dict',
    'feil-type-tall.yaml':
        ":13:36: uttreden.oppsigelsestid_måneder: expected a whole number, got 'seks'",
    'feil-type-tekst.yaml':
        ':9:3: formål: expected text, got dict',
    'flette-nokkel.yaml':  # the anchor's key is unknown too; both are reported
        ":1:1: felles: warning: unknown key 'felles'",
    'folketall-uten-dato.yaml':
        ':8:16: parter[1].folketall: a population figure needs its date',
    'grunnandel-over-100.yaml':
        ':10:60: økonomi.fordeling.grunnandel: must be less than 100',
    'ikke-utf8.yaml':
        ':3: the file is not valid UTF-8',
    'ikrafttredelse-for-signering.yaml':
        ':14:17: ikrafttredelse: warning: takes effect on 2027-01-01, before it is signed',
    'jinja-python-internals.yaml':
        ":8:9: formål: not allowed in a placeholder (access to attribute '__class__' of '",
    'jinja-syntaksfeil.yaml':
        ":8:9: formål: expected token 'end of print statement', got 'skal'",
    'jinja-ukjent-plassholder.yaml':
        ":8:9: formål: unknown placeholder ('partene' is undefined)",
    'liste-overst.yaml':
        ':1:1: the top level must be a mapping of keys',
    'mangler-formal.yaml':
        ': formål: missing — samdoks minstekrav (README, «Cooperation forms and required c',
    'mangler-ikrafttredelse.yaml':
        ': ikrafttredelse: missing — samdoks minstekrav (README, «Cooperation forms and re',
    'mappe.yaml':
        ': is a folder, not a case file',
    'milliard-latter.yaml':
        ':1:56: f[1][7][8][6][5][8]: the file expands to more than 200,000 values (aliase',
    'ny-klausul-ukjent-etter.yaml':
        ":23:12: klausuler.arkiv.etter: no clause 'formåll' to place it after",
    'oppsigelsestid-null.yaml':
        ':13:36: uttreden.oppsigelsestid_måneder: must be greater than or equal to 1',
    'python-tagg.yaml':
        ":8:9: formål: the YAML tag '!!python/object/apply:os.system' is not allowed in a",
    'saksframlegg-mangler-kommune.yaml':
        ':25:5: saksframlegg.kommuner: no value for Gausdal',
    'saksframlegg-uten-avtale.yaml':
        ':4:13: dokumenter: a saksframlegg needs the agreement it proposes',
    'syntaks-innrykk.yaml':
        ':11:3: økonomi.fordeling: YAML syntax error: while parsing a block mapping: expe',
    'syntaks-krollparentes.yaml':
        ":13:11: uttreden: YAML syntax error: while parsing a flow mapping: expected ',' ",
    'syntaks-mangler-mellomrom.yaml':
        ":12:1: inntreden:Nye kommuner: warning: unknown key 'inntreden:Nye kommuner'",
    'syntaks-uavsluttet-sitat.yaml':
        ':8:9: formål: YAML syntax error: while scanning a quoted scalar: found unexpecte',
    'tabulator.yaml':
        ':7:1: parter.kommune: YAML syntax error: while scanning for the next token: foun',
    'tom-fil.yaml':
        ': the file is empty',
    'tvetydig-kommunenavn.yaml':
        ":7:14: parter[1].kommune: 'Herøy' matches 1515 Herøy (Møre og Romsdal) and 1818 ",
    'ugyldig-id.yaml':
        ":2:5: id: 'Røros og Os' is not allowed here",
    'ukjent-dokument.yaml':
        ":4:32: dokumenter[1]: 'protokoll' is not one of 'samarbeidsavtale', 'tjenesteavt",
    'ukjent-felt.yaml':
        ":8:1: merknad: warning: unknown key 'merknad'",
    'ukjent-klausul.yaml':
        ":20:3: klausuler.tvist: 'tvist' is not a standard clause id",
    'ukjent-kommunenavn.yaml':
        ":7:14: parter[1].kommune: no municipality named 'Gausdall'",
    'ukjent-kommunenummer.yaml':
        ':7:14: parter[1].kommune: no municipality numbered 9999',
    'ukjent-nokkel.yaml':
        ":10:23: økonomi.fordeling.nøkkel: 'folktall' is not one of 'likt', 'folketall', ",
    'ukjent-samarbeidsform.yaml':
        ":4:17: samarbeidsform: 'vertskommunesamarbeid' is not one of 'vertskommune', 've",
    'ukjent-sprak.yaml':
        ":4:8: språk: 'en' is not one of 'nb' or 'nn'",
    'umulig-dato.yaml':
        ":14:17: ikrafttredelse: '2027-02-30' is not a real date (day is out of range for",
    'uttreden-som-tekst.yaml':
        ":13:11: uttreden: expected a mapping (key: value lines), got 'Med seks måneders ",
    'vertskommune-ikke-part.yaml':
        ':15:15: vertskommune: Øyer is not a party to this agreement',
}
LOADS = ["bom.yaml", "crlf.yaml"]  # a byte-order mark and Windows line endings are fine


def test_the_corpus_is_large_and_complete() -> None:
    files = {p.name for p in BAD.iterdir()}
    assert len(EXPECTED) >= 40
    assert files == set(EXPECTED) | set(LOADS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_case_is_reported_at_its_place(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    source = BAD / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    result = invoke("build", "--strict", name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(name + EXPECTED[name]), first
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_missing_case_file_is_reported(tmp_path: Path) -> None:
    result = invoke("check", "nowhere.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("nowhere.yaml: file not found\n    hint:")


@pytest.mark.parametrize("name", LOADS)
def test_bom_and_crlf_load(tmp_path: Path, name: str) -> None:
    shutil.copy(BAD / name, tmp_path / name)
    result = invoke("check", "--strict", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_retroactive_agreement_is_only_a_warning(tmp_path: Path) -> None:
    name = "ikrafttredelse-for-signering.yaml"
    shutil.copy(BAD / name, tmp_path / name)
    result = invoke("check", name, cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: takes effect on 2027-01-01, before it is signed on 2027-03-01" in (
        result.stderr)
