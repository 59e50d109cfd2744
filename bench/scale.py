"""Benchmark: does a longer film cost more memory, and how much working disk does each film minute take?

Renders each story with `talos forge` in a subprocess on a fresh studio home (as a user would), while
this process samples, every `--interval` seconds, the resident memory (RSS) of the whole process tree
and the on-disk size (allocated blocks) of the studio home and of the renders folder. A shot counts
as done when its `render` stage holds all its frames; the RSS at that moment and the peak during the
shot give the memory curve (flat = no growth with film length). After the render, the working stages
a `talos clean` removes (`inbetweens`, `colored`, `lit`, `effects` under `films/<film>/shots/*/`) are
deleted and what remains (final `render` frames, plans, key poses) is measured again.
Writes bench/results/scale.json and prints a table.
Usage: python bench/scale.py [STORY ...] [--width 854 --height 480] [--keep] [--doc docs/reliability.md]
       python bench/scale.py --from-json --doc docs/reliability.md   (table from the saved results)
       python bench/scale.py --soundtrack-memory [STORY ...]  (peak RSS and traced allocation of the soundtrack
                                               step's generated score alone, added to the results)
       python bench/scale.py --steps-memory   (each film-level step alone on a synthetic 256x144, 12 fps render
                                               of each story: peak traced allocation and RSS, no forge)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from common import story_on_fresh_studio

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STORIES = [REPO / "examples" / "one_minute.yaml", REPO / "examples" / "three_minutes.yaml"]
CLEANED_STAGES = ("inbetweens", "colored", "lit", "effects")  # what `talos clean` removes
RENDER_FRAME = re.compile(r"^f\d+\.exr$")  # finished frames only, not `.f0001.exr.*.part` temp files
MB = 1024.0 * 1024.0


def disk_bytes(path: Path, skip: frozenset[str] = frozenset()) -> int:
    """Allocated bytes under `path` (like `du`): st_blocks, not st_size, so sparse or tiny files count honestly;
    folders whose path is in `skip` are left out (the caller knows their size)."""
    total = 0
    try:
        entries = list(os.scandir(path))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return 0
    for entry in entries:
        try:
            if entry.path in skip:
                continue
            if entry.is_dir(follow_symlinks=False):
                total += disk_bytes(Path(entry.path), skip)
            else:
                total += entry.stat(follow_symlinks=False).st_blocks * 512
        except FileNotFoundError:  # a temp file renamed or a stage folder replaced between listing and stat
            continue
    return total


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(RSS of the whole process tree, RSS of the root process) in bytes; vanished children count 0."""
    try:
        root = proc.memory_info().rss
        kids = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    total = root
    for kid in kids:
        try:
            total += kid.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total, root


def finished_frames(folder: Path) -> int:
    try:
        return sum(1 for name in os.listdir(folder) if RENDER_FRAME.match(name))
    except FileNotFoundError:
        return 0


