"""Bench: does one Protoforge round of the critic raise Echo's score of re-rendered held-out shots?

Lines of talos_assets/data/world_eval.yaml become one-shot films (160x90, 1 s at 12 fps) rendered
through the studio's real Dagster assets and judged by Echo's real `evaluation` asset, whose rows go
to Ichor; a shot's score is `evaluation.shot_score.echo_shot_score` of its latest report.

1. Judgements: each training line (the tuning split) is rendered as K candidates
   (`direction.shot_candidates`: the planned shot and seeded variations of camera, lens, acting and
   effect strength) and Echo scores every one.
2. One Protoforge round: the critic is trained on those Ichor rows, registered and promoted
   (`protoforge.train`, champion/challenger by held-out Spearman).
3. Held-out lines (never trained on): for each seed, K candidates are drawn; "before" is the planned
   shot, "after" the critic's pick; both are rendered and scored by Echo.
Prints the table and writes bench/results/critic.json.

    .venv/bin/python bench/critic.py [--train N] [--held-out N] [--k K] [--seeds S]
"""

from __future__ import annotations

import argparse
import hashlib
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

RIGS = ("talos", "mira", "pip")
WIDTH, HEIGHT, FPS = 160, 90, 12


def _story(index: int, text: str) -> str:
    chars = [r for r in RIGS if re.search(rf"\b{r}\b", text, re.IGNORECASE)] or ["talos"]
    shot = {"id": "line", "description": text, "duration": 1.0, "characters": chars}
    return yaml.safe_dump({"title": f"Critic {index:03d}", "id": f"critic-{index:03d}", "fps": FPS,
                           "resolution": [WIDTH, HEIGHT], "shots": [shot]})


