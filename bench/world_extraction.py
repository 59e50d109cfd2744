"""Prism bench: how well the embedded director reads a story's world from text.

Reads talos_assets/data/world_eval.yaml (story lines labelled with their place, time of day,
weather, props and effects; the file's header defines the labels), reads every line with Prism's
world reader (`direction.world.read_line`) and prints recall and precision per field on the tuning
and held-out parts (split by sha256 of the text: held out when int(sha256[:8], 16) % 10 < 3).
A field a line does not state counts towards neither recall nor, unless the reader claims
something for it, precision. Writes bench/results/world_extraction.json.

    .venv/bin/python bench/world_extraction.py                  # report
    .venv/bin/python bench/world_extraction.py --errors tuning  # also list the tuning lines misread
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

from talos_assets.agents.direction.vocabulary import vocabulary_index  # noqa: E402
from talos_assets.agents.direction.world_reading import read_line  # noqa: E402

EVAL = REPO / "talos_assets" / "data" / "world_eval.yaml"
FIELDS = ("place", "time_of_day", "weather", "props", "holders", "effects", "effect_kinds")
SCALARS = ("place", "time_of_day", "weather")


def split_of(text: str) -> str:
    return "held-out" if int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 10 < 3 else "tuning"


def load_eval(path: Path = EVAL) -> tuple[list[dict], list[str]]:
    data = yaml.safe_load(path.read_text())
    return data["items"], data.get("cast", [])


def predict(text: str, cast: list[str]) -> dict:
    """The reader's answer in the label format (None / [] where it claims nothing)."""
    line = read_line(text, vocabulary_index(), {c: c for c in cast})
    s = line.setting
    props = [p.prop + (f"@{p.holder or 'held'}" if p.held else "") for p in line.props]
    effects = [e.kind.value + (f"@{e.anchor}" if e.anchor else ("@behind" if e.behind else "")) for e in line.effects]
    return {"place": s.place, "time_of_day": s.time_of_day.value if s.time_of_day else None,
            "weather": s.weather.value if s.weather else None, "props": props, "effects": effects}


def _sets(item: dict, field: str) -> tuple[set, set]:
    """(expected, predicted) as sets for a list field; holders keep only the held props, effect_kinds
    only the kinds (effects are scored with their anchors)."""
    key = {"holders": "props", "effect_kinds": "effects"}.get(field, field)
    exp, pred = set(item.get(key) or []), set(item["pred"][key])
    if field in ("props", "effect_kinds"):
        return {e.split("@")[0] for e in exp}, {p.split("@")[0] for p in pred}
    if field == "holders":
        return {e for e in exp if "@" in e}, {p for p in pred if "@" in p}
    return exp, pred


def score(items: list[dict]) -> dict:
    """Per field: recall = hits / stated, precision = correct claims / claims."""
    out = {}
    for field in FIELDS:
        tp = stated = claimed = 0
        for it in items:
            if field in SCALARS:
                exp, pred = it.get(field), it["pred"][field]
                stated += exp is not None
                claimed += pred is not None
                tp += exp is not None and pred == exp
            else:
                exp, pred = _sets(it, field)
                stated, claimed, tp = stated + len(exp), claimed + len(pred), tp + len(exp & pred)
        out[field] = {"recall": round(tp / stated, 4) if stated else None,
                      "precision": round(tp / claimed, 4) if claimed else None, "stated": stated, "claimed": claimed}
    return out


def misread(it: dict) -> bool:
    for field in FIELDS:
        if field in SCALARS:
            if it.get(field) != it["pred"][field]:
                return True
        elif _sets(it, field)[0] != _sets(it, field)[1]:
            return True
    return False


def evaluate(items: list[dict], cast: list[str]) -> dict:
    for it in items:
        it["pred"], it["split"] = predict(it["text"], cast), split_of(it["text"])
    parts = {name: [it for it in items if it["split"] == name] for name in ("tuning", "held-out")}
    return {name: {"lines": len(part), "fields": score(part)} for name, part in parts.items()}


def _fmt(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.3f}"


def print_table(res: dict) -> None:
    print(f"{'field':<12}" + "".join(f"{p + ' R':>14}{p + ' P':>14}" for p in res))
    for field in FIELDS:
        row = "".join(f"{_fmt(res[p]['fields'][field]['recall']):>14}{_fmt(res[p]['fields'][field]['precision']):>14}"
                      for p in res)
        print(f"{field:<12}{row}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["tuning"], help="list the misread lines of the tuning part")
    ap.add_argument("--tuning-only", action="store_true", help="print the tuning part only (while tuning)")
    args = ap.parse_args()
    items, cast = load_eval()
    t0 = time.perf_counter()
    res = evaluate(items, cast)
    secs = time.perf_counter() - t0
    print(f"world eval: {len(items)} lines ({res['tuning']['lines']} tuning / {res['held-out']['lines']} held-out)"
          f", {1000 * secs / len(items):.2f} ms/line")
    print_table({"tuning": res["tuning"]} if args.tuning_only else res)
    if args.errors == "tuning":
        for it in items:
            if it["split"] == "tuning" and misread(it):
                exp = {k: it.get(k) for k in ("place", "time_of_day", "weather", "props", "effects") if it.get(k)}
                got = {k: v for k, v in it["pred"].items() if v}
                print(f"  {it['text']}\n     expected {exp}\n     got      {got}")
    out = REPO / "bench" / "results" / "world_extraction.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"eval_set": str(EVAL.relative_to(REPO)), "lines": len(items),
                               "ms_per_line": round(1000 * secs / len(items), 3), "parts": res}, indent=1))
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
