"""samdok's signature policy: after the first signature, each revision may only add the next one.

pyHanko's difference analysis (DEFAULT_DIFF_POLICY) accepts a new signature field with an
appearance as "form filling", so a field painted over signed content passes it. samdok keeps
pyHanko's rules for what may change in a revision (its StandardDiffPolicy, without the rule
that lets other form fields be filled) and adds its own walk over the revisions: it compares
the signature fields of each revision with the one before, so a new field that is not the next
signature, a visible signature appearance, a second signature at once, and a removed or
replaced signature are each named with the revision that did it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Revisions are numbered for people from 1 (the file as first saved); pyHanko counts from 0.


@dataclass(frozen=True)
class SigField:
    """A signature field as one revision holds it."""

    name: str
    value: tuple[int, int] | None  # the reference of its signature object; None: unsigned
    page: int | None  # the page (from 1) it is drawn on; None: invisible


@dataclass(frozen=True)
class Finding:
    """One revision that does more than add the next signature."""

    revision: int  # pyHanko's number (from 0); shown as revision + 1
    text: str  # one plain line
    detail: str = ""  # pyHanko's own words, shown with -v


@dataclass(frozen=True)
class Review:
    """What each revision of a file did to its signatures."""

    revisions: int
    findings: list[Finding]
    introduced: dict[str, int]  # signature field name -> revision that filled it (last time)


def review(reader) -> Review:
    """Walk every revision after the first signature and report what it did beyond adding the
    next signature (see the module docstring)."""
    total = reader.xrefs.total_revisions
    states: list[dict[str, SigField] | None] = []
    findings: list[Finding] = []
    introduced: dict[str, int] = {}
    for revision in range(total):
        try:
            states.append(signature_fields(reader.get_historical_resolver(revision)))
        except Exception as exc:  # noqa: BLE001 - a hostile revision may break the reader anywhere
            states.append(None)
            findings.append(Finding(revision, "cannot be read", f"{type(exc).__name__}: {exc}"))
    first = next((r for r, s in enumerate(states) if s and any(f.value for f in s.values())),
                 None)
    for revision, state in enumerate(states):
        for field in (state or {}).values():
            before = states[revision - 1] if revision else None
            if field.value and not (before and field.name in before
                                    and before[field.name].value == field.value):
                introduced[field.name] = revision
    if first is None:
        return Review(total, findings, introduced)
    for revision in range(first + 1, total):
        old, new = states[revision - 1], states[revision]
        if old is None or new is None:
            continue  # already reported as unreadable
        reasons = _field_changes(old, new)
        detail = _pyhanko_objection(reader, revision)
        if detail:
            reasons.append("changes more than signature fields")
        if reasons:
            findings.append(Finding(revision, "; ".join(reasons), detail))
    findings.sort(key=lambda f: f.revision)
    return Review(total, findings, introduced)


def signature_fields(resolver) -> dict[str, SigField]:
    """The signature fields of one revision, filled or not, by name."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.diff_analysis.rules.form_field_rules import is_field_visible
    from pyhanko.sign.fields import enumerate_sig_fields

    pages = _page_numbers(resolver)
    fields = {}
    for name, _value, field_ref in enumerate_sig_fields(resolver):
        field = field_ref.get_object()
        raw = field.raw_get("/V") if "/V" in field else None
        value = None
        if isinstance(raw, generic.IndirectObject):
            value = (raw.idnum, raw.generation)
        elif raw is not None and raw.get_object():
            value = (-1, 0)  # a direct value: filled, though not as a signature should be
        page = None
        if is_field_visible(field):
            where = field.raw_get("/P") if "/P" in field else None
            page = pages.get((where.idnum, where.generation), 0) if isinstance(
                where, generic.IndirectObject) else 0
            if not page:
                page = _page_holding(resolver, pages, field_ref)
        fields[str(name)] = SigField(str(name), value, page)
    return fields


