"""`talos forge`: render a checked story through Dagster on the studio's instance.

The film is registered in Ichor and as a `films` partition; the checked plan is stored so `film_plan`
renders exactly what was checked; each shot's chain of assets (Prism -> Axis -> Flux -> Chroma ->
Raygen -> Stokes -> Anima) is one in-process run on its film/shot partition, and the film-level
assets (soundtrack, storyboard, timeline, film, evaluation) follow. Runs and materializations land
in the same instance the Dagster UI reads, so everything is inspectable and re-runnable there.

Faults survived (talos_assets/ops/): the instance is created and partitions registered under a
home-wide lock; a film renders under its own lock (a second forge of it waits, then says who is
busy); temp files a killed forge left are swept, its runs left STARTED are failed; the disk is
checked against a measured estimate before anything renders; environment failures inside a step
(a full disk) surface as one sentence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from talos_assets.checking import CheckedStory, ForgeError, check_story
from talos_assets.ops.disk import DiskSpaceError, check_free_space
from talos_assets.ops.errors import instance_problem, explain_error_info
from talos_assets.ops.locks import FilmBusy, busy_films, film_lock, instance_lock
from talos_assets.ops.sweep import sweep_stale_temps
from talos_assets.stores.studio import Delivery

__all__ = ["CheckedStory", "ForgeError", "ForgeOutcome", "check_story", "forge_film", "studio_instance"]

# the progress bars and one sentence per failure are the user's view; Dagster's event log (step
# failures with their tracebacks) stays in the instance for the UI, and reaches stderr only with --debug
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
_DEBUG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class ForgeOutcome:
    home: Path
    delivery: Delivery
    failed_gates: list[str]
    published: bool = True  # False when one of Echo's ERROR gates failed: the film was not published
    blocked_by: list[str] = field(default_factory=list)  # those gates, with what failed where


def _slots_to_render(checked: CheckedStory, only_shots: list[str] | None) -> list[str]:
    plan = checked.plan
    if not only_shots:
        return [s.slot for s in plan.shots]
    by_id = {s.shot_id: s.slot for s in plan.shots}
    missing = [s for s in only_shots if s not in by_id]
    if missing:
        raise ForgeError(f"--shot '{missing[0]}' is not a shot of '{plan.film_id}'; its shots are {', '.join(by_id)}.")
    return [by_id[s] for s in only_shots]


def _raise_failure(result, where: str) -> None:
    """One sentence for a failed run: the environment's (a full disk...) when that is the cause (Dagster
    wraps it in DagsterExecutionStepExecutionError), else the failed step's own first line."""
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    error = failure.step_failure_data.error if failure is not None else None
    if error is None:
        raise ForgeError(f"a step failed for {where}: see the Dagster UI (`talos ui`).")
    sentence = explain_error_info(error)
    if sentence:
        raise ForgeError(sentence)
    first_line = (error.message.strip().splitlines() or ["see the Dagster UI"])[0]
    raise ForgeError(f"{failure.step_key} failed for {where}: {first_line}")


def _failed_gates(result, only_errors: bool = False) -> list[str]:
    """'gate: reason' for each failed check of the run (`only_errors`: those of ERROR severity, which
    keep the film from being published)."""
    gates = []
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed:
            if only_errors and e.event_specific_data.severity.value != "ERROR":
                continue
            reason = e.event_specific_data.metadata.get("reason")
            gates.append(f"{e.event_specific_data.check_name}: {reason.value if reason else 'failed'}")
    return gates


def _register(checked: CheckedStory, store, instance, ichor_url: str, home: Path) -> None:
    from talos_assets.stores.ichor import IchorVault

    plan, story = checked.plan, checked.story
    # check-then-add (and Ichor's first create-and-seed) race between forges: one at a time
    with instance_lock(home):
        IchorVault(ichor_url).register_film(plan.film_id, story.title, str(checked.path), checked.text, story.fps,
                                            *story.resolution, palette=plan.palette.name, shots=[])
        if not instance.has_dynamic_partition("films", plan.film_id):
            instance.add_dynamic_partitions("films", [plan.film_id])
    store.write_checked_plan(plan)


def studio_instance(home: Path):
    """The studio's Dagster instance, created (its tables, its migrations) by one process at a time."""
    import os

    import dagster as dg

    problem = instance_problem(Path(os.environ.get("DAGSTER_HOME", home / "dagster")))
    if problem:
        raise ForgeError(problem)
    from talos_assets.defs.pools import apply_pool_limits

    with instance_lock(home):
        instance = dg.DagsterInstance.get()
        apply_pool_limits(instance)  # Stokes, Anima and mastering share the machine: limits live in the instance
        return instance


