"""Benchmark of Prism's emotion reading on real text: accuracy and the share of lines left at a default.

- Accuracy of the named emotion on talos_assets/data/emotion_eval.yaml, on the tuning (train) and
  held-out (test) halves (fixed by a hash of each line's text), and on the held-out part's groups:
  the original lines, the plain dialogue and the plain action lines added for issue 10, and the lines
  read after a scene's context (`context:` items, read with `emotion_context.read_in_context`).
- Fallback share: the fraction of lines that end at the caller's default emotion, read alone
  (`affect.analyze_affect`: no evidence in the line) and read in context (no evidence in the line,
  the previous beat or the scene), on the held-out lines, on the dialogue-heavy example
  examples/lighthouse_keepers.fountain and on every examples/*.fountain (each action paragraph and
  dialogue line a beat, as Prism directs it, with the parenthetical read before the line).
- The held-out part split by where its lines came from: the first 259 lines, and the second batch of
  160 plain lines (`batch: s4`, written in one go before Prism read any of them), the later batches
  (`s8`; `s11` and `s12`, each written by a helper that never saw Prism's code); and a confusion
  matrix (label x emotion read) per half, as counts only.
Prints a table and writes bench/results/emotion_eval.json. Usage: `python bench/emotion_eval.py
[--errors train]` (lists the misread tuning lines; the held-out lines are never listed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents.direction.affect import analyze_affect  # noqa: E402
from talos_assets.agents.direction.emotion_context import read_in_context  # noqa: E402
from talos_assets.agents.direction.screenplay import beats_from_screenplay  # noqa: E402

EVAL = REPO / "talos_assets" / "data" / "emotion_eval.yaml"
RESULTS = REPO / "bench" / "results" / "emotion_eval.json"
CAST = ["talos", "mira", "pip"]


def read_item(item: dict):
    """The affect of an evaluation line: alone, or after its `context` lines in the same scene."""
    if item.get("context"):
        return read_in_context([(0, t) for t in [*item["context"], item["text"]]])[-1]
    return analyze_affect(item["text"])


def group(item: dict) -> str:
    if item.get("context"):
        return "context"
    return {"dialogue": "plain dialogue", "action": "plain action"}.get(item.get("kind", ""), "original")


def score(items: list[dict]) -> dict:
    rows = [{**it, "pred": (a := read_item(it)).emotion.value, "fallback": a.neutral,
             "fallback_alone": analyze_affect(it["text"]).neutral} for it in items]

    def acc(sel) -> dict:
        s = [r for r in rows if sel(r)]
        return {"n": len(s), "accuracy": round(sum(r["pred"] == r["label"] for r in s) / max(1, len(s)), 4),
                "fallback_alone": round(sum(r["fallback_alone"] for r in s) / max(1, len(s)), 4),
                "fallback_in_context": round(sum(r["fallback"] for r in s) / max(1, len(s)), 4)}

    out = {"train": acc(lambda r: r["split"] == "train"), "test": acc(lambda r: r["split"] == "test"),
           "full": acc(lambda r: True),
           "test/first 259 lines": acc(lambda r: r["split"] == "test" and not r.get("batch")),
           "test/batch s4": acc(lambda r: r["split"] == "test" and r.get("batch") == "s4"),
           "train/batch s4": acc(lambda r: r["split"] == "train" and r.get("batch") == "s4"),
           "test/batch s8": acc(lambda r: r["split"] == "test" and r.get("batch") == "s8"),
           "train/batch s8": acc(lambda r: r["split"] == "train" and r.get("batch") == "s8"),
           "test/batch s11": acc(lambda r: r["split"] == "test" and r.get("batch") == "s11"),
           "train/batch s11": acc(lambda r: r["split"] == "train" and r.get("batch") == "s11"),
           "test/batch s12": acc(lambda r: r["split"] == "test" and r.get("batch") == "s12"),
           "train/batch s12": acc(lambda r: r["split"] == "train" and r.get("batch") == "s12")}
    for g in ("original", "plain dialogue", "plain action", "context"):
        out[f"test/{g}"] = acc(lambda r, g=g: r["split"] == "test" and group(r) == g)
    recall = {}  # held-out recall per label (counts only: the held-out lines are never listed)
    for label in sorted({r["label"] for r in rows}):
        s = [r for r in rows if r["split"] == "test" and r["label"] == label]
        recall[label] = round(sum(r["pred"] == label for r in s) / max(1, len(s)), 3)
    confusion = {split: confusion_counts([r for r in rows if r["split"] == split]) for split in ("train", "test")}
    return {"groups": out, "rows": rows, "test_recall": recall, "confusion": confusion}


def confusion_counts(rows: list[dict]) -> dict[str, dict[str, int]]:
    """label -> predicted emotion -> count (counts only: no line is named)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["label"], {}).setdefault(r["pred"], 0)
        out[r["label"]][r["pred"]] += 1
    return out


