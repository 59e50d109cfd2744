"""`talos forge`: check a story without writing anything, then render it through Dagster.

The film is registered in Ichor and as a `films` partition on the studio's Dagster instance; each
shot's chain of assets (Prism -> Axis -> Flux -> Chroma -> Raygen -> Stokes -> Anima) is one
in-process run on its film/shot partition, and the film-level assets (soundtrack, storyboard,
timeline, film, evaluation) follow. Runs and materializations land in the same instance the
Dagster UI reads, so everything is inspectable and re-runnable there afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talos_assets.spec import FilmPlan, StorySpec
from talos_assets.story import StoryError, load_story, resolve_music, resolve_palette


class ForgeError(ValueError):
    """A user-facing failure: one sentence."""


@dataclass
class CheckedStory:
    path: Path
    text: str
    story: StorySpec
    plan: FilmPlan


@dataclass
class ForgeOutcome:
    home: Path
    film: Path
    storyboard: Path
    storyboard_pdf: Path
    timeline: Path
    edl: Path
    evaluation: Path
    failed_gates: list[str]


def _known_palettes():
    from resources.ichor import BUILTIN_PALETTES, IchorVault
    from resources.studio import studio_root
    from talos_assets.home import ichor_url
    from talos_assets.spec import Palette

    known = {n: Palette(name=n, swatches=sw) for n, sw in BUILTIN_PALETTES.items()}
    home = studio_root()
    if (home / "ichor.db").exists():  # palettes a user saved in this studio
        vault = IchorVault(ichor_url(home))
        known.update({n: vault.palette(n) for n in vault.palette_names()})
    return known


def check_story(path: Path) -> CheckedStory:
    """Validate everything a render needs; raises ForgeError, writes nothing."""
    from talos_assets.agents import direction
    from talos_assets.agents.key_animation import available_characters

    try:
        story, text = load_story(path)
        palette = resolve_palette(story, _known_palettes())
        music = resolve_music(story, path)
    except StoryError as exc:
        raise ForgeError(str(exc)) from None
    if music is not None:
        from talos_assets.agents.editing import probe_media

        try:  # a corrupt audio file is found now, not after every shot has rendered
            facts = probe_media(music)
        except ValueError:
            raise ForgeError(f"music file '{story.music.file}' cannot be decoded as audio; re-export it (wav, flac, mp3...).") from None
        if not facts.has_audio:
            raise ForgeError(f"music file '{story.music.file}' has no audio stream; give an audio file.")
    cast = set(available_characters())
    for i, shot in enumerate(story.shots):
        unknown = [c for c in shot.characters if c not in cast]
        if unknown:
            raise ForgeError(f"shots.{i}.characters: '{unknown[0]}' is not a character of this studio; use one of {', '.join(sorted(cast))}.")
    try:
        plan = direction.direct_film(story, palette, music_file=music, story_path=Path(path))
    except ValueError as exc:
        raise ForgeError(f"story '{Path(path).name}': {exc}.") from None
    from talos_assets.spec import MAX_SHOTS

    if len(plan.shots) > MAX_SHOTS:
        raise ForgeError(f"story '{Path(path).name}' has {len(plan.shots)} shots; a film holds at most {MAX_SHOTS}.")
    return CheckedStory(path=Path(path).resolve(), text=text, story=story, plan=plan)


def forge_film(checked: CheckedStory, only_shots: list[str] | None = None, console=None, instance=None) -> ForgeOutcome:
    """Render (or re-render `only_shots` of) a checked story on `instance` (default: the studio's)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talos_assets import progress as progress_hook
    from talos_assets.home import prepare_home

    console = console or Console()
    plan = checked.plan
    slots = [s.slot for s in plan.shots]
    if only_shots:
        by_id = {s.shot_id: s.slot for s in plan.shots}
        missing = [s for s in only_shots if s not in by_id]
        if missing:
            raise ForgeError(f"--shot '{missing[0]}' is not a shot of '{plan.film_id}'; its shots are {', '.join(by_id)}.")
        slots = [by_id[s] for s in only_shots]

    home = prepare_home()
    import dagster as dg

    from resources.ichor import IchorVault
    from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS, build_resources, defs
    from talos_assets.home import ichor_url
    from talos_assets.partitions import shot_key

    vault = IchorVault(ichor_url(home))
    story = checked.story
    vault.register_film(plan.film_id, story.title, str(checked.path), checked.text, story.fps, *story.resolution,
                        palette=plan.palette.name, shots=[])
    instance = instance or dg.DagsterInstance.get()
    if not instance.has_dynamic_partition("films", plan.film_id):
        instance.add_dynamic_partitions("films", [plan.film_id])

    all_assets = list(defs.assets or [])
    resources = build_resources()

    # the progress bars are the user's view; Dagster's event log stays in the instance for the UI
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}

    def run(selection: list, partition_key) -> None:
        result = dg.materialize(all_assets, selection=selection, partition_key=partition_key, instance=instance,
                                resources=resources, raise_on_error=False, run_config=quiet)
        if not result.success:
            failure = next((e for e in result.all_events if e.is_step_failure), None)
            detail = failure.step_failure_data.error.message.strip().splitlines()[0] if failure and failure.step_failure_data.error else "see the Dagster UI"
            step = failure.step_key if failure else "a step"
            raise ForgeError(f"{step} failed for {partition_key}: {detail}")

    labels = {s.slot: f"{s.slot} {s.shot_id}" for s in plan.shots}
    with Progress(TextColumn("{task.description:<48}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bars:
        film_task = bars.add_task(f"[bold]{plan.film_id}[/]: Prism film plan", total=1)
        run([a.key for a in FILM_ASSETS[:1]], plan.film_id)
        bars.update(film_task, completed=1)
        tasks = {slot: bars.add_task(f"{labels[slot]}: waiting", total=1) for slot in slots}

        def report(stage: str, label: str, done: int, total: int) -> None:
            task = tasks.get(label)
            if task is not None:
                bars.update(task, description=f"{labels[label]}: {stage}", completed=done, total=max(1, total))

        progress_hook.set_reporter(report)
        try:
            for slot in slots:
                run([a.key for a in SHOT_ASSETS], shot_key(plan.film_id, slot))
                bars.update(tasks[slot], description=f"{labels[slot]}: rendered")
            edit_task = bars.add_task(f"[bold]{plan.film_id}[/]: Cuttura edit + Echo", total=1)
            result = dg.materialize(all_assets, selection=[a.key for a in FILM_ASSETS[1:]], partition_key=plan.film_id,
                                    instance=instance, resources=resources, raise_on_error=False, run_config=quiet)
            bars.update(edit_task, completed=1)
        finally:
            progress_hook.set_reporter(None)

    failed_gates = [
        f"{e.event_specific_data.check_name}: {e.event_specific_data.metadata.get('reason').value if e.event_specific_data.metadata.get('reason') else 'failed'}"
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]
    if not result.success:
        failure = next((e for e in result.all_events if e.is_step_failure), None)
        if failure is not None and not failed_gates:
            msg = failure.step_failure_data.error.message.strip().splitlines()[0] if failure.step_failure_data.error else ""
            raise ForgeError(f"{failure.step_key} failed for film '{plan.film_id}': {msg}")
    from talos_assets.defs.editing import delivery_paths

    paths = delivery_paths(plan.film_id, Path(resources["studio"].renders))
    if failed_gates:
        console.print("[bold yellow]Echo gates failed:[/] " + "; ".join(failed_gates))
    return ForgeOutcome(home=home, film=paths["film"], storyboard=paths["storyboard"], storyboard_pdf=paths["storyboard_pdf"],
                        timeline=paths["timeline"], edl=paths["edl"],
                        evaluation=paths["evaluation"], failed_gates=failed_gates)
