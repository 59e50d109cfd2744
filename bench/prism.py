"""Prism bench: emotion accuracy on the labelled evaluation set, and direction speed.

Reads talos_assets/data/emotion_eval.yaml (text + label + a fixed train/test split), classifies every
line with the embedded director's affect model (lexicon + VADER-style rules -> named emotion),
prints accuracy on the train split, the held-out test split and the full set, the confusion matrix
(rows = label, columns = prediction), and the time to direct the Fountain example. Writes
bench/results/prism.json.

    .venv/bin/python bench/prism.py                 # report
    .venv/bin/python bench/prism.py --errors train  # also list the misread TRAIN lines (for tuning;
                                                    # the test split is never listed)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents import direction  # noqa: E402
from talos_assets.spec import Emotion  # noqa: E402

EVAL = REPO / "talos_assets" / "data" / "emotion_eval.yaml"


def load_eval(path: Path = EVAL) -> list[dict]:
    return yaml.safe_load(path.read_text())["items"]


def evaluate(items: list[dict]) -> dict:
    labels = [e.value for e in Emotion]
    confusion = {a: {b: 0 for b in labels} for a in labels}
    per_split: dict[str, list[bool]] = {"train": [], "test": []}
    rows = []
    for it in items:
        pred = direction.classify_emotion(it["text"]).value
        confusion[it["label"]][pred] += 1
        per_split[it["split"]].append(pred == it["label"])
        rows.append({**it, "pred": pred})
    acc = {k: (sum(v) / len(v) if v else None) for k, v in per_split.items()}
    allv = per_split["train"] + per_split["test"]
    acc["full"] = sum(allv) / len(allv)
    return {"accuracy": acc, "counts": {k: len(v) for k, v in per_split.items()}, "confusion": confusion, "rows": rows}


def print_confusion(confusion: dict) -> None:
    labels = list(confusion)
    short = [lab[:5] for lab in labels]
    print(f"{'label / pred':<14}" + "".join(f"{s:>7}" for s in short) + "  recall")
    for lab in labels:
        row = confusion[lab]
        total = sum(row.values())
        print(f"{lab:<14}" + "".join(f"{row[p]:>7}" for p in labels) + f"  {row[lab] / max(1, total):.2f}")


def time_direction() -> dict:
    from talos_assets.agents.key_animation import available_characters, plan_key_poses
    from talos_assets.stores.ichor import BUILTIN_PALETTES
    from talos_assets.spec import Palette
    from talos_assets.story import load_story

    story_path = REPO / "examples" / "fountain_short.yaml"
    story, _ = load_story(story_path)
    palette = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])
    cast = available_characters()
    t0 = time.perf_counter()
    plan = direction.direct_film(story, palette, story_path=story_path, cast=cast)
    t1 = time.perf_counter()
    poses = [plan_key_poses(s) for s in plan.shots]  # Axis's work: the camera frames the key poses
    t2 = time.perf_counter()
    keys = sum(len(direction.camera_plan(s, p)) for s, p in zip(plan.shots, poses))
    t3 = time.perf_counter()
    return {"story": story_path.name, "shots": len(plan.shots), "scenes": len(plan.scenes),
            "direct_s": round(t1 - t0, 4), "camera_keys": keys, "camera_plan_s": round(t3 - t2, 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["train"], help="list misclassified lines of the train split")
    args = ap.parse_args()
    items = load_eval()
    t0 = time.perf_counter()
    res = evaluate(items)
    secs = time.perf_counter() - t0
    acc = res["accuracy"]
    print(f"emotion eval: {len(items)} lines ({res['counts']['train']} train / {res['counts']['test']} held-out test)")
    print(f"accuracy  train {acc['train']:.3f}   test {acc['test']:.3f}   full {acc['full']:.3f}"
          f"   ({1000 * secs / len(items):.2f} ms/line)")
    print_confusion(res["confusion"])
    if args.errors == "train":
        for r in res["rows"]:
            if r["split"] == "train" and r["pred"] != r["label"]:
                print(f"  [{r['label']} -> {r['pred']}] {r['text']}")
    timing = time_direction()
    print(f"direction: {timing}")
    out = REPO / "bench" / "results" / "prism.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "eval_set": str(EVAL.relative_to(REPO)), "lines": len(items), "counts": res["counts"],
        "accuracy": {k: round(v, 4) for k, v in acc.items()}, "confusion": res["confusion"],
        "ms_per_line": round(1000 * secs / len(items), 3), "direction": timing,
    }, indent=1))
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