def print_confusion(name: str, conf: dict[str, dict[str, int]]) -> None:
    labels = sorted(conf)
    print(f"\n{name} confusion (rows: label, columns: read as)")
    print(f"{'':<14}" + "".join(f"{lab[:6]:>7}" for lab in labels))
    for lab in labels:
        print(f"{lab:<14}" + "".join(f"{conf[lab].get(p, 0):>7}" for p in labels))


def screenplay_fallback(path: Path) -> dict:
    """Fallback shares and the emotion histogram of a Fountain screenplay's beats."""
    beats, scenes, _ = beats_from_screenplay(path.read_text(), {}, CAST)
    texts = [f"{b.parenthetical} {b.text}".strip() for b in beats]
    alone = [analyze_affect(t) for t in texts]
    ctx = read_in_context([(b.scene, t) for b, t in zip(beats, texts)], [s.heading for s in scenes])
    n = max(1, len(beats))
    dialogue = [i for i, b in enumerate(beats) if b.kind == "dialogue"]
    return {"file": str(path.relative_to(REPO)), "lines": len(beats), "dialogue": len(dialogue),
            "fallback_alone": round(sum(a.neutral for a in alone) / n, 4),
            "fallback_in_context": round(sum(a.neutral for a in ctx) / n, 4),
            "dialogue_fallback_alone": round(sum(alone[i].neutral for i in dialogue) / max(1, len(dialogue)), 4),
            "emotions": dict(Counter(a.emotion.value for a in ctx).most_common())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["train"], help="list the misread lines of the tuning half")
    args = ap.parse_args()
    items = yaml.safe_load(EVAL.read_text())["items"]
    t0 = time.perf_counter()
    res = score(items)
    ms = 1000 * (time.perf_counter() - t0) / len(items)
    print(f"emotion eval: {len(items)} lines, {ms:.2f} ms/line")
    print(f"{'set':<22}{'n':>5}{'accuracy':>10}{'fallback alone':>16}{'in context':>12}")
    for name, g in res["groups"].items():
        print(f"{name:<22}{g['n']:>5}{g['accuracy']:>10.3f}{g['fallback_alone']:>16.3f}{g['fallback_in_context']:>12.3f}")
    print("held-out recall per label: " + ", ".join(f"{k} {v:.2f}" for k, v in res["test_recall"].items()))
    for split in ("train", "test"):
        print_confusion({"train": "tuning", "test": "held-out"}[split], res["confusion"][split])
    plays = [screenplay_fallback(p) for p in sorted((REPO / "examples").glob("*.fountain"))]
    print(f"\n{'screenplay':<40}{'lines':>6}{'dialog':>7}{'fallback alone':>16}{'in context':>12}")
    for p in plays:
        print(f"{p['file']:<40}{p['lines']:>6}{p['dialogue']:>7}{p['fallback_alone']:>16.3f}"
              f"{p['fallback_in_context']:>12.3f}   {p['emotions']}")
    if args.errors == "train":
        for r in res["rows"]:
            if r["split"] == "train" and r["pred"] != r["label"]:
                print(f"  [{r['label']} -> {r['pred']}] {r['text']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"eval_set": str(EVAL.relative_to(REPO)), "lines": len(items),
                                   "ms_per_line": round(ms, 3), "groups": res["groups"],
                                   "test_recall": res["test_recall"], "confusion": res["confusion"],
                                   "screenplays": plays}, indent=1))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
