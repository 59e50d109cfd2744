"""Ichor Vault: the studio's SQL database (SQLAlchemy 2; SQLite file by default, any URL such as
PostgreSQL). It holds films, their shots, palettes, emotion profiles, Echo's evaluations, revision
requests, Echo's reports, revision tickets and publications (their tables and methods in
`stores/tickets.py`), links to models Protoforge trained, the render service's failed runs (the step and the
error's first line), what each dailies contact sheet showed and users' 1-5 ratings of shots. Plain
Python: `resources.ichor.IchorResource` is its Dagster face. A store that cannot be read (a corrupt
`ichor.db`) raises `StoreError` with one sentence saying which file and what to do;
`IchorVault(url, create=False)` opens it read-only and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import (
    JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event, func, inspect,
    make_url, select, text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from talos_assets.revision_spec import MAX_ROUNDS, RevisionRequest
from talos_assets.spec import EMOTION_VA, Palette
from talos_assets.stores.ichor_base import Base, EvaluationRow, _now  # noqa: F401 (EvaluationRow is Ichor's)
from talos_assets.stores.tickets import (  # noqa: F401 (Echo's tables: created with the rest)
    EchoLedger, EvaluationReportRow, JudgedCheck, PublicationRow, RevisionTicketRow, settle_tickets,
)




class FilmRow(Base):
    __tablename__ = "films"
    film_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    story_path: Mapped[str] = mapped_column(Text)
    story_yaml: Mapped[str] = mapped_column(Text)
    fps: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    palette: Mapped[str] = mapped_column(String(64))
    film_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ShotRow(Base):
    __tablename__ = "shots"
    __table_args__ = (UniqueConstraint("film_id", "slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    shot_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    emotion: Mapped[str] = mapped_column(String(32))
    frames: Mapped[int] = mapped_column(Integer)
    plan_json: Mapped[str] = mapped_column(Text)
    render_dir: Mapped[str | None] = mapped_column(Text, nullable=True)


class PaletteRow(Base):
    __tablename__ = "palettes"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    swatches: Mapped[dict] = mapped_column(JSON)


class EmotionProfileRow(Base):
    __tablename__ = "emotion_profiles"
    emotion: Mapped[str] = mapped_column(String(32), primary_key=True)
    valence: Mapped[float] = mapped_column(Float)
    arousal: Mapped[float] = mapped_column(Float)


class RevisionRequestRow(Base):
    __tablename__ = "revision_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    shot_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ModelLinkRow(Base):
    __tablename__ = "model_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent: Mapped[str] = mapped_column(String(32))
    registered_name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(32))
    alias: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class RunFailureRow(Base):
    """A failed Dagster run, one row per failed step (step_key "run" when no step failed)."""

    __tablename__ = "run_failures"
    __table_args__ = (UniqueConstraint("run_id", "step_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64))
    job_name: Mapped[str] = mapped_column(String(128))
    step_key: Mapped[str] = mapped_column(String(128))
    error: Mapped[str] = mapped_column(Text)  # the error's first line: what the user reads
    film_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # no FK: an unregistered film fails too
    slot: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class RatingRow(Base):
    """A user's rating of one shot (1-5 and a note), beside Echo's scores; `shot_id` and `slot` are both
    kept so a rating survives a re-forge that renames the shot."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    shot_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(8))
    rating: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DailiesShotRow(Base):
    """One shot shown on one dailies contact sheet: the plan it had and the render that was shown."""

    __tablename__ = "dailies_shots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(8))
    day: Mapped[str] = mapped_column(String(10))
    plan_hash: Mapped[str] = mapped_column(String(64))
    render_storage_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the Dagster materialization shown
    sheet_path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


# Named palettes shipped with the studio; a story names one or gives its own hex list.
BUILTIN_PALETTES: dict[str, dict[str, str]] = {
    "bronze-dusk": {"line": "#2a1a12", "skin": "#e8b48a", "hair": "#5a3a2a", "coat": "#b8863b",
                     "accent": "#ffb347", "eye": "#2e6f8e", "sky": "#f2a66b", "ground": "#5b4a6e"},
    "sea-glass": {"line": "#15323b", "skin": "#f1cdb3", "hair": "#2b4150", "coat": "#4f9d9a",
                   "accent": "#f6e27f", "eye": "#1d3c6e", "sky": "#9fd8e0", "ground": "#2f6f73"},
    "ember-night": {"line": "#120a0a", "skin": "#d9a07e", "hair": "#1f1414", "coat": "#8f2d2d",
                     "accent": "#ff7a1a", "eye": "#f4d35e", "sky": "#2b1d3a", "ground": "#3a1f1f"},
    "spring-meadow": {"line": "#2d3a1f", "skin": "#f5d0a9", "hair": "#8a5a2b", "coat": "#6fb36a",
                       "accent": "#f28ab2", "eye": "#3d6bb3", "sky": "#bfe3f5", "ground": "#7fae4e"},
}


