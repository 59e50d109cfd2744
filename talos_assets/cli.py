"""`talos`: the studio's command line (forge a film, validate a story, clean working frames, open the UI).

Heavy libraries (dagster, torch, warp) are imported inside commands so `talos --help` and story
validation answer instantly; user errors print one sentence and exit 2 with nothing written, and
so do environment failures (a full disk, a missing permission, a corrupt store:
`talos_assets.ops.errors`); `--debug` shows the traceback behind either. A film Echo would not
publish (one of its ERROR gates failed) is delivered for review and `talos forge` exits 1 saying why.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Studio Talos: an AI animation studio as software.")
console = Console()
err = Console(stderr=True)
_debug = {"on": False}


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="show the traceback behind an error")) -> None:
    _debug["on"] = debug


def _fail(message: str) -> None:
    """One sentence on stderr and exit code 2; the message is printed as plain text (never as markup)."""
    if _debug["on"] and sys.exc_info()[0] is not None:
        err.print_exception()
    err.print("error: ", style="bold red", end="", markup=False)
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code=2)


def _say(text: str, style: str | None = None) -> None:
    console.print(text, style=style, markup=False, highlight=False)


@contextmanager
def _one_sentence() -> Iterator[None]:
    """User errors (ForgeError) and environment failures anywhere in a command: one sentence, exit 2.
    Anything else is a bug and keeps its traceback."""
    from talos_assets.checking import ForgeError
    from talos_assets.settings import SettingsError

    try:
        yield
    except typer.Exit:
        raise
    except (ForgeError, SettingsError) as exc:
        _fail(str(exc))
    except Exception as exc:
        from talos_assets.ops.errors import explain

        sentence = explain(exc)
        if sentence is None:
            raise
        _fail(sentence)


def _settings():
    from talos_assets.llm_config import LLMConfigError
    from talos_assets.settings import studio_settings

    try:
        return studio_settings()
    except LLMConfigError as exc:
        _fail(str(exc))


@app.command()
def validate(story: Path = typer.Argument(..., help="story YAML file")) -> None:
    """Check a story file and print its shot plan, without rendering or writing anything."""
    from talos_assets.checking import check_story

    with _one_sentence():
        checked = check_story(story, _settings())
    plan = checked.plan
    _say(f"{plan.title} ({plan.film_id}): {len(plan.shots)} shots, "
         f"{plan.planned_frames / plan.fps:.1f} s at {plan.width}x{plan.height} {plan.fps} fps, palette {plan.palette.name}")
    for s in plan.shots:
        _say(f"  {s.slot} {s.shot_id:<20} {s.emotion.value:<13} {s.shot_size.value:<12} {s.camera.value:<9} {s.duration:.2f}s")
        _say(f"       {_world_line(s)}", style="dim")
        if s.actions:
            _say(f"       acting: {_acting_line(s)}", style="dim")


def _world_line(shot) -> str:
    """What Prism read of the shot's world: set, time, weather, props (and who holds them), effects."""
    st = shot.setting
    parts = [st.place, st.time_of_day.value] + ([st.weather.value] if st.weather.value != "clear" else [])
    props = [p.prop + (f" in {p.holder}'s hand" if p.holder else "") + (f", handed to {p.given_to}" if p.given_to else "")
             + (f" with {p.owner}" if p.owner else "") + (f" ({p.moves}ing)".replace("runing", "running") if p.moves else "")
             for p in shot.props]
    effects = [e.kind.value + (f" {'onto' if e.over else 'from'} {e.character + ' ' if e.character else ''}{e.anchor}"
                               if e.anchor else "") + (" behind" if e.behind else "") for e in shot.effects]
    return ", ".join(parts) + (f"; props: {', '.join(props)}" if props else "") + \
        (f"; effects: {', '.join(effects)}" if effects else "")


def _acting_line(shot) -> str:
    """What Prism read each character doing: 'pip ride bicycle, mira wave at pip, talos strike (chest)'."""
    out = []
    for a in shot.actions:
        words = [a.character, a.action.replace("_", " ")]
        if a.target:
            words.append(("at " if a.target_kind == "character" and a.action in ("wave", "point", "look_at") else "") + a.target)
        if a.prop and a.prop != a.target:
            words.append(f"+{a.prop}")
        if a.body_part:
            words.append(f"({a.body_part})")
        if a.toward:
            words.append(f"to {a.toward}")
        out.append(" ".join(words))
    return ", ".join(out)


