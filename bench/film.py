"""Benchmark: render the example film at 1280x720 and report seconds per frame for each agent.

Runs `talos forge` in-process on a fresh studio home (so Warp compiles once, as on a new machine),
then reads every materialization's `seconds` metadata from the Dagster instance. Prints a table and
writes bench/results/film.json. Usage: python bench/film.py [STORY] [--width W --height H]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

from common import story_on_fresh_studio

REPO = Path(__file__).resolve().parent.parent
AGENT_OF = {
    "film_plan": "Prism", "scene_graph": "Prism", "camera_plan": "Prism", "storyboard_panel": "Prism", "storyboard": "Prism",
    "key_poses": "Axis", "line_art_keys": "Axis", "inbetweens": "Flux", "motion_curves": "Flux",
    "colored_frames": "Chroma", "lit_frames": "Raygen", "effect_layers": "Stokes", "shot_render": "Anima",
    "soundtrack": "Cuttura", "timeline": "Cuttura", "film": "Cuttura", "evaluation": "Echo",
    "dialogue_line": "Cuttura", "film_mix": "Cuttura",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("story", nargs="?", default=str(REPO / "examples" / "bronze_heart.yaml"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "film.json"))
    args = parser.parse_args()

    story_path = story_on_fresh_studio(args.story, args.width, args.height, prefix="talos-bench-")

    import dagster as dg
    from rich.console import Console

    from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS
    from talos_assets.forge import check_story, forge_film

    from talos_assets.settings import studio_settings

    checked = check_story(story_path, studio_settings())
    frames = checked.plan.planned_frames
    rendered = sum(s.total_frames for s in checked.plan.shots)
    start = time.perf_counter()
    outcome = forge_film(checked, console=Console(stderr=True, quiet=True))
    wall = time.perf_counter() - start

    instance = dg.DagsterInstance.get()
    per_asset: dict[str, float] = {}
    for asset in SHOT_ASSETS + FILM_ASSETS:
        recs = instance.fetch_materializations(asset.key, limit=1000).records
        per_asset[asset.key.to_user_string()] = sum(
            float(r.asset_materialization.metadata["seconds"].value) for r in recs if "seconds" in r.asset_materialization.metadata
        )
    per_agent: dict[str, float] = {}
    for name, secs in per_asset.items():
        per_agent[AGENT_OF[name]] = per_agent.get(AGENT_OF[name], 0.0) + secs
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"\n{checked.plan.title}: {len(checked.plan.shots)} shots, {frames} film frames ({rendered} rendered with handles) "
          f"at {args.width}x{args.height}")
    print(f"{'agent':<10} {'seconds':>9} {'s/frame':>9}")
    for agent, secs in sorted(per_agent.items(), key=lambda kv: -kv[1]):
        print(f"{agent:<10} {secs:9.2f} {secs / frames:9.4f}")
    print(f"{'total':<10} {wall:9.2f} {wall / frames:9.4f}   (wall clock, incl. Dagster overhead)")
    print(f"peak memory {peak_mb:.0f} MB; failed gates: {outcome.failed_gates or 'none'}")

    result = {
        "story": Path(args.story).name, "resolution": [args.width, args.height], "film_frames": frames,
        "rendered_frames": rendered, "wall_seconds": round(wall, 2), "seconds_per_frame": round(wall / frames, 4),
        "per_agent_seconds": {k: round(v, 2) for k, v in per_agent.items()},
        "per_agent_seconds_per_frame": {k: round(v / frames, 4) for k, v in per_agent.items()},
        "per_asset_seconds": {k: round(v, 2) for k, v in per_asset.items()},
        "peak_memory_mb": round(peak_mb, 1), "failed_gates": outcome.failed_gates,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
