"""Bench: Echo's CLIP, trained on generated films and set plates, judged on films it never saw.

Films are generated from combinations of sets, times, weather, props, effects, actions and emotions
(protoforge.data.story_films), rendered through the studio's real Dagster assets at 128x72 and cached;
they are split by the SHA-256 of their story text into train / tuning / held-out. Training sees the
train films' frames with paraphrased scene-graph captions (protoforge.data.captions) and the set
agent's plates of every (set, time, weather) world no tuning or held-out shot shows. The measure:
for each held-out film, each shot's caption (a paraphrase drawn with the evaluation seed) must rank
that shot first among the film's shots (top-1 text-to-shot retrieval; chance = 1 / shots per film),
per caption and with the shot's three captions pooled (what Echo's gate reads). The model is
registered in an MLflow registry (safetensors verified by hash) and takes @champion only if it beats
the holder on the tuning films. Prints a table and writes bench/results/echo_retrieval.json.

The split (protoforge.data.story_films.split_of, recorded in the JSON as `split_rule`): a film's bucket
is the first 32 bits of the SHA-256 of its story text mod 100; buckets 0-34 are held-out, 35-49 tuning,
50-99 train. Films are split whole, never by shot. Training sees only train films (a train shot whose
scene graph equals an evaluated shot's is dropped) and plates of worlds no evaluated shot shows; no
training caption equals an evaluation caption or contains a line of an evaluated film's text. The tuning
films choose the epoch during the fit; the held-out films are not in the training file and are scored
only here, after the fit. Only films cached when `prepare` wrote the training file count.

Three stages, so the fit can run on an accelerator machine that lacks the studio's stack:
    .venv/bin/python bench/echo_retrieval.py prepare --films 100 --render   # render/cache films (~10 s each on
                                                                            # 2 CPUs), paint plates, write the training file
    python3 bench/echo_clip_fit.py /tmp/echo-clip-data/echo_clip_data.npz /tmp/echo-clip-fit --minutes 13.5 --batch 128
    .venv/bin/python bench/echo_retrieval.py evaluate --films 100           # held-out/tuning retrieval, register, JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

# sized to fit a 12-minute fit on two shared CPU cores (about 2 s a step of 128)
NET = dict(image_size=48, embed_dim=64, patch_size=8, vision_width=96, vision_layers=2, vision_head_width=32,
           text_width=64, text_heads=4, text_layers=2, context_length=48)
N_EVAL_CAPTIONS = 3


def film_retrieval(net, films) -> dict:
    """Top-1 retrieval over `films`: per caption (each of a shot's paraphrases alone) and pooled."""
    from protoforge.data.captions import captions_for
    from protoforge.data.film_captions import EVAL_SEED
    from talos_assets.agents.evaluation.alignment import caption_retrieval

    per_caption, pooled, margins, chance = [], [], [], []
    for film in films:
        clips = {f"s{i}": list(frames) for i, frames in enumerate(film.frames)}
        caps = {f"s{i}": captions_for(s, N_EVAL_CAPTIONS, EVAL_SEED) for i, s in enumerate(film.scenes)}
        for k in range(N_EVAL_CAPTIONS):
            one = caption_retrieval(net, clips, {slot: c[k : k + 1] for slot, c in caps.items()})
            per_caption += [r.top1 for r in one.values()]
        both = caption_retrieval(net, clips, caps)
        pooled += [r.top1 for r in both.values()]
        margins += [r.margin for r in both.values()]
        chance += [1.0 / len(film.scenes)] * len(film.scenes)
    n = max(1, len(pooled))
    return {"films": len(films), "shots": len(pooled), "top1_per_caption": round(float(np.mean(per_caption or [0])), 4),
            "top1_pooled": round(sum(pooled) / n, 4), "mean_margin": round(float(np.mean(margins or [0])), 4),
            "chance": round(float(np.mean(chance or [0])), 4)}


def register(net, val_set, tracking_uri: str, metrics: dict, run_params: dict) -> dict:
    """Log the net to MLflow with its safetensors file; @champion only if it beats the holder on
    `val_set` (protoforge.promotion.decide), else @challenger."""
    import tempfile

    import mlflow

    from protoforge.config import REGISTERED_NAMES
    from protoforge.promotion import decide
    from protoforge.registry import WEIGHTS_FILE, log_model, mlflow_tracking, promote, save_checkpoint

    name = REGISTERED_NAMES["echo"]
    with mlflow_tracking(tracking_uri), tempfile.TemporaryDirectory(prefix="echo-clip-") as tmp:
        mlflow.set_experiment("echo-retrieval")
        with mlflow.start_run(run_name="echo-clip-generated-films") as run:
            mlflow.log_params(run_params)
            mlflow.log_metrics({k.replace("@", ""): v for k, v in metrics.items()})
            weights = save_checkpoint(net, Path(tmp) / WEIGHTS_FILE)
            info = log_model(net, weights, name, pip_requirements=[])
        decision = decide("echo", net, val_set, tracking_uri)
        promote(name, str(info.registered_model_version), decision.alias, weights, tracking_uri)
    return {"name": name, "version": str(info.registered_model_version), "alias": decision.alias,
            "reason": decision.reason, "run_id": run.info.run_id, "tracking_uri": tracking_uri}


def build_data(args):
    from protoforge.data.film_captions import FilmCaptionsDataModule, evaluated_worlds, split_films
    from protoforge.data.set_plates import paint_plates, plate_scenes
    from protoforge.data.story_films import PLACES, FilmRenderer, generate_films, rendered_films

    recipes = generate_films(args.films, seed=0)
    renderer = FilmRenderer(Path(args.work)) if args.render else None
    films = rendered_films(recipes, Path(args.cache), renderer)
    if renderer is not None:
        renderer.close()
    splits = split_films(films)
    plates = paint_plates(plate_scenes(PLACES, evaluated_worlds(splits)), Path(args.plates)) if args.plates else {}
    dm = FilmCaptionsDataModule(splits, image_size=NET["image_size"], context_length=NET["context_length"],
                                batch_size=args.batch_size, plates=plates)
    dm.setup("fit")
    return splits, plates, dm


def prepare(args) -> None:
    """Write the training file echo_clip_fit.py reads: train frames and plates (source size), their
    shot ids, tokens of each shot's paraphrases, and the tuning films (frames, shots, films, captions)."""
    from protoforge.data.captions import captions_for
    from protoforge.data.film_captions import EVAL_SEED
    from protoforge.models.components.tiny_clip import clip_tokenizer

    splits, plates, dm = build_data(args)
    train = dm.train_set
    tok = clip_tokenizer(NET["context_length"])
    n_caps = max(len(t) for t in train.tokens)
    # every shot gets n_caps rows: its paraphrases repeated in turn (a shot with fewer is drawn as often)
    tokens = np.stack([t[np.arange(n_caps) % len(t)].numpy() for t in train.tokens]).astype(np.int32)
    tune_images, tune_shot, tune_film, tune_tokens = [], [], [], []
    # no tuning film yet (a small cache): pick epochs on a few training films rather than on nothing
    for f, film in enumerate(splits.tuning or splits.train[:3]):
        for scene, frames in zip(film.scenes, film.frames):
            tune_images.append(frames)
            tune_shot += [len(tune_tokens)] * len(frames)
            tune_film.append(f)
            tune_tokens.append(tok(captions_for(scene, N_EVAL_CAPTIONS, EVAL_SEED)).numpy())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=np.stack(train.images), shot_of=train.shot_of.astype(np.int64), tokens=tokens,
                        tune_images=np.concatenate(tune_images), tune_shot_of=np.array(tune_shot, np.int64),
                        tune_film_of=np.array(tune_film, np.int64), tune_tokens=np.stack(tune_tokens).astype(np.int32),
                        net=np.array(json.dumps(NET)))
    meta = {"split": splits.counts(), "dropped_train_shots": splits.dropped_train_shots, "plates": len(plates),
            "train_samples": len(train), "films": [f.film_id for f in splits.train + splits.tuning + splits.held_out]}
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    print(json.dumps(meta["split"]), f"plates {len(plates)}, train samples {len(train)} -> {out}")