class Judge:
    """Renders a one-shot film from a given ShotPlan and returns Echo's score of it (cached by plan)."""

    def __init__(self, work: Path, instance):
        from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS, build_resources, defs

        self.work, self.instance = work, instance
        self.resources = build_resources()
        self.store = self.resources["studio"].store()
        self.vault = self.resources["ichor"].vault()
        self.assets = list(defs.assets or [])
        self.shot_keys = [a.key for a in SHOT_ASSETS]
        self.edit_keys = [a.key for a in FILM_ASSETS[1:]]  # the plan is written here, not re-read from the check
        self.cache: dict[str, float] = {}
        self.renders = 0

    def plan_of(self, index: int, text: str):
        from talos_assets.checking import check_story
        from talos_assets.settings import studio_settings

        path = self.work / f"line{index:03d}.yaml"
        path.write_text(_story(index, text))
        return check_story(path, studio_settings()).plan

    def score(self, plan, shot) -> float:
        import dagster as dg

        from talos_assets.agents.evaluation.shot_score import echo_shot_score
        from talos_assets.partitions import shot_key

        digest = hashlib.sha256(shot.model_dump_json(exclude={"film_id"}).encode()).hexdigest()[:12]
        if digest in self.cache:
            return self.cache[digest]
        film_id = f"{plan.film_id}-{digest[:8]}"
        shot = shot.model_copy(update={"film_id": film_id})
        film = plan.model_copy(update={"film_id": film_id, "shots": [shot]})
        self.vault.register_film(film_id, film.title, "bench", "", FPS, WIDTH, HEIGHT, palette=film.palette.name,
                                 shots=[dict(shot_id=shot.shot_id, slot=shot.slot, position=0, description=shot.description,
                                             emotion=shot.emotion.value, frames=shot.frames, plan_json=shot.model_dump_json())])
        self.instance.add_dynamic_partitions("films", [film_id])
        self.store.write_checked_plan(film)
        self.store.write_plan(film)
        quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        dg.materialize(self.assets, selection=self.shot_keys, partition_key=shot_key(film_id, shot.slot),
                       instance=self.instance, resources=self.resources, run_config=quiet)
        dg.materialize(self.assets, selection=self.edit_keys, partition_key=film_id, instance=self.instance,
                       resources=self.resources, run_config=quiet, raise_on_error=False)
        from protoforge.data.judgements import latest_report

        report, _ = latest_report(self.vault.evaluations(film_id))
        metrics = {r.metric: r.value for r in report if r.shot_id == shot.shot_id}
        self.renders += 1
        self.cache[digest] = echo_shot_score(metrics)
        return self.cache[digest]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=24, help="training lines (tuning split)")
    parser.add_argument("--held-out", type=int, default=10, help="held-out lines")
    parser.add_argument("--k", type=int, default=3, help="candidates per shot")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    items, _ = load_eval()
    tuning = [(i, it["text"]) for i, it in enumerate(items) if split_of(it["text"]) == "tuning"][: args.train]
    held = [(i, it["text"]) for i, it in enumerate(items) if split_of(it["text"]) == "held-out"][: args.held_out]
    work = Path(tempfile.mkdtemp(prefix="talos-critic-"))
    os.environ.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
                      DAGSTER_HOME=str(work / "home" / "dagster"))
    import dagster as dg

    from protoforge.config import TrainConfig
    from protoforge.train import train
    from talos_assets.agents.direction.candidates import pick_candidate, shot_candidates
    from talos_assets.agents.evaluation.acting_preview import acting_preview
    from talos_assets.defs.direction import lab_critic
    from talos_assets.home import prepare_home

    prepare_home()
    started = time.perf_counter()
    (work / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(work / "dagster")) as instance:
        judge = Judge(work, instance)
        train_scores = []
        for n, (i, text) in enumerate(tuning):
            plan = judge.plan_of(i, text)
            for cand in shot_candidates(plan.shots[0], args.k, np.random.default_rng([i, 99])):
                train_scores.append(judge.score(plan, cand))
            print(f"[train {n + 1}/{len(tuning)}] {text[:60]}", flush=True)
        judged_s = time.perf_counter() - started
        mlflow = judge.resources["mlflow"]
        cfg = TrainConfig(agent="critic", ichor_url=judge.resources["ichor"].url, mlflow_tracking_uri=mlflow.tracking_uri,
                          mlflow_artifact_location=mlflow.artifact_location, max_epochs=150, batch_size=16,
                          val_fraction=0.25, cpu_threads=1)
        result = train(cfg)
        predict, critic = lab_critic(judge.vault, mlflow)
        per_seed = []
        for seed in range(args.seeds):
            before, after, changed = [], [], 0
            for i, text in held:
                plan = judge.plan_of(i, text)
                cands = shot_candidates(plan.shots[0], args.k, np.random.default_rng([seed, i, 7]))
                chosen, _ = pick_candidate(cands, predict, preview=acting_preview)  # built-in rigs and props
                changed += chosen is not cands[0]
                before.append(judge.score(plan, cands[0]))
                after.append(judge.score(plan, chosen))
            b, a = np.array(before), np.array(after)
            ok = np.isfinite(b) & np.isfinite(a)
            per_seed.append({"seed": seed, "before": float(b[ok].mean()), "after": float(a[ok].mean()),
                             "delta": float((a[ok] - b[ok]).mean()), "shots": int(ok.sum()), "changed": changed})
            print(f"[held-out seed {seed}] before {per_seed[-1]['before']:.4f} after {per_seed[-1]['after']:.4f}", flush=True)
    deltas = np.array([s["delta"] for s in per_seed])
    out = {"train_lines": len(tuning), "held_out_lines": len(held), "k": args.k, "resolution": [WIDTH, HEIGHT],
           "renders": judge.renders, "judging_seconds": round(judged_s, 1),
           "seconds": round(time.perf_counter() - started, 1), "train_score_mean": float(np.nanmean(train_scores)),
           "train_score_std": float(np.nanstd(train_scores)), "critic": critic, "promotion": result.promotion_reason,
           "critic_metrics": {k: round(v, 4) for k, v in result.metrics.items()}, "per_seed": per_seed,
           "delta_mean": float(deltas.mean()), "delta_std": float(deltas.std())}
    print(f"\ncritic: {critic}; {result.promotion_reason}")
    print(f"{'seed':>5}{'before':>10}{'after':>10}{'delta':>10}{'changed':>9}")
    for s in per_seed:
        print(f"{s['seed']:>5}{s['before']:>10.4f}{s['after']:>10.4f}{s['delta']:>+10.4f}{s['changed']:>6}/{s['shots']}")
    print(f"mean delta {out['delta_mean']:+.4f} +/- {out['delta_std']:.4f} over {args.seeds} seeds; "
          f"{judge.renders} renders in {out['seconds']:.0f} s")
    (REPO / "bench" / "results" / "critic.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
