"""`samdok text` says what it reads when handed a PDF, instead of a YAML syntax error."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import invoke


def test_a_pdf_given_to_text_is_named_as_one(tmp_path: Path) -> None:
    pdf = tmp_path / "saksframlegg.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    result = invoke("text", str(pdf), cwd=tmp_path)
    assert result.returncode == 1
    assert "a PDF; samdok text reads case files and Word files" in result.stderr
    assert "YAML" not in result.stderr and "UTF-8" not in result.stderr
    assert "Traceback" not in result.stderr