@app.command()
def forge(
    story: Path = typer.Argument(..., help="story YAML file"),
    shot: Optional[list[str]] = typer.Option(None, "--shot", help="re-render only this shot id (repeatable), then re-edit the film"),
    wait: float = typer.Option(30.0, "--wait", min=0, help="seconds to wait while another talos forge renders the same film"),
) -> None:
    """Render a story into a finished film through the Dagster asset graph on the studio's instance."""
    from talos_assets.forge import check_story, forge_film

    with _one_sentence():
        checked = check_story(story, _settings())
    try:
        with _one_sentence():
            # what Dagster itself writes to stderr (a failed event-log write on a full disk, ...) is
            # noise before the one sentence: shown with --debug only
            with contextlib.nullcontext() if _debug["on"] else contextlib.redirect_stderr(io.StringIO()):
                outcome = forge_film(checked, only_shots=shot or None, console=console, wait_s=wait,
                                     debug=_debug["on"])
    except KeyboardInterrupt:
        err.print("interrupted: finished frames and shots are kept; nothing half-written is left at a final path.",
                  markup=False)
        raise typer.Exit(code=130)
    d = outcome.delivery
    console.print()
    _say(f"film        {d.film}", style="bold green")
    _say(f"storyboard  {d.storyboard}  (PDF: {d.storyboard_pdf.name})")
    _say(f"timeline    {d.timeline}" + (f"  (EDL: {d.edl.name})" if d.edl.exists() else ""))
    _say(f"evaluation  {d.evaluation}")
    _say(f"studio home {outcome.home}; open the Dagster UI with `talos ui`", style="dim")
    if not outcome.published:  # Echo's verdict, not a user error: exit 1 (user and environment errors exit 2)
        err.print("not published: ", style="bold red", end="", markup=False)
        err.print(f"Echo's ERROR gates failed for film '{checked.plan.film_id}' ("
                  + "; ".join(outcome.blocked_by or ["see the evaluation report"])
                  + f"); see {d.evaluation}; `talos ui` runs Echo's revisions.", markup=False, highlight=False)
        raise typer.Exit(code=1)


@app.command()
def clean(
    film: Optional[str] = typer.Argument(None, help="film id (see renders/); or --all"),
    all_films: bool = typer.Option(False, "--all", help="every finished film of the studio"),
    dry_run: bool = typer.Option(False, "--dry-run", help="only say what would be deleted and how many bytes"),
) -> None:
    """Delete working frames of finished films that re-editing does not need (in-betweens, colored, lit,
    effects); keeps the films, plans, key poses, camera plans, timeline and each shot's final frames."""
    if (film is None) == (not all_films):
        _fail("name one film (talos clean FILM) or give --all, not both and not neither.")
    from talos_assets.ops.disk import human_bytes
    from talos_assets.ops.retention import clean_films, film_ids
    from talos_assets.stores.studio import StudioStore

    with _one_sentence():
        settings = _settings()
        store = StudioStore(settings.home, settings.renders)
        known = film_ids(store)
        if film is not None and film not in known:
            _fail(f"film '{film}' has no working frames in {settings.home}; "
                  f"its films are: {', '.join(known) or 'none'}.")
        reports = clean_films(store, known if all_films else [film], dry_run=dry_run)
    verb = "would free" if dry_run else "freed"
    for r in reports:
        _say(f"{r.film_id:<24} skipped: {r.skipped}" if r.skipped else
             f"{r.film_id:<24} {verb} {human_bytes(r.freed_bytes)} ({len(r.removed)} folders/files)")
    total = sum(r.freed_bytes for r in reports)
    _say(f"{verb} {human_bytes(total)} ({total} bytes) in {settings.home}", style="bold green")