def evaluate(args) -> None:
    """Score a fitted net on the held-out and tuning films, register it, print and write the results."""
    from protoforge.checkpoint import load_checkpoint
    from protoforge.data.story_films import generate_films

    meta = json.loads(Path(args.out).with_suffix(".json").read_text())
    args.render = False
    splits, plates, dm = build_data(args)
    known = set(meta["films"])
    # only films that existed when the training file was written: a later held-out film could share a
    # world with a training plate
    splits = splits.model_copy(update={k: [f for f in getattr(splits, k) if f.film_id in known]
                                       for k in ("train", "tuning", "held_out")})
    net = load_checkpoint(args.weights, "cpu").eval()
    fit = json.loads((Path(args.weights).parent / "fit.json").read_text()) if (Path(args.weights).parent / "fit.json").is_file() else {}
    n_params = sum(p.numel() for p in net.parameters())
    held, tuning = film_retrieval(net, splits.held_out), film_retrieval(net, splits.tuning)
    # the held-out films of the first 28 recipes: the set measured before more films were rendered
    first = {r.film_id for r in generate_films(28, seed=0)}
    held_first = film_retrieval(net, [f for f in splits.held_out if f.film_id in first])
    train_films = film_retrieval(net, splits.train[:20])
    Path(args.tracking_uri.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    counts = splits.counts()
    reg = register(net, dm.val_set, args.tracking_uri,
                   {"heldout_top1_per_caption": held["top1_per_caption"], "heldout_top1_pooled": held["top1_pooled"],
                    "tuning_top1_per_caption": tuning["top1_per_caption"]},
                   {"train_films": counts["train"]["films"], "plates": len(plates),
                    "held_out_films": ",".join(f.film_id for f in splits.held_out)[:500], **NET})
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "eval_machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus (shared)",
              "fit_device": fit.get("gpu") or fit.get("device"), "fit_machine": fit.get("machine"),
              "fit_args": fit.get("args"), "resolution": [128, 72],
              "split_rule": "sha256(story text)[:8 hex] % 100: 0-34 held-out, 35-49 tuning, 50-99 train; whole films",
              "split": counts, "held_out_films": [f.film_id for f in splits.held_out],
              "tuning_films": [f.film_id for f in splits.tuning],
              "dropped_train_shots": splits.dropped_train_shots, "plates": len(plates),
              "train_samples": meta["train_samples"], "params": n_params, "net": NET,
              "train_seconds": fit.get("seconds"), "epochs": fit.get("epochs"), "steps": fit.get("steps"),
              "best_tuning_during_fit": fit.get("best_tuning"),
              "held_out": held, "held_out_first_28_recipes": held_first, "tuning": tuning,
              "train_subset": train_films, "registered": reg}
    print(f"\nEcho CLIP text->shot top-1 retrieval among each film's shots ({n_params / 1e6:.2f} M params, "
          f"fit {fit.get('seconds')} s on {result['fit_device']})")
    print(f"{'split':<10}{'films':>7}{'shots':>7}{'top1/caption':>14}{'top1 pooled':>13}{'margin':>9}{'chance':>8}")
    for name, r in (("held-out", held), ("held-28", held_first), ("tuning", tuning), ("train*", train_films)):
        print(f"{name:<10}{r['films']:>7}{r['shots']:>7}{r['top1_per_caption']:>14}{r['top1_pooled']:>13}"
              f"{r['mean_margin']:>9}{r['chance']:>8}")
    print(f"registered {reg['name']} v{reg['version']} @{reg['alias']}: {reg['reason']}")
    (REPO / "bench" / "results" / "echo_retrieval.json").write_text(json.dumps(result, indent=1) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=("prepare", "evaluate"))
    parser.add_argument("--films", type=int, default=200, help="generated recipes (only cached ones are used without --render)")
    parser.add_argument("--render", action="store_true", help="render the films the cache lacks (about 30 s a shot)")
    parser.add_argument("--cache", default="/tmp/echo-clip-films")
    parser.add_argument("--work", default="/tmp/echo-clip-work")
    parser.add_argument("--plates", default="/tmp/echo-clip-plates.npz", help="set-plate cache; '' trains on films alone")
    parser.add_argument("--out", default="/tmp/echo-clip-data/echo_clip_data.npz", help="the training file")
    parser.add_argument("--weights", default="/tmp/echo-clip-fit/weights.safetensors")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--tracking-uri", default="sqlite:////tmp/echo-clip-mlflow/mlflow.db")
    args = parser.parse_args()
    prepare(args) if args.stage == "prepare" else evaluate(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
