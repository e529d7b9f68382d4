"""Word templates checked without rendering: every tag must resolve against a real context."""

from __future__ import annotations

import re
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from jinja2 import TemplateSyntaxError, UndefinedError

from ..compose.document import Document
from ..compose.sandbox import Sandbox
from ..errors import TemplateError
from .context import template_context

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml$")


@cache
def template_source(path: Path) -> str:
    """The Jinja source docxtpl would see: the text of every paragraph of the body, headers
    and footers (runs joined, since Word splits text across runs), one line per paragraph."""
    lines = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if PARTS.match(n)):
            root = ElementTree.fromstring(archive.read(name))
            for paragraph in root.iter(f"{W}p"):
                lines.append("".join(t.text or "" for t in paragraph.iter(f"{W}t")))
    source = "\n".join(lines)
    # docxtpl's paragraph, row, cell and run tags ({%p, {%tr, {{p, ...) are plain Jinja tags
    # once their marker letter is dropped.
    source = re.sub(r"\{%-?\s*(?:p|tr|tc|r)\s", "{% ", source)
    return re.sub(r"\{\{-?\s*(?:p|r)\s", "{{ ", source)


@cache
def _compiled(source: str):
    """A template's tags compiled once: a submission to 357 councils checks it 357 times.
    The Word templates' sandbox (compose/sandbox.py), without the autoescaping docxtpl sets
    on the writer's."""
    return Sandbox().from_string(source)


def check_template(path: Path, document: Document) -> None:
    """Render the template's tags with this document's context; a tag that does not resolve
    (a misspelt variable, a broken tag) is a TemplateError naming the template."""
    try:
        source = template_source(path)
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise TemplateError(f"{path}: not a readable Word file ({exc})", hint="restore it "
                            "from git, or save it again as .docx") from None
    context = template_context(document, lambda table: "[tabell]")
    try:
        _compiled(source).render(context)
    except UndefinedError as exc:
        raise TemplateError(f"{path}: a tag uses something the template does not receive "
                            f"({exc.message})", hint="see 'Template variables' in README.md"
                            ) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: broken tag ({exc.message})", hint="every {{ needs "
                            "its }}, every {% its %}, and every for/if its end tag") from None
