"""Bench: does the film show the world a story line names? (issue 9's realisation measurement)

For every labelled line of talos_assets/data/world_eval.yaml (or only one split), a one-shot story
is rendered through the studio's real Dagster assets at 320x180 (0.5 s at 12 fps) on a fresh home,
and each element the line's label expects is checked from what the render used -- the set, time of
day and weather recorded by Raygen's `lit_frames`, the props by Axis's `key_poses`, the effects and
weather layers by Stokes's `effect_layers` (their materialization metadata) -- and from the pixels
where they can be measured:
  - night: the shot's plate is darker than the same set painted at noon;
  - snow: the plate's ground (lower third) is brighter than the same set painted clear;
  - rain / storm / snow / wind outdoors: Stokes's weather layer is non-empty;
  - an expected effect: the effect layers (in front of and behind the characters) are non-empty;
  - a prop: Axis placed it (metadata only).
Names of the labelled cast that are not studio rigs are read as rigs of this studio (Ada -> Mira...).
Prints per-field realisation and writes bench/results/world_realisation.json.

    .venv/bin/python bench/world_realisation.py [--split held-out|tuning|all] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from world_extraction import load_eval, split_of  # noqa: E402

# the labelled cast beyond the studio's rigs, read as rigs of this studio
RIG_FOR = {"talos": "talos", "mira": "mira", "pip": "pip", "ada": "mira", "ben": "pip", "lena": "mira",
           "omar": "talos", "rosa": "mira"}
FIELDS = ("place", "time_of_day", "weather", "props", "effects")
WIDTH, HEIGHT, FPS = 320, 180, 12


def _story_for(index: int, text: str) -> tuple[str, list[str], str]:
    """(story YAML, the shot's characters, the text with the cast read as studio rigs)."""
    rig_text = text
    for name, rig in RIG_FOR.items():
        rig_text = re.sub(rf"\b{name}\b", rig.capitalize(), rig_text, flags=re.IGNORECASE)
    chars = [r for r in dict.fromkeys(RIG_FOR[n] for n in RIG_FOR if re.search(rf"\b{n}\b", text, re.IGNORECASE))]
    shot = {"id": "line", "description": rig_text, "duration": 0.5, "characters": chars or ["talos"]}
    story = {"title": f"Realisation {index:03d}", "id": f"real-{index:03d}", "fps": FPS,
             "resolution": [WIDTH, HEIGHT], "shots": [shot]}
    return yaml.safe_dump(story), chars, rig_text


def _metadata(result) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        out[mat.asset_key.to_user_string()] = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    return out


def _luma(rgb: np.ndarray) -> float:
    return float(np.mean(rgb[..., :3] @ np.array([0.2126, 0.7152, 0.0722], np.float32)))


def _plate_variant(plan_shot, set_dirs, **changes) -> np.ndarray:
    from talos_assets.agents import sets

    setting = plan_shot.setting.model_copy(update=changes)
    spec = sets.load_set(setting.place, set_dirs)
    return sets.paint_set(spec, setting, plan_shot.palette, WIDTH, HEIGHT, seed=plan_shot.scene_index)


def _effect_coverage(store, shot, layers: tuple[str, ...] = ("effects", "effects_back")) -> float:
    """Mean fraction of the frame an effect layer covers (alpha > 0.02), over a few frames."""
    from talos_assets.agents.frames import read_layer
    from talos_assets.stores.studio import Layer

    covered = []
    for name in layers:
        seq = store.frames(shot, Layer(name))
        files = [seq.path(f) for f in range(shot.total_frames) if seq.path(f).exists()]
        covered += [np.mean(read_layer(p)[..., 3] > 0.02) for p in files[:: max(1, len(files) // 4)]]
    return float(np.mean(covered)) if covered else 0.0


def _check(item: dict, plan_shot, meta: dict[str, dict], store, set_dirs) -> dict[str, list[tuple[str, bool]]]:
    """Per field, (element, realised) for every element the label expects."""
    from talos_assets.agents.frames import read_layer

    lit = meta.get("raygen_lighting/lit_frames", meta.get("lit_frames", {}))
    keys = meta.get("axis_key_animation/key_poses", meta.get("key_poses", {}))
    fx = meta.get("stokes_effects/effect_layers", meta.get("effect_layers", {}))
    checks: dict[str, list[tuple[str, bool]]] = {f: [] for f in FIELDS}
    if item.get("place"):
        checks["place"].append((item["place"], lit.get("set_id") == item["place"]))
    plate = read_layer(store.background_path(plan_shot))
    if item.get("time_of_day"):
        ok = lit.get("time_of_day") == item["time_of_day"]
        if ok and item["time_of_day"] == "night":
            ok = _luma(plate) < 0.7 * _luma(_plate_variant(plan_shot, set_dirs, time_of_day="noon"))
        checks["time_of_day"].append((item["time_of_day"], ok))
    coverage = None
    if item.get("weather"):
        weather = item["weather"]
        ok = lit.get("weather") == weather
        if ok and weather in ("rain", "storm", "snow", "wind") and not lit.get("set_interior"):  # no rain indoors
            ok = _effect_coverage(store, plan_shot, ("weather",)) > 0.0005
        if ok and weather == "snow" and not lit.get("set_interior"):  # snow covers the ground outdoors only
            clear = _plate_variant(plan_shot, set_dirs, weather="clear")
            ok = _luma(plate[HEIGHT * 2 // 3:]) > _luma(clear[HEIGHT * 2 // 3:])
        checks["weather"].append((weather, ok))
    placed = str(keys.get("prop_ids", "")).replace(",", " ").split()
    for prop in item.get("props") or []:
        checks["props"].append((prop, prop.split("@")[0] in placed))
    kinds = str(fx.get("effects", "")).replace(",", " ").split()
    for effect in item.get("effects") or []:
        kind = effect.split("@")[0]
        if kind in kinds and coverage is None:
            coverage = _effect_coverage(store, plan_shot)
        checks["effects"].append((effect, kind in kinds and (coverage or 0.0) > 0.0005))
    return checks


def _render(index: int, item: dict, work: Path, instance) -> tuple[dict, str]:
    import dagster as dg

    from talos_assets.checking import check_story
    from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS, build_resources, defs
    from talos_assets.partitions import shot_key
    from talos_assets.settings import studio_settings
    from talos_assets.stores.ichor import IchorVault

    story_text, _, rig_text = _story_for(index, item["text"])
    story_path = work / f"line{index:03d}.yaml"
    story_path.write_text(story_text)
    settings = studio_settings()
    checked = check_story(story_path, settings)
    plan = checked.plan
    resources = build_resources()
    store = resources["studio"].store()
    IchorVault(resources["ichor"].url).register_film(plan.film_id, plan.title, str(story_path), story_text, FPS,
                                                     WIDTH, HEIGHT, palette=plan.palette.name, shots=[])
    instance.add_dynamic_partitions("films", [plan.film_id])
    store.write_checked_plan(plan)
    assets = list(defs.assets or [])
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    dg.materialize(assets, selection=[FILM_ASSETS[0].key], partition_key=plan.film_id, instance=instance,
                   resources=resources, run_config=quiet)
    shot = plan.shots[0]
    result = dg.materialize(assets, selection=[a.key for a in SHOT_ASSETS], partition_key=shot_key(plan.film_id, shot.slot),
                            instance=instance, resources=resources, run_config=quiet)
    return _check(item, shot, _metadata(result), store, settings.set_dirs), rig_text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("held-out", "tuning", "all"), default="held-out")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    items, _ = load_eval()
    chosen = [(i, it) for i, it in enumerate(items) if args.split == "all" or split_of(it["text"]) == args.split]
    if args.limit:
        chosen = chosen[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="talos-realise-"))
    os.environ.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
                      DAGSTER_HOME=str(work / "home" / "dagster"))
    import dagster as dg

    from talos_assets.home import prepare_home

    prepare_home()
    totals = {f: [0, 0] for f in FIELDS}
    misses: list[str] = []
    started = time.perf_counter()
    (work / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(work / "dagster")) as instance:
        for n, (i, item) in enumerate(chosen):
            checks, rig_text = _render(i, item, work, instance)
            for field, results in checks.items():
                for element, ok in results:
                    totals[field][0] += ok
                    totals[field][1] += 1
                    if not ok:
                        misses.append(f"{field} {element}: {rig_text}")
            print(f"[{n + 1}/{len(chosen)}] {rig_text[:70]}", flush=True)
    seconds = time.perf_counter() - started
    rows = {f: {"realised": t[0], "expected": t[1], "fraction": round(t[0] / t[1], 3) if t[1] else None}
            for f, t in totals.items()}
    all_ok, all_n = sum(t[0] for t in totals.values()), sum(t[1] for t in totals.values())
    print(f"\nrealisation on {len(chosen)} {args.split} lines at {WIDTH}x{HEIGHT} ({seconds:.0f} s)")
    print(f"{'field':<14}{'realised':>10}{'expected':>10}{'fraction':>10}")
    for f, r in rows.items():
        print(f"{f:<14}{r['realised']:>10}{r['expected']:>10}{(r['fraction'] if r['fraction'] is not None else '-'):>10}")
    print(f"{'all':<14}{all_ok:>10}{all_n:>10}{round(all_ok / max(1, all_n), 3):>10}")
    for m in misses:
        print("  missed:", m)
    out = REPO / "bench" / "results" / "world_realisation.json"
    out.write_text(json.dumps({"split": args.split, "lines": len(chosen), "resolution": [WIDTH, HEIGHT],
                               "seconds": round(seconds, 1), "fields": rows,
                               "all": {"realised": all_ok, "expected": all_n,
                                       "fraction": round(all_ok / max(1, all_n), 3)},
                               "missed": misses}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