@app.command()
def ui(port: int = typer.Option(3000, help="port on 127.0.0.1")) -> None:
    """Open the Dagster UI (dagster dev) on the studio's instance, showing every shot's assets."""
    from talos_assets.home import prepare_home

    with _one_sentence():
        home = prepare_home()
    from talos_assets.forge import ForgeError, studio_instance

    try:
        studio_instance(home)  # created once under the studio's lock, with the heavy agents' pool limits
    except ForgeError as exc:
        _fail(str(exc))
    repo_root = Path(__file__).resolve().parent.parent
    _say(f"Dagster UI on http://127.0.0.1:{port} (studio home {home}); Ctrl-C stops it.")
    cmd = [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port), "-w", str(repo_root / "workspace.yaml")]
    # dagster dev ignores SIGINT when started from a script: own a process group and stop all of it,
    # also when this process is told to stop (SIGTERM from a service manager, SIGHUP from a closed terminal)
    proc = subprocess.Popen(cmd, cwd=repo_root, env=os.environ.copy(), start_new_session=True)

    def stop_group(*_) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_group)
    signal.signal(signal.SIGHUP, stop_group)
    try:
        proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


lab = typer.Typer(no_args_is_help=True, help="Protoforge lab: train agent models on the studio's own renders.")
app.add_typer(lab, name="lab")


@lab.command("train")
def lab_train(
    agent: str = typer.Argument(..., help="echo (text-image alignment CLIP), flux (in-between frame net), critic "
                                          "(predicts Echo's shot score; Prism then picks among candidates) or "
                                          "inpaint (fills the regions Echo flags; Anima's repair uses it)"),
    epochs: int = typer.Option(20, min=1, help="training epochs"),
    alias: str = typer.Option("champion", help="registry alias the new version takes"),
    seed: int = typer.Option(0),
) -> None:
    """Train an agent model on this studio's rendered films (from Ichor); track and register it in MLflow."""
    if agent not in ("echo", "flux", "critic", "inpaint"):
        _fail(f"agent '{agent}' has no trainable model; use 'echo', 'flux', 'critic' or 'inpaint'.")
    from resources.studio import studio_root

    if not (studio_root() / "ichor.db").exists() and not os.environ.get("TALOS_ICHOR_URL"):
        _fail(f"no studio at {studio_root()}: render a film first with `talos forge STORY`.")
    from talos_assets.home import ichor_url, prepare_home

    with _one_sentence():
        home = prepare_home()
        from protoforge.config import TrainConfig
        from protoforge.train import train
        from talos_assets.settings import studio_settings

        cfg = TrainConfig(agent=agent, ichor_url=ichor_url(home), mlflow_tracking_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
                          mlflow_artifact_location=str(home / "mlflow" / "artifacts"), max_epochs=epochs, alias=alias, seed=seed,
                          character_dirs=[str(d) for d in studio_settings().character_dirs],
                          prop_dirs=[str(d) for d in studio_settings().prop_dirs])
        try:
            result = train(cfg)
        except ValueError as exc:  # the lab's own one-sentence errors, unless the environment is the cause
            from talos_assets.ops.errors import explain

            _fail(explain(exc) or str(exc))
    _say(f"{result.registered_name} version {result.version} -> @{result.alias}  (run {result.run_id})", style="bold green")
    for key, value in sorted(result.metrics.items()):
        _say(f"  {key:<22} {value:.4f}")