def _field_changes(old: dict[str, SigField], new: dict[str, SigField]) -> list[str]:
    """What a revision did to the signature fields, in words; empty when it added exactly one
    signature in an invisible field and touched no other signature field."""
    reasons = []
    for name, field in old.items():
        if field.value is None:
            continue
        if name not in new or new[name].value is None:
            reasons.append(f"removes the signature in field {name}")
        elif new[name].value != field.value:
            reasons.append(f"replaces the signature in field {name}")
    for name, field in new.items():
        if field.value is None and name not in old:
            reasons.append(f"adds the unsigned signature field {name}" + (
                f", drawn on page {field.page or '?'} (it can cover signed content)"
                if field.page is not None else ""))
    added = [f for name, f in new.items() if f.value and not (name in old and old[name].value)]
    for field in added:
        if field.page is not None:
            reasons.append(f"draws the signature in field {field.name} on page "
                           f"{field.page or '?'} (an appearance can cover signed content)")
    if not added:
        reasons.append("adds no signature")
    elif len(added) > 1:
        reasons.append(f"adds {len(added)} signatures at once ("
                       + ", ".join(f.name for f in added) + ")")
    return reasons


def _policy():
    """pyHanko's default policy without GenericFieldModificationRule: between signatures no
    form field but a signature field may change."""
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DocInfoRule,
        DSSCompareRule,
        FormUpdatingRule,
        MetadataUpdateRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        XrefStreamRule,
    )

    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[CatalogModificationRule(), DocInfoRule().as_qualified(lta),
                      XrefStreamRule().as_qualified(lta), ObjectStreamRule().as_qualified(lta),
                      DSSCompareRule().as_qualified(lta), MetadataUpdateRule().as_qualified(lta)],
        form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(),
                                                SigFieldModificationRule()]))


def _pyhanko_objection(reader, revision: int) -> str:
    """pyHanko's reason why `revision` changes more than its predecessor's signature fields
    allow, or "" when its rules accept the revision."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    try:
        result = _policy().apply(old=reader.get_historical_resolver(revision - 1),
                                 new=reader.get_historical_resolver(revision))
    except Exception as exc:  # noqa: BLE001 - SuspiciousModification, or a revision pyHanko
        # cannot even compare; either way the revision is not just a signature
        return f"{type(exc).__name__}: {exc}"
    if result.modification_level > ModificationLevel.FORM_FILLING:
        return f"pyHanko classes the revision as {result.modification_level.name}"
    return ""


def _page_numbers(resolver) -> dict[tuple[int, int], int]:
    """Page references of a revision -> page numbers from 1 (a bounded walk of the page
    tree: a hostile tree may loop)."""
    from pyhanko.pdf_utils import generic

    numbers: dict[tuple[int, int], int] = {}
    try:
        stack = [resolver.root.raw_get("/Pages")]
    except KeyError:
        return numbers
    seen = set()
    while stack and len(seen) < 100_000:
        ref = stack.pop()
        if not isinstance(ref, generic.IndirectObject):
            continue
        key = (ref.idnum, ref.generation)
        if key in seen:
            continue
        seen.add(key)
        node = ref.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        kids = node.get("/Kids") if "/Kids" in node else None
        if isinstance(kids, generic.ArrayObject):
            stack.extend(kids.raw_get(i) for i in reversed(range(len(kids))))
        else:
            numbers[key] = len(numbers) + 1
    return numbers


def _page_holding(resolver, pages: dict[tuple[int, int], int], field_ref) -> int:
    """The page whose /Annots lists the field, or 0."""
    from pyhanko.pdf_utils import generic

    target = (field_ref.idnum, field_ref.generation)
    for (idnum, generation), number in pages.items():
        page = resolver.get_object(generic.Reference(idnum, generation))
        annots = page.get("/Annots") if "/Annots" in page else None
        if isinstance(annots, generic.ArrayObject) and any(
                isinstance(a, generic.IndirectObject) and (a.idnum, a.generation) == target
                for a in (annots.raw_get(i) for i in range(len(annots)))):
            return number
    return 0
