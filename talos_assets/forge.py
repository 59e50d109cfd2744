"""`talos forge`: render a checked story through Dagster on the studio's instance.

The film is registered in Ichor and as a `films` partition; the checked plan is stored so `film_plan`
renders exactly what was checked; each shot's chain of assets (Prism -> Axis -> Flux -> Chroma ->
Raygen -> Stokes -> Anima) is one in-process run on its film/shot partition, and the film-level
assets (soundtrack, storyboard, timeline, film, evaluation) follow. Runs and materializations land
in the same instance the Dagster UI reads, so everything is inspectable and re-runnable there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talos_assets.checking import CheckedStory, ForgeError, check_story
from talos_assets.stores.studio import Delivery

__all__ = ["CheckedStory", "ForgeError", "ForgeOutcome", "check_story", "forge_film"]

# the progress bars are the user's view; Dagster's event log stays in the instance for the UI
_QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class ForgeOutcome:
    home: Path
    delivery: Delivery
    failed_gates: list[str]


def _slots_to_render(checked: CheckedStory, only_shots: list[str] | None) -> list[str]:
    plan = checked.plan
    if not only_shots:
        return [s.slot for s in plan.shots]
    by_id = {s.shot_id: s.slot for s in plan.shots}
    missing = [s for s in only_shots if s not in by_id]
    if missing:
        raise ForgeError(f"--shot '{missing[0]}' is not a shot of '{plan.film_id}'; its shots are {', '.join(by_id)}.")
    return [by_id[s] for s in only_shots]


def _first_failure(result) -> tuple[str, str]:
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    if failure is None:
        return "a step", "see the Dagster UI"
    error = failure.step_failure_data.error
    return failure.step_key, error.message.strip().splitlines()[0] if error else "see the Dagster UI"


def _failed_gates(result) -> list[str]:
    gates = []
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed:
            reason = e.event_specific_data.metadata.get("reason")
            gates.append(f"{e.event_specific_data.check_name}: {reason.value if reason else 'failed'}")
    return gates


def _register(checked: CheckedStory, store, instance, ichor_url: str) -> None:
    from talos_assets.stores.ichor import IchorVault

    plan, story = checked.plan, checked.story
    IchorVault(ichor_url).register_film(plan.film_id, story.title, str(checked.path), checked.text, story.fps,
                                        *story.resolution, palette=plan.palette.name, shots=[])
    store.write_checked_plan(plan)
    if not instance.has_dynamic_partition("films", plan.film_id):
        instance.add_dynamic_partitions("films", [plan.film_id])


def forge_film(checked: CheckedStory, only_shots: list[str] | None = None, console=None, instance=None) -> ForgeOutcome:
    """Render (or re-render `only_shots` of) a checked story on `instance` (default: the studio's)."""
    from rich.console import Console

    from talos_assets.home import prepare_home

    console = console or Console()
    slots = _slots_to_render(checked, only_shots)
    home = prepare_home()
    import dagster as dg

    from talos_assets.definitions import build_resources, defs

    resources = build_resources()
    store = resources["studio"].store()
    instance = instance or dg.DagsterInstance.get()
    _register(checked, store, instance, resources["ichor"].url)
    result = _run_film(checked, slots, list(defs.assets or []), resources, instance, console)
    failed_gates = _failed_gates(result)
    if not result.success and not failed_gates:
        step, detail = _first_failure(result)
        raise ForgeError(f"{step} failed for film '{checked.plan.film_id}': {detail}")
    if failed_gates:
        console.print("Echo gates failed: " + "; ".join(failed_gates), style="bold yellow", markup=False)
    return ForgeOutcome(home=home, delivery=store.delivery(checked.plan.film_id), failed_gates=failed_gates)


def _run_film(checked: CheckedStory, slots: list[str], all_assets: list, resources: dict, instance, console):
    """The plan, then every shot's chain, then the edit, with a progress bar per shot and agent."""
    import dagster as dg
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talos_assets import progress as progress_hook
    from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS
    from talos_assets.partitions import shot_key

    plan = checked.plan

    def run(selection: list, partition_key, must_succeed: bool = True):
        result = dg.materialize(all_assets, selection=selection, partition_key=partition_key, instance=instance,
                                resources=resources, raise_on_error=False, run_config=_QUIET)
        if must_succeed and not result.success:
            step, detail = _first_failure(result)
            raise ForgeError(f"{step} failed for {partition_key}: {detail}")
        return result

    labels = {s.slot: f"{s.slot} {s.shot_id}" for s in plan.shots}
    with Progress(TextColumn("{task.description:<48}", markup=False), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bars:
        film_task = bars.add_task(f"{plan.film_id}: Prism film plan", total=1)
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
            edit_task = bars.add_task(f"{plan.film_id}: Cuttura edit + Echo", total=1)
            result = run([a.key for a in FILM_ASSETS[1:]], plan.film_id, must_succeed=False)
            bars.update(edit_task, completed=1)
        finally:
            progress_hook.set_reporter(None)
    return result
