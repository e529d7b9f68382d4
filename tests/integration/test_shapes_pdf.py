"""One LibreOffice round trip for the shapes of the required clauses: a framework agreement
that takes effect on adoption, leaves exit to the service agreements and states its economy
without amounts (with each council's submission), and a nynorsk host agreement with a date
conditional on adoption and the law's default notice. `samdok verify --strict` proves the
four required clauses in every PDF, and pdfplumber reads the sentences back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, invoke, pages

SHAPES = FIXTURES / "former-uten-tall"


@pytest.mark.libreoffice
def test_every_shape_builds_and_verify_proves_its_required_clauses(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    for case in SHAPES.glob("*.yaml"):
        shutil.copy(case, tmp_path / "cases" / case.name)
    built = invoke("build", "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stderr

    verified = invoke("verify", "--strict", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    framework = tmp_path / "build" / "grunnavtale-uten-tall"
    host = tmp_path / "build" / "vertskommune-lov-nn"
    for pdf in [*framework.glob("*.pdf"), *host.glob("*.pdf")]:
        assert f"ok  {pdf.relative_to(tmp_path)}" in verified.stdout, verified.stdout

    agreement = " ".join(pages(framework / "samarbeidsavtale.pdf"))
    assert ("Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har vedtatt "
            "den.") in agreement
    assert ("Uttreden fra et samarbeidsområde reguleres i tjenesteavtalen for området."
            in agreement)
    assert "Oppsigelsestid" not in agreement
    assert ("Hver deltakerkommune betaler et fast grunnbeløp, som fastsettes senere, og resten "
            "etter folketall.") in agreement
    assert "Fordelingen gir disse andelene" not in agreement and " % " not in agreement

    for number in ("3405", "3441"):
        text = " ".join(pages(framework / f"saksframlegg-{number}.pdf"))
        resolution = text.split("Kommunedirektørens forslag til vedtak")[1].split("Sammendrag")[0]
        assert ("Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har "
                "vedtatt den.") in resolution
        assert not re.search(r"\d{4}|\d %|kr \d", resolution), resolution
        assert "Avtalen binder ikke kommunen til noe beløp" in text

    nynorsk = " ".join(pages(host / "samarbeidsavtale.pdf"))
    assert ("Avtalen tek til å gjelde 1. mars 2027, men ikkje før kommunestyret i kvar av "
            "deltakarkommunane har vedteke han.") in nynorsk
    assert ("Ein deltakarkommune kan seie opp avtalen med eitt års varsel, jf. kommunelova "
            "§ 20-8 andre ledd. Uttredinga får verknad frå 1. januar.") in nynorsk
    assert "Kostnadene vert gjorde opp etter faktisk bruk" in nynorsk