def _prepare_film(checked: CheckedStory, slots: list[str], store, home: Path, console) -> None:
    """Under the film's lock: sweep what a killed forge left, then check the disk holds the render."""
    started = time.time()
    plan = checked.plan
    roots = [store.root / "films" / plan.film_id, store.renders / plan.film_id]
    if not busy_films(home, except_film=plan.film_id):
        roots.append(store.root / "aether")  # shared by every film: only when no other forge writes it
    swept = sweep_stale_temps(roots, started_before=started)
    if swept:
        console.print(f"swept {len(swept)} temp file(s) a stopped forge left (e.g. {swept[0].name})",
                      style="dim", markup=False, highlight=False)
    check_free_space(plan, slots, home, store.renders)


def _recover(instance, console) -> None:
    from talos_assets.ops.recovery import fail_orphaned_runs

    for orphan in fail_orphaned_runs(instance):
        console.print(f"run {orphan.run_id[:8]} ({orphan.partition or 'no partition'}) was left STARTED by a "
                      f"stopped talos forge (pid {orphan.pid}): marked failed", style="yellow", markup=False,
                      highlight=False)


def plan_in_process(checked: CheckedStory, instance, resources: dict, run_config: dict | None = None) -> None:
    """The forge's first step for code that renders stories in its own process (the lab's generated
    films, the benches, the farm test): register the checked story in Ichor and on the instance, store
    its checked plan and materialize `film_plan`; the shots are then the caller's to render."""
    import dagster as dg

    from talos_assets.definitions import FILM_ASSETS, defs

    _register(checked, resources["studio"].store(), instance, resources["ichor"].url, Path(resources["studio"].root))
    result = dg.materialize(list(defs.assets or []), selection=[FILM_ASSETS[0].key], partition_key=checked.plan.film_id,
                            instance=instance, resources=resources, run_config=run_config or _QUIET, raise_on_error=False)
    if not result.success:
        _raise_failure(result, checked.plan.film_id)


def forge_film(checked: CheckedStory, only_shots: list[str] | None = None, console=None, instance=None,
               wait_s: float = 30.0, debug: bool = False) -> ForgeOutcome:
    """Render (or re-render `only_shots` of) a checked story on `instance` (default: the studio's);
    waits up to `wait_s` seconds for another forge of the same film; `debug` prints failed steps' logs."""
    from rich.console import Console

    from talos_assets.home import prepare_home
    from talos_assets.settings import SettingsError

    console = console or Console()
    slots = _slots_to_render(checked, only_shots)
    try:
        home = prepare_home()
    except SettingsError as exc:
        raise ForgeError(str(exc)) from None
    from talos_assets.definitions import build_resources, defs

    resources = build_resources()
    store = resources["studio"].store()

    def waiting(message: str) -> None:
        console.print(message, style="yellow", markup=False, highlight=False)

    try:
        with film_lock(home, checked.plan.film_id, wait_s=wait_s, on_wait=waiting):
            _prepare_film(checked, slots, store, home, console)
            instance = instance or studio_instance(home)
            _recover(instance, console)
            _register(checked, store, instance, resources["ichor"].url, home)
            result = _run_film(checked, slots, list(defs.assets or []), resources, instance, console,
                               _DEBUG if debug else _QUIET)
    except (FilmBusy, DiskSpaceError) as exc:
        raise ForgeError(str(exc)) from None
    failed_gates = _failed_gates(result)
    blocked_by = _failed_gates(result, only_errors=True)
    if not result.success and not blocked_by:
        _raise_failure(result, f"film '{checked.plan.film_id}'")
    if blocked_by:
        console.print("Echo gates failed: " + "; ".join(failed_gates), style="bold yellow", markup=False)
    elif failed_gates:  # WARN gates only: reported, and the film is published
        console.print("Echo warns (the film is published): " + "; ".join(failed_gates), style="yellow", markup=False)
    published = bool(result.asset_materializations_for_node("published_film"))
    return ForgeOutcome(home=home, delivery=store.delivery(checked.plan.film_id), failed_gates=failed_gates,
                        published=published and not blocked_by, blocked_by=blocked_by)


def _run_film(checked: CheckedStory, slots: list[str], all_assets: list, resources: dict, instance, console,
              run_config: dict):
    """The plan, then every shot's chain, then the edit, with a progress bar per shot and agent."""
    import dagster as dg
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talos_assets import progress as progress_hook
    from talos_assets.definitions import FILM_ASSETS, PUBLISH_ASSETS, SHOT_ASSETS
    from talos_assets.ops.recovery import forge_tags
    from talos_assets.partitions import shot_key

    plan = checked.plan
    tags = forge_tags()  # who executes the run: a forge killed mid-run is recognised by the next one

    def run(selection: list, partition_key, must_succeed: bool = True):
        result = dg.materialize(all_assets, selection=selection, partition_key=partition_key, instance=instance,
                                resources=resources, raise_on_error=False, run_config=run_config, tags=tags)
        if must_succeed and not result.success:
            _raise_failure(result, partition_key)
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
            result = run([a.key for a in FILM_ASSETS[1:] + PUBLISH_ASSETS], plan.film_id, must_succeed=False)
            bars.update(edit_task, completed=1)
        finally:
            progress_hook.set_reporter(None)
    return result