@lab.command("ui")
def lab_ui(
    port: int = typer.Option(5000, help="port of the MLflow UI"),
    host: str = typer.Option("127.0.0.1", help="loopback interface only (127.0.0.1, ::1)"),
) -> None:
    """Browse the lab's training runs, their data lineage and the model registry in MLflow's UI (loopback only)."""
    from protoforge.lab_ui import check_loopback, mlflow_ui_command

    try:
        check_loopback(host)  # before anything is written or started
    except ValueError as exc:
        _fail(str(exc))
    from talos_assets.home import prepare_home

    with _one_sentence():
        home = prepare_home()
    cmd = mlflow_ui_command(f"sqlite:///{home / 'mlflow' / 'mlflow.db'}", str(home / "mlflow" / "artifacts"), host, port)
    _say(f"MLflow UI on http://{host}:{port} (studio home {home}); Ctrl-C stops it.")
    proc = subprocess.Popen(cmd, env=os.environ.copy(), start_new_session=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


@app.command()
def rate(
    film: str = typer.Argument(..., help="film id"),
    shot: str = typer.Argument(..., help="shot id (or slot, e.g. s002)"),
    rating: int = typer.Argument(..., help="1 (reject) to 5 (keep as it is)"),
    note: Optional[str] = typer.Argument(None, help="what you saw, in a few words"),
) -> None:
    """Rate a rendered shot from 1 to 5; the rating is stored in Ichor beside Echo's scores."""
    settings = _settings()
    if not settings.ichor_exists():
        _fail(f"no studio database at {settings.ichor_url}: render the film first with `talos forge STORY`.")
    from talos_assets.stores.ichor import IchorVault

    with _one_sentence():
        try:
            row = IchorVault(settings.ichor_url).record_rating(film, shot, rating, note or "")
        except ValueError as exc:
            _fail(str(exc))
    _say(f"rated {film}/{row.shot_id} ({row.slot}) {row.rating}/5" + (f": {row.note}" if row.note else ""), style="bold green")


character = typer.Typer(no_args_is_help=True, help="The studio's characters (YAML rigs).")
app.add_typer(character, name="character")


@character.command("list")
def character_list() -> None:
    """List the characters a story can cast (user rigs first, then the built-ins)."""
    from talos_assets.agents.key_animation import character_paths

    for name, path in sorted(character_paths(_settings().character_dirs).items()):
        _say(f"{name:<12} {path}")


@character.command("sheet")
def character_sheet(
    name: str = typer.Argument(..., help="character name, e.g. talos"),
    out: Optional[Path] = typer.Option(None, "--out", help="PNG path (default: renders/characters/NAME_model_sheet.png)"),
    width: int = typer.Option(1600, min=400, max=7680),
) -> None:
    """Render a character's model sheet: turnaround views and the eight emotion expressions."""
    from resources.studio import renders_root
    from talos_assets.agents.key_animation.model_sheet import write_model_sheet

    target = out or renders_root() / "characters" / f"{name}_model_sheet.png"
    try:
        written = write_model_sheet(name, target, width, _settings().character_dirs)
    except ValueError as exc:
        _fail(str(exc))
    _say(f"model sheet  {written}")


@app.command("sets")
def sets_list() -> None:
    """List the sets a story can name (`place:`): user sets first, then the built-in library."""
    from talos_assets.agents.sets import set_rows

    with _one_sentence():
        try:
            rows = set_rows(_settings().set_dirs)
        except ValueError as exc:  # a broken set file of the user's: its one sentence
            _fail(str(exc).rstrip(".") + ".")
    for row in sorted(rows, key=lambda r: (r["builtin"], r["id"])):
        kind = "interior" if row["interior"] else "exterior"
        where = "built-in" if row["builtin"] else row["source"]
        _say(f"{row['id']:<14} {kind:<9} {where:<10} {row['description']}")


@app.command("props")
def props_list() -> None:
    """List the props a story can name (`props:`): user props first, then the built-in library."""
    from talos_assets.agents.direction import builtin_vocabulary
    from talos_assets.agents.props import prop_rows

    with _one_sentence():
        rows = prop_rows(_settings().prop_dirs)
    known_words = builtin_vocabulary().props
    for row in sorted(rows, key=lambda r: (r["source"] == "built-in", r["id"])):
        if row["error"]:
            continue
        use = "held" if row["holdable"] else "stands"
        words = ", ".join(dict.fromkeys([*known_words.get(str(row["id"]), []), *row["words"]]))
        _say(f"{row['id']:<12} {use:<7} {row['placement']:<7} {row['source']:<10} {words}")
    broken = [row for row in rows if row["error"]]
    if broken:
        _fail(str(broken[0]["error"]).rstrip(".") + ".")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the story format (docs/story.schema.json is this output)."""
    import json

    from talos_assets.spec import StorySpec

    print(json.dumps(StorySpec.model_json_schema(), indent=2))


@app.command()
def palettes() -> None:
    """List the palettes a story can name."""
    from talos_assets.stores.ichor import BUILTIN_PALETTES

    for name, swatches in sorted(BUILTIN_PALETTES.items()):
        console.print(f"{name:<16} " + " ".join(f"[on {c}]  [/]" for c in swatches.values()))


from talos_assets.cli_inbetween import inbetween  # noqa: E402  (one concern per file; registered here)
app.command("inbetween")(inbetween)


if __name__ == "__main__":
    app()
