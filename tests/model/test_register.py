"""The register: look-up by number or any name form, ambiguous and unknown names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.model import register
from generator.model.norsk import NBSP
from generator.model.register import RegisterError, find, search
from tests.helpers import FIXTURES, invoke, write_case

# The Norwegian form of every name in the register that has more than one form or a county
# qualifier, reviewed by hand against the official forms. A new register in which such a name
# appears or changes fails here, so someone decides which form the running text uses.
NORWEGIAN_NAMES = {
    "0301": "Oslo", "1515": "Herøy", "1818": "Herøy", "1826": "Hattfjelldal", "1833": "Rana",
    "1841": "Fauske", "1845": "Sørfold", "1853": "Evenes", "1870": "Sortland",
    "1875": "Hamarøy", "3114": "Våler", "3419": "Våler", "5001": "Trondheim",
    "5006": "Steinkjer", "5007": "Namsos", "5025": "Røros", "5037": "Levanger",
    "5041": "Snåsa", "5043": "Røyrvik", "5503": "Harstad", "5512": "Tjeldsund",
    "5516": "Gratangen", "5518": "Lavangen", "5536": "Lyngen", "5538": "Storfjord",
    "5540": "Kåfjord", "5544": "Nordreisa", "5603": "Hammerfest", "5610": "Karasjok",
    "5612": "Kautokeino", "5622": "Porsanger", "5628": "Tana", "5636": "Nesseby",
}

# The Sami language administrative area: Norwegian name -> (number, the
# official form with the Sami name that headers show).
SAMI_AREA = {
    "Kautokeino": ("5612", "Guovdageaidnu - Kautokeino"),
    "Karasjok": ("5610", "Kárášjohka - Karasjok"),
    "Tana": ("5628", "Deatnu - Tana"),
    "Nesseby": ("5636", "Unjárga - Nesseby"),
    "Porsanger": ("5622", "Porsanger - Porsáŋgu - Porsanki"),
    "Kåfjord": ("5540", "Gáivuotna - Kåfjord - Kaivuono"),
    "Lavangen": ("5518", "Loabák - Lavangen"),
    "Tjeldsund": ("5512", "Dielddanuorri - Tjeldsund"),
    "Hamarøy": ("1875", "Hábmer - Hamarøy"),
    "Hattfjelldal": ("1826", "Aarborte - Hattfjelldal"),
    "Snåsa": ("5041", "Snåase - Snåsa"),
    "Røyrvik": ("5043", "Raarvihke - Røyrvik"),
    "Røros": ("5025", "Røros - Rosse"),
}


@pytest.mark.parametrize("query", ["Tana", "Deatnu", "Deatnu - Tana", "deatnu-tana",
                                   " DEATNU  –  tana ", "Tana - Deatnu", "Tana kommune",
                                   "5628", 5628])
def test_tana_by_number_and_every_name_form(query: object) -> None:
    assert find(query).number == "5628"


@pytest.mark.parametrize(("query", "number"), [
    ("Røros", "5025"), ("Rosse", "5025"), ("røros-rosse", "5025"),
    ("Rosse - Røros", "5025"),  # the order the register used until 2025
    ("5025", "5025"), (5025, "5025"), ("0301", "0301"), (301, "0301"), ("301", "0301"),
    ("Oslo", "0301"), ("Kaivuono", "5540"), ("porsáŋgu", "5622"),
    ("Herøy (Nordland)", "1818"), ("herøy nordland", "1818"), ("Aurskog Høland", "3226"),
])
def test_lookup(query: object, number: str) -> None:
    assert find(query).number == number
    assert register.lookup(query) == find(query)


def test_norwegian_name_of_every_multi_form_name() -> None:
    reviewed = {m.number: m.name for m in register.municipalities().values()
                if len(m.forms) > 1 or m.official_name != m.forms[0]}
    assert reviewed == NORWEGIAN_NAMES


def test_table_of_names_not_first_is_consistent_with_the_data() -> None:
    for number, name in register.NORWEGIAN_NOT_FIRST.items():
        forms = register.municipalities()[number].forms
        assert name in forms[1:], f"{number}: {name!r} is not a later form of {forms}"


@pytest.mark.parametrize("name", sorted(SAMI_AREA))
def test_sami_area_municipalities(name: str) -> None:
    number, official = SAMI_AREA[name]
    m = find(name)
    assert (m.number, m.name, m.official_name) == (number, name, official)
    assert len(m.forms) >= 2  # the Sami form is part of the official name


@pytest.mark.parametrize(("query", "message", "numbers"), [
    ("Herøy", "'Herøy' matches 1515 Herøy (Møre og Romsdal) and 1818 Herøy (Nordland)",
     ["1515", "1818"]),
    ("våler", "'våler' matches 3114 Våler (Østfold) and 3419 Våler (Innlandet)",
     ["3114", "3419"]),
])
def test_ambiguous_name_lists_the_candidates(query: str, message: str,
                                             numbers: list[str]) -> None:
    with pytest.raises(RegisterError) as caught:
        find(query)
    assert caught.value.message == message
    assert caught.value.hint == f"write the kommunenummer: {numbers[0]} or {numbers[1]}"
    assert [m.number for m in caught.value.candidates] == numbers


def test_every_ambiguous_name_in_the_register() -> None:
    # Only these names are shared; the register tells them apart by county in brackets.
    by_name: dict[str, list[str]] = {}
    for m in register.municipalities().values():
        for form in m.forms:
            by_name.setdefault(form.casefold(), []).append(m.number)
    shared = {name: numbers for name, numbers in by_name.items() if len(numbers) > 1}
    assert shared == {"herøy": ["1515", "1818"], "våler": ["3114", "3419"]}
    for name in shared:
        with pytest.raises(RegisterError, match="write the kommunenummer"):
            find(name)


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(RegisterError) as caught:
        find("Rørs")
    assert caught.value.message == "no municipality named 'Rørs'"
    assert caught.value.hint.startswith("did you mean 5025 Røros - Rosse")
    with pytest.raises(RegisterError) as caught:
        find("Kautokiano")
    assert "5612 Guovdageaidnu - Kautokeino" in caught.value.hint


@pytest.mark.parametrize(("query", "message"), [
    ("9999", "no municipality numbered '9999'"),
    (1, "no municipality numbered 1"),
    ("12345", "no municipality numbered '12345'"),
    ("xyzzy", "no municipality named 'xyzzy'"),
    ("", "the municipality is empty"),
    (True, "expected a kommunenummer or a municipality name, got True"),
    (None, "expected a kommunenummer or a municipality name, got None"),
])
def test_unknown_and_wrong_references(query: object, message: str) -> None:
    with pytest.raises(RegisterError) as caught:
        find(query)
    assert caught.value.message == message
    assert caught.value.hint
    assert register.lookup(query) is None


def test_search_ranks_exact_then_prefix_then_substring() -> None:
    found = [m.number for m in search("os")]
    assert found[:4] == ["3430", "0301", "4630", "5020"]  # Os; Oslo, Osterøy, Osen
    assert "3103" in found  # Moss: contains "os"
    assert [m.number for m in search("deatnu-tana")] == ["5628"]
    assert [m.number for m in search("Herøy")] == ["1515", "1818"]
    assert [m.number for m in search("301")] == ["0301"]
    assert {m.county for m in search("50")} == {"Trøndelag"}
    assert search("qqq") == []
    assert search("  ") == []


def test_kommune_command_prints_number_name_county_and_population(tmp_path: Path) -> None:
    result = invoke("kommune", "Røros", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.replace(NBSP, " ") == (
        "5025  Røros - Rosse  Trøndelag  folketall 5 685 per 1. januar 2024\n")


def test_kommune_command_lists_every_match_in_columns(tmp_path: Path) -> None:
    result = invoke("kommune", "herøy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.replace(NBSP, " ").splitlines() == [
        "1515  Herøy (Møre og Romsdal)  Møre og Romsdal  folketall 8 968 per 1. januar 2024",
        "1818  Herøy (Nordland)         Nordland         folketall 1 842 per 1. januar 2024",
    ]
    # Unquoted words are one query; a number finds its municipality too.
    assert invoke("kommune", "deatnu", "-", "tana", cwd=tmp_path).stdout.startswith(
        "5628  Deatnu - Tana  Finnmark")
    assert invoke("kommune", "301", cwd=tmp_path).stdout.startswith("0301  Oslo - Oslove")


def test_kommune_command_without_a_match_fails_with_suggestions(tmp_path: Path) -> None:
    result = invoke("kommune", "Rørs", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "no municipality matches 'Rørs'",
        "    hint: did you mean 5025 Røros - Rosse, 1856 Røst or 1520 Ørsta?",
    ]
    assert invoke("kommune", cwd=tmp_path).returncode == 2


def test_check_reports_an_ambiguous_party_in_a_case(tmp_path: Path) -> None:
    case = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    write_case(tmp_path / "cases", "c.yaml", case.replace("kommune: 3441", "kommune: Våler"))
    result = invoke("check", cwd=tmp_path)
    assert result.returncode == 1
    assert ("cases/c.yaml:7:14: parter[1].kommune: 'Våler' matches 3114 Våler (Østfold) and "
            "3419 Våler (Innlandet)\n    hint: write the kommunenummer: 3114 or 3419"
            ) in result.stderr


def test_the_command_line_loads_the_register_only_when_asked() -> None:
    # `samdok --help` and every command start fast: heavy modules load inside the commands.
    code = ("import sys, generator.cli; "
            "print(sorted(m for m in ('babel', 'pydantic', 'docxtpl', 'generator.model.register') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
