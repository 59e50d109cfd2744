"""Prism bench: how well the embedded director reads what each character does from a line's verbs.

Reads talos_assets/data/action_eval.yaml (lines labelled with the characters present and the
expected actions; the file's header defines the labels), reads every line with Prism's action
reader (`direction.action_text.read_actions`) and prints recall and precision on the tuning and
held-out parts (split by sha256 of the text: held out when int(sha256[:8], 16) % 10 < 3), at three
levels: (character, action) pairs, with the target, and with target and prop. Writes
bench/results/action_extraction.json.

    .venv/bin/python bench/action_extraction.py                  # report
    .venv/bin/python bench/action_extraction.py --errors tuning  # also list the tuning lines misread
                                                                 # (the held-out part is never listed)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents.direction.action_text import read_actions  # noqa: E402

EVAL = REPO / "talos_assets" / "data" / "action_eval.yaml"
LEVELS = ("action", "target", "prop")


def split_of(text: str) -> str:
    return "held-out" if int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 10 < 3 else "tuning"


def load_eval(path: Path = EVAL) -> list[dict]:
    return yaml.safe_load(path.read_text())["items"]


def parse_label(label: str) -> tuple[str, str, str | None, str | None]:
    """'pip give mira +book' -> ('pip', 'give', 'mira', 'book')."""
    words = label.split()
    prop = next((w[1:] for w in words[2:] if w.startswith("+")), None)
    target = next((w for w in words[2:] if not w.startswith("+")), None)
    return words[0], words[1], target, prop


def predict(item: dict) -> list[tuple[str, str, str | None, str | None]]:
    acts = read_actions(item["text"], item["characters"], aliases=item.get("aliases"))
    return [(a.character, a.action, a.target, a.prop) for a in acts]


def _level(rows: list[tuple], level: str) -> set[tuple]:
    n = {"action": 2, "target": 3, "prop": 4}[level]
    return {r[:n] for r in rows}


def score(items: list[dict]) -> dict:
    """Per level: recall = hits / expected, precision = hits / predicted (sets per line)."""
    out = {}
    for level in LEVELS:
        tp = expected = claimed = 0
        for it in items:
            exp = _level([parse_label(a) for a in it["actions"]], level)
            got = _level(it["pred"], level)
            tp, expected, claimed = tp + len(exp & got), expected + len(exp), claimed + len(got)
        out[level] = {"recall": round(tp / expected, 4) if expected else None,
                      "precision": round(tp / claimed, 4) if claimed else None,
                      "expected": expected, "predicted": claimed}
    return out


def evaluate(items: list[dict]) -> dict:
    for it in items:
        it["pred"], it["split"] = predict(it), split_of(it["text"])
    parts = {name: [it for it in items if it["split"] == name] for name in ("tuning", "held-out")}
    return {name: {"lines": len(part), "levels": score(part)} for name, part in parts.items()}


def misread(it: dict) -> bool:
    return _level([parse_label(a) for a in it["actions"]], "prop") != _level(it["pred"], "prop")


def _fmt(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.3f}"


def print_table(res: dict) -> None:
    print(f"{'level':<22}" + "".join(f"{p + ' R':>14}{p + ' P':>14}" for p in res))
    names = {"action": "(character, action)", "target": "+ target", "prop": "+ target + prop"}
    for level in LEVELS:
        row = "".join(f"{_fmt(res[p]['levels'][level]['recall']):>14}{_fmt(res[p]['levels'][level]['precision']):>14}"
                      for p in res)
        print(f"{names[level]:<22}{row}")


def _label(row: tuple) -> str:
    c, a, t, p = row
    return " ".join([c, a] + ([t] if t else []) + ([f"+{p}"] if p else []))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["tuning"], help="list the misread lines of the tuning part")
    ap.add_argument("--tuning-only", action="store_true", help="print the tuning part only (while tuning)")
    args = ap.parse_args()
    items = load_eval()
    t0 = time.perf_counter()
    res = evaluate(items)
    secs = time.perf_counter() - t0
    print(f"action eval: {len(items)} lines ({res['tuning']['lines']} tuning / {res['held-out']['lines']} held-out)"
          f", {1000 * secs / len(items):.2f} ms/line")
    print_table({"tuning": res["tuning"]} if args.tuning_only else res)
    if args.errors == "tuning":
        for it in items:
            if it["split"] == "tuning" and misread(it):
                print(f"  {it['text']}  {it['characters']}\n     expected {it['actions']}\n"
                      f"     got      {[_label(r) for r in it['pred']]}")
    if args.tuning_only:
        return
    out = REPO / "bench" / "results" / "action_extraction.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"eval_set": str(EVAL.relative_to(REPO)), "lines": len(items),
                               "ms_per_line": round(1000 * secs / len(items), 3), "parts": res}, indent=1))
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
