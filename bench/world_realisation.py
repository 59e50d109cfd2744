"""Bench: does the film show the world a story line names? (issue 9's realisation measurement)

For every labelled line of talos_assets/data/world_eval.yaml (or only one split), a one-shot story
is rendered through the studio's real Dagster assets at 320x180 (0.5 s at 12 fps) on a fresh home,
and each element the line's label expects is checked by Echo's story fidelity
(`talos_assets.agents.evaluation.story_fidelity`, the same code the pipeline runs on every shot)
against what the shot's stages stored:
  - place / time / weather: the stored plate is the set painted with the labelled value; night is
    darker than the same set at noon; snow brightens the ground; rain / storm / snow / wind outdoors
    leave Stokes's weather layer non-empty (and a dry sky leaves it empty);
  - an expected effect: the plan has that kind and the effect layers carry alpha near its anchor;
  - a prop: Axis placed it, it is drawn on screen, and a held one stays on its holder's hand.
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


# the label's fields as story fidelity's element kinds (one implementation: Echo's `story_fidelity`)
KIND_OF = {"place": "set", "time_of_day": "time", "weather": "weather", "props": "prop", "effects": "effect"}
FIELD_OF = {kind: f for f, kind in KIND_OF.items()}


def _elements(item: dict) -> list:
    """The elements a labelled line names, as story fidelity reads them (a holder read as a studio rig)."""
    from talos_assets.agents.evaluation.story_fidelity import StoryElement

    out = []
    for f in ("place", "time_of_day", "weather"):
        if item.get(f):
            out.append(StoryElement(kind=KIND_OF[f], value=item[f]))
    for prop in item.get("props") or []:
        holder = prop.partition("@")[2]
        out.append(StoryElement(kind="prop", value=prop, character=RIG_FOR.get(holder)))
    out += [StoryElement(kind="effect", value=e) for e in item.get("effects") or []]
    return out


def _check(item: dict, plan_shot, store, settings) -> dict[str, list[tuple[str, bool]]]:
    """Per field, (element, realised) for every element the label expects, checked by Echo's story
    fidelity against what the shot's stages stored (plate, layers, poses, placements)."""
    from talos_assets.agents.evaluation.story_fidelity_store import shot_fidelity_from_store

    checks: dict[str, list[tuple[str, bool]]] = {f: [] for f in FIELDS}
    for c in shot_fidelity_from_store(store, plan_shot, settings.set_dirs, settings.character_dirs,
                                      settings.prop_dirs, elements=_elements(item)):
        checks[FIELD_OF[c.kind]].append((f"{c.expected} ({c.evidence})", c.found))
    return checks


def _render(index: int, item: dict, work: Path, instance) -> tuple[dict, str]:
    import dagster as dg

    from talos_assets.checking import check_story
    from talos_assets.definitions import SHOT_ASSETS, build_resources, defs
    from talos_assets.forge import plan_in_process
    from talos_assets.partitions import shot_key
    from talos_assets.settings import studio_settings

    story_text, _, rig_text = _story_for(index, item["text"])
    story_path = work / f"line{index:03d}.yaml"
    story_path.write_text(story_text)
    settings = studio_settings()
    checked = check_story(story_path, settings)
    plan = checked.plan
    resources = build_resources()
    store = resources["studio"].store()
    assets = list(defs.assets or [])
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    plan_in_process(checked, instance, resources, quiet)
    shot = plan.shots[0]
    dg.materialize(assets, selection=[a.key for a in SHOT_ASSETS], partition_key=shot_key(plan.film_id, shot.slot),
                   instance=instance, resources=resources, run_config=quiet)
    return _check(item, shot, store, settings), rig_text


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