class Sampler:
    """Polls one `talos forge` process: memory and disk every tick, and the moment each shot is done."""

    def __init__(self, proc: psutil.Process, home: Path, renders: Path, film_id: str) -> None:
        self.proc, self.home, self.renders, self.film_id = proc, home, renders, film_id
        self.start = time.perf_counter()
        self.samples: list[dict] = []
        self.shots: list[dict] = []  # the plan's shots, loaded once the checked plan is written
        self.done: dict[str, dict] = {}
        self._shot_peak = 0
        # a finished shot's folder no longer changes until cleaning: measured once, so a tick stays well
        # under the interval with tens of thousands of frames on disk
        self._done_bytes: dict[str, int] = {}

    def _home_bytes(self) -> int:
        return disk_bytes(self.home, frozenset(self._done_bytes)) + sum(self._done_bytes.values())

    def _load_plan(self) -> None:
        plan_file = self.home / "films" / self.film_id / "checked_plan.json"
        if self.shots or not plan_file.exists():
            return
        try:
            plan = json.loads(plan_file.read_text())
        except (OSError, json.JSONDecodeError):
            return
        self.shots = [{"slot": s["slot"], "shot_id": s["shot_id"], "frames": s["frames"] + s["handle_frames"]}
                      for s in plan["shots"]]

    def tick(self) -> None:
        now = round(time.perf_counter() - self.start, 2)
        rss, root_rss = tree_rss(self.proc)
        home, renders = self._home_bytes(), disk_bytes(self.renders)
        self.samples.append({"t": now, "rss": rss, "root_rss": root_rss, "home": home, "renders": renders})
        self._shot_peak = max(self._shot_peak, rss)
        self._load_plan()
        shots_dir = self.home / "films" / self.film_id / "shots"
        for shot in self.shots:
            slot = shot["slot"]
            if slot in self.done:
                continue
            if finished_frames(shots_dir / slot / "render") < shot["frames"]:
                break  # shots render in order: the first unfinished one ends the scan
            self.done[slot] = {**shot, "done_at_s": now, "rss_mb": round(rss / MB, 1),
                               "peak_rss_mb": round(self._shot_peak / MB, 1), "home_disk_mb": round(home / MB, 1)}
            self._shot_peak = rss
            self._done_bytes[str(shots_dir / slot)] = disk_bytes(shots_dir / slot)


def breakdown(home: Path, film_id: str) -> dict[str, float]:
    """MB by part of the studio home: this film's stages (summed over shots), other film files, the rest."""
    film = home / "films" / film_id
    parts: dict[str, float] = {}
    stage_total = 0
    for stage_dir in sorted(film.glob("shots/*/*")):
        size = disk_bytes(stage_dir) if stage_dir.is_dir() else stage_dir.stat().st_blocks * 512
        parts[f"stage:{stage_dir.name}"] = parts.get(f"stage:{stage_dir.name}", 0.0) + size / MB
        stage_total += size
    parts["film_other"] = (disk_bytes(film) - stage_total) / MB
    for child in sorted(home.iterdir()):
        if child.name != "films":
            parts[child.name] = (disk_bytes(child) if child.is_dir() else child.stat().st_blocks * 512) / MB
    return {k: round(v, 1) for k, v in parts.items()}


def talos_clean(film_id: str, cwd: Path) -> str:
    """Run the studio's own `talos clean FILM` (its retention policy) when this checkout has it; returns
    its last output line, or "" when the command does not exist."""
    talos = str(Path(sys.executable).parent / "talos")
    if subprocess.run([talos, "clean", "--help"], capture_output=True, cwd=cwd).returncode != 0:
        return ""
    done = subprocess.run([talos, "clean", film_id], capture_output=True, text=True, cwd=cwd, env=os.environ.copy())
    lines = (done.stdout + done.stderr).strip().splitlines()
    return f"exit {done.returncode}: {lines[-1] if lines else ''}"


def clean_working_stages(home: Path, film_id: str) -> int:
    """Delete the stage folders `talos clean` removes; returns how many folders went."""
    removed = 0
    for shot_dir in sorted((home / "films" / film_id / "shots").iterdir()):
        for stage in CLEANED_STAGES:
            if (shot_dir / stage).is_dir():
                shutil.rmtree(shot_dir / stage)
                removed += 1
    return removed


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 for fewer than two points)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def render_story(story: Path, width: int, height: int, interval: float, keep: bool) -> dict:
    """Forge one story in a subprocess on a fresh home, sampling as it goes; returns the story's row."""
    import yaml

    story_path = story_on_fresh_studio(story, width, height, prefix="talos-scale-")
    work = story_path.parent
    home, renders = Path(os.environ["TALOS_HOME"]), Path(os.environ["TALOS_RENDERS"])
    spec = yaml.safe_load(story_path.read_text())
    film_id = spec["id"]
    talos = Path(sys.executable).parent / "talos"
    log = open(work / "forge.log", "wb")
    child = subprocess.Popen([str(talos), "forge", str(story_path)], stdout=log, stderr=subprocess.STDOUT,
                             env=os.environ.copy(), cwd=work)
    sampler = Sampler(psutil.Process(child.pid), home, renders, film_id)
    while child.poll() is None:
        sampler.tick()
        time.sleep(interval)
    wall = time.perf_counter() - sampler.start
    log.close()
    sampler.tick()  # the finished state: every shot done, the edit written
    row = summarize(story, film_id, child.returncode, wall, sampler, home, renders, width, height)
    row["log_tail"] = (work / "forge.log").read_text(errors="replace")[-600:] if child.returncode else ""
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        row["work"] = str(work)
    return row


