"""What `samdok status` prints: a case's standing as lines for people or as JSON for scripts."""

from __future__ import annotations

from typing import Any

from ..model.decisions import EARLIER, PENDING, SHOWN, Standing

# The JSON keys are a contract with scripts: add keys, never rename or remove one.
JSON_VERSION = 1


def as_json(case_id: str, file: str, state: Standing) -> dict[str, Any]:
    """One case's standing under stable keys (README: «Council decisions and status»)."""
    return {
        "case": case_id,
        "file": file,
        "known": state.known,
        "councils": [{
            "kommunenummer": c.number,
            "kommune": c.name,
            "state": c.state,
            "body": c.body,
            "date": c.date.isoformat() if c.date else None,
            "saksnr": c.case_number or None,
            "arkivsak": c.archive_case,
            "amendment": c.amendment or None,
            # adopted_earlier_text: the amendment that replaced the text it adopted
            "replaced_by": c.replaced_by or None,
            # pending, and its meeting is held: the outcome is not recorded
            "outcome_missing": c.outcome_missing,
        } for c in state.councils],
        "all_adopted": state.all_adopted,
        "last_adoption": state.last_adoption.isoformat() if state.last_adoption else None,
        "in_force": state.in_force,
        "effective_from": state.effective.isoformat() if state.effective else None,
        "left": list(state.left),
    }


def as_lines(case_id: str, file: str, state: Standing) -> list[str]:
    """One case's standing as text: a line per council, the verdict, then what is left."""
    lines = [f"{case_id} ({file})"]
    width = max((len(c.name) for c in state.councils), default=0)
    for c in state.councils:
        when = c.date.isoformat() if c.date else "?"
        meeting = f"{c.body} {when}" + (f", sak {c.case_number}" if c.case_number else "")
        what = SHOWN[c.state]
        if c.outcome_missing:
            what = f"meeting on {when} held; outcome not recorded ({meeting})"
        elif c.state == PENDING:
            what += f" (next: {meeting})"
        elif c.state == EARLIER:
            what += f" on {when}; must adopt the amended text ({meeting})"
        else:
            what += f" ({meeting})"
        if c.amendment:
            what += f": «{c.amendment}»"
        lines.append(f"  {c.name:<{width}}  {what}")
    if not state.known:
        verdict = "in force: cannot tell (no councils recorded)"
    elif not state.all_adopted:
        verdict = "in force: no (not every council has adopted it)"
    elif state.in_force is None:
        verdict = "in force: cannot tell (no commencement in the case)"
    elif state.in_force:
        verdict = f"in force: yes, since {state.effective.isoformat()}"
    else:
        verdict = f"in force: not yet, from {state.effective.isoformat()}"
    lines.append(f"  {verdict}")
    lines += [f"  left: {item}" for item in state.left]
    return lines
