"""The retention policy for working frames (`talos clean`): keep what re-editing needs, delete the rest.

A finished film (its film file delivered, every shot's final frames on disk) keeps: the deliveries
(`renders/<film>/`), the checked plan and plan, each shot's scene graph and camera plan (`scene/`),
key poses and key drawings (`keys/`), storyboard panel, final `render/` frames, the film's edit
files (soundtrack, beat grid, cuts), and the few `colored/` frames Echo's palette check samples.
With those, re-editing (timeline -> film -> evaluation) and re-rendering any one shot
(`talos forge --shot X`, which rebuilds that shot's whole chain) both work. It deletes the bulk:
in-betweens (line and region maps), colored, lit and effects layers. A film being rendered (its
lock held) or not finished is left alone.

A dailies preview film (`<film>--dailies`, defs/dailies.py) is never delivered: its shots' bulk
stages go as soon as their `render/` frames (what its contact sheet shows) are complete.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from talos_assets.stores.studio import Layer, MissingStageError, Stage, StudioStore

# the stage folders a finished film no longer needs, whole
DISPOSABLE_STAGES = (Stage.inbetweens, Stage.lit, Stage.effects)
# Echo's palette check (agents/evaluation/chroma.py, `chroma_palette_adherence(every=6)`) re-reads
# every 6th colored frame of each shot when the film is re-evaluated: those few are kept.
ECHO_COLORED_STRIDE = 6
DAILIES_PREVIEW_SUFFIX = "--dailies"  # the films the dailies render their previews as


@dataclass
class FilmCleaning:
    film_id: str
    freed_bytes: int = 0
    removed: list[Path] = field(default_factory=list)
    skipped: str = ""  # why nothing was removed, or ""


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def film_ids(store: StudioStore) -> list[str]:
    """The films this studio home has working folders for."""
    films = store.root / "films"
    return sorted(p.name for p in films.iterdir() if p.is_dir()) if films.is_dir() else []


def _preview_paths(store: StudioStore, film_id: str) -> list[Path]:
    """A dailies preview film's bulk stages, for each shot whose preview frames are all rendered."""
    out: list[Path] = []
    for shot in store.read_plan(film_id).shots:
        if all(p.exists() for p in store.frames(shot, Layer.render).paths()):
            out += [d for stage in (*DISPOSABLE_STAGES, Stage.colored)
                    if (d := store.stage_dir(film_id, shot.slot, stage)).exists()]
    return out


def disposable_paths(store: StudioStore, film_id: str) -> list[Path]:
    """What the policy deletes for a film (raises MissingStageError if the film is not finished)."""
    if film_id.endswith(DAILIES_PREVIEW_SUFFIX) and store.has_plan(film_id):
        return _preview_paths(store, film_id)
    if not store.delivery(film_id).film.exists():
        raise MissingStageError(f"film '{film_id}' has no delivered film yet")
    plan = store.read_plan(film_id)
    store.rendered_frames(plan)  # every shot's final frames present, or MissingStageError naming one
    out: list[Path] = []
    for shot in plan.shots:
        out += [d for stage in DISPOSABLE_STAGES if (d := store.stage_dir(film_id, shot.slot, stage)).exists()]
        colored = store.frames(shot, Layer.colored)
        sampled = {colored.path(f).name for f in range(0, shot.frames, ECHO_COLORED_STRIDE)}
        if colored.folder.is_dir():
            out += sorted(p for p in colored.folder.iterdir() if p.name not in sampled)
    return out


def clean_film(store: StudioStore, film_id: str, dry_run: bool = False) -> FilmCleaning:
    """Apply the policy to one film (the caller holds the film's lock); `dry_run` only measures."""
    report = FilmCleaning(film_id)
    try:
        paths = disposable_paths(store, film_id)
    except MissingStageError as exc:
        report.skipped = f"not finished ({exc})"
        return report
    except ValueError as exc:  # a folder that is not a film of this studio (an invalid id, a broken plan)
        report.skipped = str(exc)
        return report
    for path in paths:
        report.freed_bytes += _size(path)
        report.removed.append(path)
        if dry_run:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return report


def clean_films(store: StudioStore, films: list[str], dry_run: bool = False) -> list[FilmCleaning]:
    """Apply the policy to each film that no forge is rendering (its lock is taken, never waited for)."""
    from talos_assets.ops.locks import FilmBusy, film_is_busy, film_lock

    reports = []
    for film_id in films:
        if dry_run:  # a dry run writes nothing, not even a lock file: a probe is enough
            busy = film_is_busy(store.root, film_id)
            reports.append(FilmCleaning(film_id, skipped="a talos forge is rendering it") if busy
                           else clean_film(store, film_id, dry_run=True))
            continue
        try:
            with film_lock(store.root, film_id, wait_s=0):
                reports.append(clean_film(store, film_id))
        except FilmBusy:
            reports.append(FilmCleaning(film_id, skipped="a talos forge is rendering it"))
    return reports
