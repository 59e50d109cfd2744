"""Which shots the lab must not learn from, read from the rows the pipeline really writes to Ichor.

Echo's evaluation asset writes one report per film in one transaction: per-shot metric rows
(`shot_id` set, `passed` None), one row per gate (`shot_id` None, metric `gate:<name>`, `passed`
True/False) and one revision request per problem (`shot_id`, kind inpaint/tone/re-time). A gate
names no shot, so a failed gate is joined to its shots through the revision requests of the same
report whose kind is the gate's (`temporal_stability` -> inpaint, `look` -> tone, `beat_sync` ->
re-time, the mapping Echo's report uses). Only the film's latest report counts: a shot that was
re-rendered and passed is learned from again. Rows that name a shot and carry `passed=False`
themselves (a per-shot verdict) and shots a user rated at or below `max_bad_rating` (their latest
rating) are left out too. `Judgements` also carries the row ids it read: the run's data lineage.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from talos_assets.stores.ichor import EvaluationRow, IchorVault, RevisionRequestRow

# Echo's gate -> the revision kind its failing shots get (agents/evaluation/report.py build_report).
GATE_REVISION_KIND = {"temporal_stability": "inpaint", "look": "tone", "beat_sync": "re-time"}
GATE_PREFIX = "gate:"


class Judgements(BaseModel):
    """The verdicts the lab read: which (film, shot) pairs it leaves out and why, and which rows it read."""

    excluded: dict[str, str] = Field(default_factory=dict, description="'film/shot' -> why it is left out")
    evaluation_ids: list[int] = Field(default_factory=list, description="Ichor evaluation rows read")
    revision_ids: list[int] = Field(default_factory=list, description="revision requests joined to failed gates")
    rating_ids: list[int] = Field(default_factory=list, description="users' ratings read")

    def is_excluded(self, film_id: str, shot_id: str) -> bool:
        return f"{film_id}/{shot_id}" in self.excluded


def latest_report(rows: list[EvaluationRow]) -> tuple[list[EvaluationRow], list[EvaluationRow]]:
    """(rows of the film's latest report, rows before it), rows in id order. A report ends with its
    block of gate rows; the latest one starts after the previous report's last gate row."""
    is_gate = [r.shot_id is None and r.metric.startswith(GATE_PREFIX) for r in rows]
    if not any(is_gate):
        return rows, []
    last_gate = max(i for i, g in enumerate(is_gate) if g)
    # walk back over the latest gate block, then over the per-shot rows to the previous gate row
    i = last_gate
    while i > 0 and is_gate[i - 1]:
        i -= 1
    while i > 0 and not is_gate[i - 1]:
        i -= 1
    return rows[i:], rows[:i]


def _failed_by_gates(report: list[EvaluationRow], before: list[EvaluationRow],
                     revisions: list[RevisionRequestRow]) -> dict[str, tuple[str, int]]:
    """{shot_id: (why, revision id)} for shots with a request of a kind whose gate failed in `report`."""
    failed_kinds = {GATE_REVISION_KIND.get(r.metric[len(GATE_PREFIX):]): r.metric[len(GATE_PREFIX):]
                    for r in report if r.shot_id is None and r.metric.startswith(GATE_PREFIX) and r.passed is False}
    failed_kinds.pop(None, None)
    # Requests carry no report id. Echo writes a report in one transaction (IchorVault.record_report)
    # that stamps its rows and requests with one time, so the report's requests are no older than
    # its first row, and the previous report's were committed before it.
    since = min((r.created_at for r in report), default=None) if before else None
    out: dict[str, tuple[str, int]] = {}
    for req in revisions:
        if req.shot_id and req.kind in failed_kinds and (since is None or req.created_at >= since):
            out.setdefault(req.shot_id, (f"Echo gate {failed_kinds[req.kind]} failed: {req.reason}", req.id))
    return out


def read_judgements(vault: IchorVault, max_bad_rating: int = 2) -> Judgements:
    """What Echo and the users said about every film's shots; see the module docstring."""
    out = Judgements()
    for film_id in vault.film_ids():
        rows = vault.evaluations(film_id)
        out.evaluation_ids += [r.id for r in rows]
        report, before = latest_report(rows)
        for r in report:
            if r.shot_id and r.passed is False:
                out.excluded.setdefault(f"{film_id}/{r.shot_id}", f"Echo failed {r.metric} = {r.value:.3f}")
        for shot_id, (why, rid) in _failed_by_gates(report, before, vault.revisions(film_id)).items():
            out.excluded.setdefault(f"{film_id}/{shot_id}", why)
            out.revision_ids.append(rid)
        latest: dict[str, int] = {}
        for rating in vault.ratings(film_id):
            out.rating_ids.append(rating.id)
            latest[rating.shot_id] = rating.rating
        for shot_id, stars in latest.items():
            if stars <= max_bad_rating:
                out.excluded.setdefault(f"{film_id}/{shot_id}", f"a user rated it {stars}/5")
    return out
