"""Echo's ledger in Ichor: one row per evaluation report (its id, whether the film may be published,
the evaluation rows it wrote), revision tickets (a request as work: open -> running -> fixed or
given up, one round per claim, at most MAX_ROUNDS per shot and plan) and publications.

`settle_tickets` runs inside the report's transaction: a running ticket gets its after score and
closes fixed when its check passes, else goes back to open with the next round's revision, or is
given up once its rounds are spent; a failing check with no live ticket opens one, unless the
shot's rounds for this plan are spent or the same check was given up. `IchorVault` inherits the
methods of `EchoLedger`.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from talos_assets.revision_spec import MAX_ROUNDS, RevisionRequest
from talos_assets.stores.ichor_base import Base, EvaluationRow, _now


class EvaluationReportRow(Base):
    """One Echo report: its id, whether the film may be published, and the evaluation rows it wrote
    (ids first_row..last_row, inserted in the report's one transaction)."""

    __tablename__ = "evaluation_reports"
    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    publishable: Mapped[bool] = mapped_column()
    blocked_by: Mapped[list] = mapped_column(JSON, default=list)
    first_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class RevisionTicketRow(Base):
    """A revision request as work: opened by Echo, claimed by the `revise_shots` sensor (one round
    per claim), closed by a later evaluation as fixed or given up. `history` keeps every round's
    revision, scores and run."""

    __tablename__ = "revision_tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    shot_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    agent: Mapped[str] = mapped_column(String(32))
    check: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    limit: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    revision: Mapped[dict] = mapped_column(JSON)
    report_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    plan_digest: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | running | fixed | given-up
    round: Mapped[int] = mapped_column(Integer, default=0)  # rounds claimed so far
    before_score: Mapped[float] = mapped_column(Float)
    after_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    run_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    edit_run_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    history: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class PublicationRow(Base):
    """A film published after an evaluation with no failed ERROR check."""

    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    report_id: Mapped[str] = mapped_column(String(36))
    film_path: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JudgedCheck(NamedTuple):
    """One check of one shot as a report judged it."""

    slot: str
    shot_id: str
    check: str
    value: float
    passed: bool


LIVE = ("open", "running")


def next_attempt(tickets: list[RevisionTicketRow], slot: str, check: str) -> int:
    """Which attempt at (slot, check) a revision made now is: 1 for a new ticket, one more than the
    rounds its live ticket has had (its fix escalates with it). The shot's rounds are capped apart."""
    live = [t for t in tickets if t.slot == slot and t.check == check and t.status in LIVE]
    if not live:
        return 1
    return len(live[-1].history) + (2 if live[-1].status == "running" else 1)


def _round_entry(t: RevisionTicketRow, after: float, report_id: str) -> dict:
    before = t.history[-1]["after"] if t.history and "after" in t.history[-1] else t.before_score
    return {"round": t.round, "revision": t.revision, "before": before, "after": after, "run_id": t.run_id,
            "report_id": report_id}


def settle_tickets(s: Session, film_id: str, report_id: str, judged: list[JudgedCheck], requests: list[RevisionRequest],
                   plan_digests: dict[str, str], max_rounds: int = MAX_ROUNDS) -> None:
    """Apply one report's verdicts to the film's tickets (see the module docstring)."""
    tickets = list(s.scalars(select(RevisionTicketRow).where(RevisionTicketRow.film_id == film_id)
                             .order_by(RevisionTicketRow.id)))
    wanted = {(r.slot, r.check): r for r in requests}
    live = {(t.slot, t.check): t for t in tickets if t.status in LIVE}
    for j in judged:
        key = (j.slot, j.check)
        t = live.get(key)
        if t is not None:
            if t.status == "running":
                t.history = [*t.history, _round_entry(t, j.value, report_id)]
                t.after_score = j.value
                if j.passed:
                    t.status = "fixed"
                elif t.round >= max_rounds or key not in wanted:
                    t.status = "given-up"
                else:
                    req = wanted[key]
                    t.status, t.value, t.reason, t.report_id = "open", j.value, req.reason, report_id
                    t.kind, t.agent, t.revision = req.kind, req.agent, req.revision.model_dump(mode="json")
            elif j.passed:  # open and never run, and the check passes now (a re-forge, a re-edit)
                t.status, t.after_score = "fixed", j.value
            continue
        if j.passed or key not in wanted:
            continue
        digest = plan_digests.get(j.slot, "")
        same_plan = [t for t in tickets if t.slot == j.slot and t.plan_digest == digest]
        if any(t.check == j.check and t.status == "given-up" for t in same_plan):
            continue
        used = max((t.round for t in same_plan), default=0)
        if used >= max_rounds:
            continue
        req = wanted[key]
        s.add(RevisionTicketRow(film_id=film_id, shot_id=j.shot_id, slot=j.slot, kind=req.kind, agent=req.agent,
                                check=j.check, value=j.value, limit=req.limit, reason=req.reason,
                                revision=req.revision.model_dump(mode="json"), report_id=report_id,
                                plan_digest=digest, status="open", round=used, before_score=j.value, history=[]))


class EchoLedger:
    """Echo's reports, tickets and publications: methods `IchorVault` inherits (it provides `session`)."""

    def report(self, report_id: str) -> EvaluationReportRow | None:
        with self.session() as s:
            return s.get(EvaluationReportRow, report_id)

    def reports(self, film_id: str) -> list[EvaluationReportRow]:
        with self.session() as s:
            return list(s.scalars(select(EvaluationReportRow).where(EvaluationReportRow.film_id == film_id)
                                  .order_by(EvaluationReportRow.created_at)))

    def report_rows(self, report_id: str) -> list[EvaluationRow]:
        """The evaluation rows one report wrote."""

        with self.session() as s:
            rep = s.get(EvaluationReportRow, report_id)
            if rep is None or rep.first_row is None:
                return []
            return list(s.scalars(select(EvaluationRow).where(EvaluationRow.id.between(rep.first_row, rep.last_row))
                                  .order_by(EvaluationRow.id)))

    # ---- revision tickets -------------------------------------------------------------------
    def tickets(self, film_id: str | None = None, status: str | None = None) -> list[RevisionTicketRow]:
        with self.session() as s:
            q = select(RevisionTicketRow).order_by(RevisionTicketRow.id)
            if film_id is not None:
                q = q.where(RevisionTicketRow.film_id == film_id)
            if status is not None:
                q = q.where(RevisionTicketRow.status == status)
            return list(s.scalars(q))

    def claim_tickets(self, ids: list[int], run_key: str, applied: dict | None = None, max_rounds: int = MAX_ROUNDS) -> int:
        """Mark open tickets running for one more round under `run_key`, with `applied` (the shot's
        revision as written beside it) recorded on each; returns the round, 0 when none could be
        claimed (another tick took them, or their rounds are spent: given up)."""
        with self.session() as s:
            rows = [r for r in s.scalars(select(RevisionTicketRow).where(RevisionTicketRow.id.in_(ids)))
                    if r.status == "open"]
            if not rows:
                return 0
            next_round = max(r.round for r in rows) + 1
            if next_round > max_rounds:
                for r in rows:
                    r.status = "given-up"
                return 0
            for r in rows:
                r.round, r.status, r.run_key, r.run_id, r.edit_run_key = next_round, "running", run_key, None, None
                r.revision = applied if applied is not None else r.revision
            return next_round

    def set_ticket_run(self, ids: list[int], run_id: str | None = None, edit_run_key: str | None = None,
                       failed: str | None = None) -> None:
        """Note a claimed round's run, the film's re-edit requested for it, or give up after a run
        that failed (`failed`: its first line)."""
        with self.session() as s:
            for r in s.scalars(select(RevisionTicketRow).where(RevisionTicketRow.id.in_(ids))):
                r.run_id = run_id or r.run_id
                r.edit_run_key = edit_run_key or r.edit_run_key
                if failed:
                    r.status = "given-up"
                    r.history = [*r.history, {"round": r.round, "revision": r.revision, "failed": failed[:500]}]

    # ---- publication ------------------------------------------------------------------------
    def record_publication(self, film_id: str, report_id: str, film_path: str, digest: str) -> None:
        with self.session() as s:
            s.add(PublicationRow(film_id=film_id, report_id=report_id, film_path=film_path, digest=digest))

    def publications(self, film_id: str) -> list[PublicationRow]:
        with self.session() as s:
            return list(s.scalars(select(PublicationRow).where(PublicationRow.film_id == film_id).order_by(PublicationRow.id)))