def summarize(story: Path, film_id: str, rc: int, wall: float, sampler: Sampler, home: Path, renders: Path,
              width: int, height: int) -> dict:
    """The row for one story: peaks, the per-shot memory curve, disk before and after cleaning."""
    shots = [sampler.done[s["slot"]] for s in sampler.shots if s["slot"] in sampler.done]
    frames = sum(s["frames"] for s in sampler.shots)  # rendered frames, handles included
    plan = json.loads((home / "films" / film_id / "checked_plan.json").read_text())
    film_seconds = sum(s["frames"] for s in plan["shots"]) / plan["fps"]
    minutes = film_seconds / 60.0
    before = breakdown(home, film_id)
    home_before, film_before = disk_bytes(home), disk_bytes(home / "films" / film_id)
    cleaned_by_cli = talos_clean(film_id, home.parent)
    film_after_cli = disk_bytes(home / "films" / film_id)
    removed = clean_working_stages(home, film_id)
    after = breakdown(home, film_id)
    home_after, film_after = disk_bytes(home), disk_bytes(home / "films" / film_id)
    idx = list(range(1, len(shots) + 1))
    last_done = shots[-1]["done_at_s"] if shots else float("inf")
    peak = max(sampler.samples, key=lambda x: x["rss"])
    edit = [x["rss"] for x in sampler.samples if x["t"] > last_done] or [0]
    return {
        "story": story.name, "film_id": film_id, "exit_code": rc, "resolution": [width, height],
        "shots": len(sampler.shots), "film_seconds": round(film_seconds, 2), "rendered_frames": frames,
        "wall_seconds": round(wall, 1), "seconds_per_rendered_frame": round(wall / max(1, frames), 3),
        "samples": len(sampler.samples), "interval_s": round(wall / max(1, len(sampler.samples)), 2),
        "peak_rss_mb": round(max(s["rss"] for s in sampler.samples) / MB, 1),
        "peak_root_rss_mb": round(max(s["root_rss"] for s in sampler.samples) / MB, 1),
        "peak_rss_at_s": peak["t"], "peak_rss_shots_mb": max([s["peak_rss_mb"] for s in shots] or [0.0]),
        "peak_rss_edit_mb": round(max(edit) / MB, 1),  # after the last shot: soundtrack, timeline, film, evaluation
        "rss_after_shot_mb": [s["rss_mb"] for s in shots],
        "peak_rss_per_shot_mb": [s["peak_rss_mb"] for s in shots],
        "rss_slope_mb_per_shot": round(slope(idx, [s["rss_mb"] for s in shots]), 2),
        "peak_rss_slope_mb_per_shot": round(slope(idx, [s["peak_rss_mb"] for s in shots]), 2),
        "peak_home_disk_mb": round(max(s["home"] for s in sampler.samples) / MB, 1),
        "peak_renders_disk_mb": round(max(s["renders"] for s in sampler.samples) / MB, 1),
        "home_disk_before_clean_mb": round(home_before / MB, 1),
        "film_disk_before_clean_mb_per_minute": round(film_before / MB / minutes, 1),
        "home_disk_after_clean_mb": round(home_after / MB, 1),
        "film_disk_after_clean_mb_per_minute": round(film_after / MB / minutes, 1),
        "talos_clean": cleaned_by_cli or "not in this checkout",
        "film_disk_after_talos_clean_mb_per_minute": round(film_after_cli / MB / minutes, 1) if cleaned_by_cli else None,
        "renders_disk_mb": round(disk_bytes(renders) / MB, 1),
        "stage_folders_removed": removed, "breakdown_before_mb": before, "breakdown_after_mb": after,
        "per_shot": shots,
    }