class UnknownPalette(ValueError):
    pass


class UnknownShot(ValueError):
    """A film or shot named by a user that Ichor does not hold (one sentence listing what it does hold)."""


class StoreError(ValueError):
    """A studio store that cannot be used as asked (unreadable, or written through a read-only open);
    the message is one sentence naming the store and what to do."""


def _sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _describe(url: str) -> str:
    path = _sqlite_file(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def _empty_engine() -> Engine:
    """An in-memory database with Ichor's tables and no rows: what a read-only open of a store that
    was never initialised (absent, or a 0-byte file) reads from, so the file itself is never touched."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}, future=True)
    Base.metadata.create_all(engine)
    return engine


def _open_engine(url: str, read_only: bool) -> Engine:
    path = _sqlite_file(url)
    if not read_only or path is None:
        connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
        return create_engine(url, connect_args=connect_args, future=True)
    if not path.is_file():
        return _empty_engine()
    # mode=ro: SQLite itself refuses every write, and never creates the file or its journal.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=30), future=True)


def _refuse_write(session: Session, flush_context, instances) -> None:
    raise StoreError(f"Ichor database {session.info['ichor']} was opened read-only; open it with IchorVault(url) to write.")


_SCHEMA_LOCK_KEY = 0x1C4012  # PostgreSQL advisory lock: one process at a time creates Ichor's tables


class IchorVault(EchoLedger):
    """The studio database behind one SQLAlchemy engine.

    `create=True` (every open that may write) creates missing tables and seeds the built-in palettes
    and emotion profiles. `create=False` is a read-only open for commands that promise to write
    nothing (`talos validate`): no table is created or seeded, a SQLite file is opened with mode=ro,
    writes raise StoreError, and a database without Ichor's tables (absent, 0 bytes) reads as empty.
    """

    def __init__(self, url: str, create: bool = True):
        self.url = url
        self.read_only = not create
        self.engine: Engine = _open_engine(url, self.read_only)
        with self._readable():
            if not create and not inspect(self.engine).has_table(FilmRow.__tablename__):
                self.engine.dispose()
                self.engine = _empty_engine()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={"ichor": _describe(url)})
        if self.read_only:
            event.listen(self._sessions, "before_flush", _refuse_write)
        else:
            self._create_and_seed()

    @contextmanager
    def _readable(self) -> Iterator[None]:
        """Turn SQLite's "file is not a database" (and the like) into one sentence; a locked or
        unreachable database (OperationalError) is left as it is, it is not the file's fault."""
        try:
            yield
        except DatabaseError as exc:
            if isinstance(exc, OperationalError):
                raise
            path = _sqlite_file(self.url)
            remedy = (f"move it aside (for example rename it to {path.name}.corrupt) and run again to start a new "
                    "studio database") if path is not None else "repair it or restore it from a backup"
            raise StoreError(f"Ichor database {_describe(self.url)} cannot be read ({exc.orig}); {remedy}.") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._readable(), self._sessions() as s:
            with s.begin():
                yield s

    def _create_and_seed(self) -> None:
        """Create missing tables and seed the built-in rows in one transaction; on PostgreSQL under a
        transaction-level advisory lock, so processes opening a new database at once (farm workers,
        two forges) take turns instead of failing on each other's CREATE TABLE or palette rows."""
        with self.session() as s:
            if self.engine.dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            Base.metadata.create_all(s.connection())
            if s.scalar(select(PaletteRow.name).limit(1)) is None:
                s.add_all(PaletteRow(name=n, swatches=sw) for n, sw in BUILTIN_PALETTES.items())
            if s.scalar(select(EmotionProfileRow.emotion).limit(1)) is None:
                s.add_all(EmotionProfileRow(emotion=e.value, valence=v, arousal=a) for e, (v, a) in EMOTION_VA.items())

    # ---- palettes ---------------------------------------------------------------------------
    def palette_names(self) -> list[str]:
        with self.session() as s:
            return sorted(s.scalars(select(PaletteRow.name)))

    def palette(self, name: str) -> Palette:
        with self.session() as s:
            row = s.get(PaletteRow, name)
            if row is None:
                raise UnknownPalette(name)
            return Palette(name=row.name, swatches=dict(row.swatches))

    def save_palette(self, palette: Palette) -> None:
        with self.session() as s:
            s.merge(PaletteRow(name=palette.name, swatches=palette.swatches))

    # ---- films and shots --------------------------------------------------------------------
    def register_film(self, film_id: str, title: str, story_path: str, story_yaml: str, fps: int,
                      width: int, height: int, palette: str, shots: list[dict]) -> None:
        """Insert or replace a film and its shot list (a re-forge replaces the plan, keeps evaluations)."""
        with self.session() as s:
            film = s.get(FilmRow, film_id)
            if film is None:
                film = FilmRow(film_id=film_id)
                s.add(film)
            film.title, film.story_path, film.story_yaml = title, story_path, story_yaml
            film.fps, film.width, film.height, film.palette = fps, width, height, palette
            existing = {r.slot: r for r in s.scalars(select(ShotRow).where(ShotRow.film_id == film_id))}
            keep = set()
            for shot in shots:
                row = existing.get(shot["slot"]) or ShotRow(film_id=film_id, slot=shot["slot"])
                for key in ("shot_id", "position", "description", "emotion", "frames", "plan_json"):
                    setattr(row, key, shot[key])
                s.add(row)
                keep.add(shot["slot"])
            for slot, row in existing.items():
                if slot not in keep:
                    s.delete(row)

    def film(self, film_id: str) -> FilmRow | None:
        with self.session() as s:
            return s.get(FilmRow, film_id)

    def film_ids(self) -> list[str]:
        with self.session() as s:
            return sorted(s.scalars(select(FilmRow.film_id)))

    def shots(self, film_id: str) -> list[ShotRow]:
        with self.session() as s:
            return list(s.scalars(select(ShotRow).where(ShotRow.film_id == film_id).order_by(ShotRow.position)))

    def set_shot_render(self, film_id: str, slot: str, render_dir: str) -> None:
        with self.session() as s:
            row = s.scalar(select(ShotRow).where(ShotRow.film_id == film_id, ShotRow.slot == slot))
            if row is not None:
                row.render_dir = render_dir

    def set_film_path(self, film_id: str, path: str) -> None:
        with self.session() as s:
            row = s.get(FilmRow, film_id)
            if row is not None:
                row.film_path = path

    # ---- evaluations ------------------------------------------------------------------------
    def record_evaluation(self, film_id: str, metric: str, value: float, shot_id: str | None = None,
                          passed: bool | None = None) -> None:
        with self.session() as s:
            s.add(EvaluationRow(film_id=film_id, shot_id=shot_id, metric=metric, value=float(value), passed=passed))

    def evaluations(self, film_id: str | None = None) -> list[EvaluationRow]:
        with self.session() as s:
            q = select(EvaluationRow).order_by(EvaluationRow.id)
            if film_id is not None:
                q = q.where(EvaluationRow.film_id == film_id)
            return list(s.scalars(q))

    def record_report(self, film_id: str, evaluations: list[tuple[str | None, str, float, bool | None]],
                      revisions: list[tuple[str | None, str, str]], *, report_id: str | None = None,
                      publishable: bool | None = None, blocked_by: list[str] = (),
                      judged: list[JudgedCheck] = (), requests: list[RevisionRequest] = (),
                      plan_digests: dict[str, str] | None = None, run_id: str | None = None,
                      max_rounds: int = MAX_ROUNDS) -> None:
        """Echo's whole report in one transaction (the one writer of Echo's rows): (shot_id, metric,
        value, passed) rows and (shot_id, kind, reason) requests; with a `report_id`, the report's
        own row, and its revision tickets settled (`settle_tickets`). A retried evaluation after a
        locked database never leaves half a report behind."""
        at = _now()  # one time for the whole report: its requests are never older than its rows
        with self.session() as s:
            rows = [EvaluationRow(film_id=film_id, shot_id=shot_id, metric=metric, value=float(value), passed=passed,
                                  created_at=at) for shot_id, metric, value, passed in evaluations]
            s.add_all(rows)
            s.add_all(RevisionRequestRow(film_id=film_id, shot_id=shot_id, kind=kind, reason=reason, created_at=at)
                      for shot_id, kind, reason in revisions)
            if report_id is None:
                return
            s.flush()
            ids = [r.id for r in rows]
            s.add(EvaluationReportRow(report_id=report_id, film_id=film_id, run_id=run_id,
                                      publishable=bool(publishable if publishable is not None else not blocked_by),
                                      blocked_by=list(blocked_by), first_row=min(ids, default=None),
                                      last_row=max(ids, default=None)))
            settle_tickets(s, film_id, report_id, judged, requests, plan_digests or {}, max_rounds)

    def record_revision(self, film_id: str, kind: str, reason: str, shot_id: str | None = None) -> None:
        with self.session() as s:
            s.add(RevisionRequestRow(film_id=film_id, shot_id=shot_id, kind=kind, reason=reason))

    def revisions(self, film_id: str) -> list[RevisionRequestRow]:
        with self.session() as s:
            return list(s.scalars(select(RevisionRequestRow).where(RevisionRequestRow.film_id == film_id)))

    # ---- users' ratings ----------------------------------------------------------------------
    def record_rating(self, film_id: str, shot: str, rating: int, note: str = "") -> RatingRow:
        """Store a user's 1-5 rating of a shot (named by shot id or slot); UnknownShot when the film or
        shot is not in Ichor, ValueError when the rating is outside 1-5."""
        if not 1 <= int(rating) <= 5:
            raise ValueError(f"rating {rating} for shot '{shot}' is outside 1-5; give a whole number from 1 to 5.")
        with self.session() as s:
            if s.get(FilmRow, film_id) is None:
                known = ", ".join(sorted(s.scalars(select(FilmRow.film_id)))) or "none yet"
                raise UnknownShot(f"film '{film_id}' is not in Ichor ({_describe(self.url)}); its films are: {known}.")
            rows = list(s.scalars(select(ShotRow).where(ShotRow.film_id == film_id).order_by(ShotRow.position)))
            row = next((r for r in rows if shot in (r.shot_id, r.slot)), None)
            if row is None:
                raise UnknownShot(f"film '{film_id}' has no shot '{shot}'; its shots are: "
                                  f"{', '.join(r.shot_id for r in rows) or 'none'}.")
            out = RatingRow(film_id=film_id, shot_id=row.shot_id, slot=row.slot, rating=int(rating), note=note or "")
            s.add(out)
            return out

    def ratings(self, film_id: str | None = None) -> list[RatingRow]:
        if self.read_only and not inspect(self.engine).has_table(RatingRow.__tablename__):
            return []  # a store written before ratings existed, opened without creating tables
        with self.session() as s:
            q = select(RatingRow).order_by(RatingRow.id)
            if film_id is not None:
                q = q.where(RatingRow.film_id == film_id)
            return list(s.scalars(q))

    def judgement_marks(self) -> tuple[int, int]:
        """(last evaluation row id, last rating id), 0 when none: the lab's training sensor counts
        new judgements past these marks."""
        with self.session() as s:
            return (s.scalar(select(func.max(EvaluationRow.id))) or 0, s.scalar(select(func.max(RatingRow.id))) or 0)

    def link_model(self, agent: str, registered_name: str, version: str, alias: str | None, metrics: dict) -> None:
        with self.session() as s:
            s.add(ModelLinkRow(agent=agent, registered_name=registered_name, version=version, alias=alias,
                               metrics=json.loads(json.dumps(metrics))))

    def model_links(self, agent: str | None = None) -> list[ModelLinkRow]:
        with self.session() as s:
            q = select(ModelLinkRow).order_by(ModelLinkRow.id)
            if agent:
                q = q.where(ModelLinkRow.agent == agent)
            return list(s.scalars(q))

    # ---- the render service ----------------------------------------------------------------
    def record_run_failure(self, run_id: str, job_name: str, step_key: str, error: str,
                           film_id: str | None = None, slot: str | None = None) -> bool:
        """Record one failed step of a run; False when it was already recorded (a sensor re-run)."""
        first_line = (error.strip().splitlines() or ["(no message)"])[0][:2000]
        with self.session() as s:
            seen = s.scalar(select(RunFailureRow.id).where(RunFailureRow.run_id == run_id, RunFailureRow.step_key == step_key))
            if seen is not None:
                return False
            s.add(RunFailureRow(run_id=run_id, job_name=job_name, step_key=step_key, error=first_line,
                                film_id=film_id, slot=slot))
            return True

    def run_failures(self, film_id: str | None = None) -> list[RunFailureRow]:
        with self.session() as s:
            q = select(RunFailureRow).order_by(RunFailureRow.id)
            if film_id is not None:
                q = q.where(RunFailureRow.film_id == film_id)
            return list(s.scalars(q))

    def record_dailies(self, film_id: str, day: str, sheet_path: str, shots: list[tuple[str, str, int | None]]) -> None:
        """What one dailies sheet showed: (slot, plan hash, render materialization storage id) per shot."""
        with self.session() as s:
            s.add_all(DailiesShotRow(film_id=film_id, slot=slot, day=day, plan_hash=plan_hash,
                                     render_storage_id=storage_id, sheet_path=sheet_path)
                      for slot, plan_hash, storage_id in shots)

    def last_dailies(self, film_id: str) -> dict[str, DailiesShotRow]:
        """Each slot's most recent dailies row (slots never shown in dailies are absent)."""
        with self.session() as s:
            rows = s.scalars(select(DailiesShotRow).where(DailiesShotRow.film_id == film_id).order_by(DailiesShotRow.id))
            return {row.slot: row for row in rows}
