"""Benchmark of the Dagster UI's partitions page for a shot asset with 10,000 film x shot partitions.

A fresh studio home gets `--films` films (default 50) in the `films` dynamic partition; with the 200
shot slots of talos_assets.partitions that is 10,000 `film|shot` keys per shot asset. Each film's
first shots (20-59 of them, varying per film) get a recorded `shot_render` materialization, so the
page shows a realistic mix of materialized and missing slots. `dagster-webserver` is started on
127.0.0.1 against that home and headless Chromium (Debian's /usr/bin/chromium through Playwright)
opens `/assets/shot_render?view=partitions`. The time measured is from navigation until the status
grid is on screen: the partition count, the materialized count, the first film row and the first shot
row all visible. The first open is cold (the webserver computes the asset's partition status); later
opens reuse the instance's status cache and the browser's cached UI bundle. The load average is
recorded because the machine may be shared. Prints a table and writes bench/results/ui_partitions.json.
Usage: `python bench/ui_partitions.py [--films 50] [--repeats 3] [--screenshot docs/ui_partitions.png]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "ui_partitions.json"
CHROMIUM = "/usr/bin/chromium"
ASSET = "shot_render"


def real_shots(film_index: int) -> int:
    """How many of a film's 200 slots hold a rendered shot (the rest are padding)."""
    return 20 + (film_index * 7) % 40


def register(films: int) -> tuple[int, int, float]:
    """Fresh studio instance with `films` films and their rendered shots; (partitions, materialized, seconds)."""
    import dagster as dg

    from talos_assets.home import prepare_home
    from talos_assets.partitions import SHOT_SLOTS, films_partitions, shot_key

    prepare_home()
    t0 = time.perf_counter()
    instance = dg.DagsterInstance.get()
    film_ids = [f"film{i:03d}" for i in range(films)]
    instance.add_dynamic_partitions(films_partitions.name, film_ids)
    materialized = 0
    for i, film_id in enumerate(film_ids):
        for slot in SHOT_SLOTS[: real_shots(i)]:
            instance.report_runless_asset_event(dg.AssetMaterialization(
                asset_key=ASSET, partition=str(shot_key(film_id, slot)), metadata={"bench": True}))
            materialized += 1
    instance.dispose()
    return films * len(SHOT_SLOTS), materialized, time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_webserver(port: int, log: Path) -> tuple[subprocess.Popen, float]:
    """`dagster-webserver` in its own process group (stopped as a group), and seconds until it answers."""
    t0 = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dagster_webserver", "-h", "127.0.0.1", "-p", str(port),
             "-w", str(REPO / "workspace.yaml")],
            cwd=REPO, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"dagster-webserver exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                return proc, time.perf_counter() - t0
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"dagster-webserver did not answer within 300 s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def count(n: int) -> str:
    """A count as a pattern that matches with or without thousands separators."""
    return f"{n:,}".replace(",", ",?")


def open_partitions_page(context, url: str, partitions: int, materialized: int, screenshot: Path | None) -> dict:
    """Seconds from navigation until the partition status grid is on screen (wall clock and the page's own)."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(300_000)
    community = page.get_by_role("dialog").filter(has_text="Join the Dagster community")
    page.add_locator_handler(community, lambda dlg: dlg.get_by_role("button", name="Skip").click())
    t0 = time.perf_counter()
    page.goto(f"{url}/assets/{ASSET}?view=partitions", wait_until="commit")
    for text in (re.compile(rf"^{count(partitions)} Partitions Selected$"),
                 re.compile(rf"^Materialized \({count(materialized)}\)$"), "film000", "s001"):
        expect(page.get_by_text(text).first).to_be_visible(timeout=300_000)
    wall = time.perf_counter() - t0
    in_page = page.evaluate("performance.now()") / 1e3
    if screenshot is not None:  # temp-then-rename, like every file the studio writes
        tmp = screenshot.with_name(f".{screenshot.stem}.tmp.png")
        page.screenshot(path=str(tmp))
        os.replace(tmp, screenshot)
    page.close()
    return {"wall_s": round(wall, 3), "since_navigation_s": round(in_page, 3),
            "load_avg_1min": round(os.getloadavg()[0], 2)}


def measure(url: str, partitions: int, materialized: int, repeats: int, screenshot: Path | None
            ) -> tuple[list[dict], str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        # warm-up on a film-level asset: the code location is loaded and the UI bundle cached, so the
        # first timed open pays only for the 10,000 shot partitions
        warm = context.new_page()
        warm.set_default_timeout(300_000)
        warm.goto(f"{url}/assets/film_plan?view=partitions")
        warm.get_by_text("film000").first.wait_for()
        warm.close()
        rows = []
        for i in range(repeats):
            row = {"open": i + 1, "kind": "cold" if i == 0 else "warm",
                   **open_partitions_page(context, url, partitions, materialized, screenshot if i == 0 else None)}
            rows.append(row)
            print(f"open {row['open']} ({row['kind']:>4}): {row['wall_s']:6.2f} s wall, "
                  f"{row['since_navigation_s']:6.2f} s since navigation  [load {row['load_avg_1min']}]", flush=True)
        version = browser.version
        browser.close()
    return rows, version


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--films", type=int, default=50, help="films x 200 shot slots = partitions (50 -> 10,000)")
    ap.add_argument("--repeats", type=int, default=3, help="page opens; the first is cold")
    ap.add_argument("--screenshot", type=Path, help="save the first open's page here (e.g. docs/ui_partitions.png)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="talos-ui-bench-"))
    os.environ.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
                      DAGSTER_HOME=str(work / "home" / "dagster"), DAGSTER_DISABLE_TELEMETRY="1",
                      MLFLOW_DISABLE_TELEMETRY="true")
    os.environ.pop("TALOS_ICHOR_URL", None)
    partitions, materialized, register_s = register(args.films)
    print(f"registered {partitions:,} {ASSET} partitions ({args.films} films), {materialized:,} materialized "
          f"in {register_s:.1f} s", flush=True)
    port = free_port()
    proc, start_s = start_webserver(port, work / "webserver.log")
    print(f"webserver answered after {start_s:.1f} s", flush=True)
    try:
        rows, chromium = measure(f"http://127.0.0.1:{port}", partitions, materialized, args.repeats,
                                 args.screenshot)
    finally:
        stop(proc)
    import dagster

    warm = [r["wall_s"] for r in rows if r["kind"] == "warm"]
    out = {
        "benchmark": f"Dagster UI partitions page of {ASSET} (film x shot), time until the status grid is shown",
        "partitions": partitions, "films": args.films, "shot_slots": partitions // args.films,
        "materialized": materialized, "register_s": round(register_s, 2), "webserver_start_s": round(start_s, 2),
        "cold_s": rows[0]["wall_s"], "warm_median_s": round(statistics.median(warm), 3) if warm else None,
        "opens": rows,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "dagster": dagster.__version__, "chromium": chromium},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=2) + "\n")
    os.replace(tmp, RESULTS)
    print(f"| partitions | materialized | cold open (s) | warm open, median (s) |\n|---|---|---|---|\n"
          f"| {partitions:,} | {materialized:,} | {out['cold_s']:.2f} | "
          f"{out['warm_median_s'] if out['warm_median_s'] is not None else '-'} |")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