def warm_curve(row: dict) -> tuple[float, float, float]:
    """(min, max, slope per shot) of the RSS after each shot from the second on: the first shot also
    pays for imports and Warp's kernel compile, which a longer film does not repeat."""
    curve = row["rss_after_shot_mb"][1:] or row["rss_after_shot_mb"] or [0.0]
    return min(curve), max(curve), slope(list(range(len(curve))), curve)


def print_table(rows: list[dict]) -> None:
    w, h = rows[0]["resolution"]
    print(f"\nscale at {w}x{h} (talos forge in a subprocess, fresh studio home; RSS of the process tree)")
    head = ("story", "film s", "frames", "wall s", "peak RSS", "RSS after shots 2..n", "slope/shot",
            "peak disk", "MB/min before", "MB/min after", "renders")
    print(" | ".join(head))
    for r in rows:
        lo, hi, warm_slope = warm_curve(r)
        print(" | ".join([
            r["story"], f"{r['film_seconds']:.0f}", str(r["rendered_frames"]), f"{r['wall_seconds']:.0f}",
            f"{r['peak_rss_mb']:.0f} MB", f"{lo:.0f}-{hi:.0f} MB", f"{warm_slope:+.2f} MB",
            f"{r['peak_home_disk_mb']:.0f} MB", f"{r['film_disk_before_clean_mb_per_minute']:.0f}",
            f"{r['film_disk_after_clean_mb_per_minute']:.0f}", f"{r['renders_disk_mb']:.0f} MB",
        ]) + ("" if r["exit_code"] == 0 else f"  (exit {r['exit_code']})"))


def soundtrack_child(story: Path) -> None:
    """In a fresh process: check the story, then make the `soundtrack` asset's call for a generated
    score (`music.score_soundtrack`: the score streamed to its WAV, its beat analysis and waveform read
    from a scratch file), printing its peak RSS (a thread samples every 20 ms) and its peak traced
    allocation (tracemalloc; numpy reports its buffers to it) as JSON."""
    import threading
    import tracemalloc

    peak = [0]

    def watch() -> None:
        me = psutil.Process()
        while True:
            peak[0] = max(peak[0], me.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()
    import numpy as np

    from talos_assets.agents import music
    from talos_assets.checking import check_story
    from talos_assets.defs.editing import SAMPLE_RATE
    from talos_assets.settings import studio_settings

    plan = check_story(story, studio_settings()).plan
    out: dict[str, float] = {}

    def mark(label: str) -> None:
        time.sleep(0.05)  # let the sampler see the end of the call
        out[label], peak[0] = round(peak[0] / MB), 0

    mark("plan")
    seconds = plan.planned_frames / plan.fps
    starts = np.cumsum([0.0] + [s.frames / plan.fps for s in plan.shots[:-1]])
    segments = [(float(t), s.valence, s.arousal) for t, s in zip(starts, plan.shots)]
    handles = max(s.handle_frames for s in plan.shots) / plan.fps
    clock = time.perf_counter()
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="talos-scale-score-") as tmp:
        music.score_soundtrack(Path(tmp) / "soundtrack.wav", segments, seconds + handles + 0.5, SAMPLE_RATE,
                               seed=plan.shots[0].seed)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    wall = time.perf_counter() - clock
    mark("score_soundtrack")
    print(json.dumps({"story": story.name, "film_seconds": round(seconds, 2), "peak_rss_mb": out,
                      "traced_peak_mb": round(traced / MB, 1), "wall_s": round(wall, 1)}))


