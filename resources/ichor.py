"""Ichor Vault: the studio's SQL database (SQLAlchemy 2; SQLite file by default, any URL such as
PostgreSQL). It holds films, their shots, palettes, emotion profiles, Echo's evaluations, revision
requests and links to models Protoforge trained. `IchorVault` is the plain store; `IchorResource`
is its Dagster face.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from typing import Iterator

import dagster as dg
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from talos_assets.spec import EMOTION_VA, Palette


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


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


class EvaluationRow(Base):
    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    film_id: Mapped[str] = mapped_column(ForeignKey("films.film_id", ondelete="CASCADE"))
    shot_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


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


class IchorVault:
    """The studio database behind one SQLAlchemy engine."""

    def __init__(self, url: str):
        self.url = url
        connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, future=True)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._seed()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s:
            with s.begin():
                yield s

    def _seed(self) -> None:
        with self.session() as s:
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

    def record_revision(self, film_id: str, kind: str, reason: str, shot_id: str | None = None) -> None:
        with self.session() as s:
            s.add(RevisionRequestRow(film_id=film_id, shot_id=shot_id, kind=kind, reason=reason))

    def revisions(self, film_id: str) -> list[RevisionRequestRow]:
        with self.session() as s:
            return list(s.scalars(select(RevisionRequestRow).where(RevisionRequestRow.film_id == film_id)))

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


class IchorResource(dg.ConfigurableResource):
    """Dagster resource for the Ichor Vault: `url` is any SQLAlchemy URL."""

    url: str

    def vault(self) -> IchorVault:
        return IchorVault(self.url)