def soundtrack_memory(stories: list[str]) -> list[dict]:
    """Peak RSS of each soundtrack call for each story, each story in its own process and a temp home."""
    rows = []
    for story in stories:
        with tempfile.TemporaryDirectory(prefix="talos-scale-music-") as tmp:
            env = {**os.environ, "TALOS_HOME": str(Path(tmp) / "home")}
            done = subprocess.run([sys.executable, __file__, "--soundtrack-child", str(Path(story).resolve())],
                                  env=env, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    """The scale table for docs/reliability.md."""
    w, h = rows[0]["resolution"]
    ticks = ", ".join(f"{r['interval_s']} s" for r in rows)
    lines = [f"At {w}x{h}, `talos forge` in a subprocess on a fresh studio home; RSS of the process tree and disk "
             f"(allocated blocks, as `du`) sampled once a tick (mean tick per row: {ticks}).", "",
             "| story | film | shots | rendered frames | wall | peak RSS | RSS after each shot from the 2nd: min-max (slope per shot) "
             "| peak working disk | film disk per minute before clean | after clean | deliverables |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lo, hi, warm_slope = warm_curve(r)
        lines.append(
            f"| {r['story']} | {r['film_seconds']:.0f} s | {r['shots']} | {r['rendered_frames']} | {r['wall_seconds'] / 60:.0f} min "
            f"| {r['peak_rss_mb']:.0f} MB | {lo:.0f}-{hi:.0f} MB ({warm_slope:+.1f} MB) "
            f"| {r['peak_home_disk_mb']:.0f} MB | {r['film_disk_before_clean_mb_per_minute']:.0f} MB "
            f"| {r['film_disk_after_clean_mb_per_minute']:.0f} MB | {r['renders_disk_mb']:.0f} MB |"
            + ("" if r["exit_code"] == 0 else f" (exit {r['exit_code']})"))
    return "\n".join(lines) + "\n"


def update_doc(doc: Path, text: str) -> None:
    """Replace what lies between the scale markers of `doc` (temp-then-rename)."""
    begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
    head, rest = doc.read_text().split(begin, 1)
    _, tail = rest.split(end, 1)
    tmp = doc.with_suffix(".md.part")
    tmp.write_text(f"{head}{begin}\n{text}{end}{tail}")
    os.replace(tmp, doc)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("stories", nargs="*", default=[str(s) for s in DEFAULT_STORIES])
    parser.add_argument("--width", type=int, default=854)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--keep", action="store_true", help="keep each temp studio home (for inspection)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "scale.json"))
    parser.add_argument("--doc", help="also write the table into this markdown file, between the scale markers")
    parser.add_argument("--from-json", action="store_true", help="print (and --doc) the saved results; render nothing")
    parser.add_argument("--soundtrack-memory", action="store_true",
                        help="measure only the soundtrack step's peak RSS per story (no render); saved in --out")
    parser.add_argument("--soundtrack-child", help=argparse.SUPPRESS)
    parser.add_argument("--steps-memory", action="store_true",
                        help="measure each film-level step alone on a synthetic 256x144 edit of each story; saved in --out")
    args = parser.parse_args()
    if args.soundtrack_child:
        soundtrack_child(Path(args.soundtrack_child))
        return 0
    if args.soundtrack_memory or args.steps_memory:
        out = Path(args.out)
        result = json.loads(out.read_text()) if out.exists() else {}
        if args.soundtrack_memory:
            result["soundtrack_memory"] = soundtrack_memory(args.stories)
        else:
            from scale_steps import steps_memory

            result["steps_memory"] = steps_memory(args.stories)
        tmp = out.with_suffix(".json.part")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        os.replace(tmp, out)
        return 0
    if args.from_json:
        rows = json.loads(Path(args.out).read_text())["rows"]
        print_table(rows)
        if args.doc:
            update_doc(Path(args.doc), markdown(rows))
        return 0

    out = Path(args.out)
    rows = []
    for story in args.stories:
        rows.append(render_story(Path(story).resolve(), args.width, args.height, args.interval, args.keep))
        rows.sort(key=lambda r: r["film_seconds"])
        result = {"rows": rows, "cleaned_stages": list(CLEANED_STAGES),
                  "machine": f"{platform.machine()} {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
                             f"{platform.python_implementation()} {platform.python_version()}"}
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".json.part")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        os.replace(tmp, out)  # written after each story, so a long run's first rows survive an interruption
    print_table(rows)
    if args.doc:
        update_doc(Path(args.doc), markdown(rows))
    print(f"wrote {out}")
    return 0 if all(r["exit_code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
