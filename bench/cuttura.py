"""Benchmark of Cuttura's ears and voice: beat tracking, meter/downbeats, sections, score synthesis.

- Beat F-measure (±70 ms, MIREX-style one-to-one matching) and tempo error of `track_beats` on
  synthetic click tracks at 60/90/120/150/180 BPM, clean (noise std 0.05 against 0.5 click peaks),
  noisy (std 0.15) and very noisy (std 0.25), several random offsets each.
- Downbeat F-measure (±70 ms) and meter accuracy of `analyze_music` on synthesized scores with
  known bars (4/4 and 3/4, one- to three-section mood curves); section-boundary F-measure (within
  one bar) against the sections the synthesiser wrote. The fade-in/out seconds are left out.
- Score synthesis cost: seconds of CPU per minute of audio for `compose_score` (one minute, three
  sections), and analysis cost per minute.
Prints a table and writes bench/results/cuttura.json. Usage: `python bench/cuttura.py [--quick]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from talos_assets.agents import music
from talos_assets.agents.music import click_track

RESULTS = Path(__file__).resolve().parent / "results" / "cuttura.json"
SR = 44100


def bench_clicks(trials: int) -> list[dict]:
    rows = []
    for bpm in (60, 90, 120, 150, 180):
        for label, noise in (("clean", 0.05), ("noisy", 0.15), ("v.noisy", 0.25)):
            fs, errs = [], []
            for k in range(trials):
                audio, ref = click_track(bpm, 20.0, 0.2 + 0.13 * k, noise, seed=1000 * bpm + k)
                grid = music.track_beats(audio, SR)
                fs.append(music.beat_f_measure(grid.beat_times, ref, window=0.07))
                errs.append(100.0 * abs(grid.tempo_bpm - bpm) / bpm)
            rows.append({"bpm": bpm, "condition": label, "noise_std": noise, "trials": trials,
                         "beat_f_mean": round(float(np.mean(fs)), 4), "beat_f_min": round(float(np.min(fs)), 4),
                         "tempo_error_pct_mean": round(float(np.mean(errs)), 3),
                         "tempo_error_pct_max": round(float(np.max(errs)), 3)})  # fmt: skip
    return rows


SCORE_CASES = [
    ("calm, one section", [(0.0, 0.5, -0.6)], 30.0),
    ("calm -> joy", [(0.0, 0.5, -0.6), (14.0, 0.8, 0.5)], 30.0),
    ("joy -> anger -> sadness", [(0.0, 0.8, 0.5), (10.0, -0.6, 0.8), (20.0, -0.7, -0.5)], 32.0),
    ("determination -> sadness", [(0.0, 0.3, 0.4), (14.0, -0.7, -0.5)], 30.0),
    ("fear -> awe", [(0.0, -0.7, 0.6), (15.0, 0.6, 0.2)], 30.0),
]


def _inner(times, duration: float) -> np.ndarray:
    t = np.asarray(times, dtype=np.float64)
    return t[(t > 2.0) & (t < duration - 3.0)]


def bench_scores(seeds: list[int]) -> list[dict]:
    rows = []
    for meter in (4, 3):
        for name, segs, duration in SCORE_CASES:
            for seed in seeds:
                score = music.compose_score(segs, duration, sr=SR, seed=seed, beats_per_bar=meter)
                a = music.analyze_music(score.audio, SR)
                bar = meter * 60.0 / score.tempo_bpm
                truth, found = score.section_times, a.section_times
                hits = sum(any(abs(f - t) <= bar for f in found) for t in truth)
                rows.append({
                    "case": name, "meter": meter, "seed": seed, "tempo_bpm": score.tempo_bpm,
                    "tempo_est_bpm": round(a.tempo_bpm, 2), "meter_est": a.beats_per_bar,
                    "beat_f": round(music.beat_f_measure(_inner(a.beat_times, duration), _inner(score.beat_times, duration)), 4),
                    "downbeat_f": round(music.beat_f_measure(_inner(a.downbeat_times, duration), _inner(score.downbeat_times, duration)), 4),
                    "sections_true": len(truth), "sections_found": len(found), "sections_hit": hits,
                    "loudness_lufs": round(music.integrated_loudness(score.audio, SR), 2),
                    "loudness_bs1770_lufs": round(music.bs1770_loudness(score.audio, SR), 2),
                })  # fmt: skip
    return rows


def bench_speed(repeats: int) -> dict:
    segs = [(0.0, 0.5, -0.6), (20.0, 0.8, 0.5), (40.0, -0.7, -0.5)]
    synth, analysis = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        score = music.compose_score(segs, 60.0, sr=SR, seed=r)
        synth.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        music.analyze_music(score.audio, SR)
        analysis.append(time.perf_counter() - t0)
    return {"audio_seconds": 60.0, "repeats": repeats,
            "synthesis_s_per_audio_minute": round(float(np.median(synth)), 3),
            "analysis_s_per_audio_minute": round(float(np.median(analysis)), 3)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one trial / seed each (smoke run)")
    args = ap.parse_args()
    trials = 1 if args.quick else 3
    seeds = [1] if args.quick else [1, 2]

    clicks = bench_clicks(trials)
    print("beat tracking on click tracks (F within ±70 ms, tempo error)")
    print(f"{'BPM':>5} {'condition':<9} {'F mean':>7} {'F min':>7} {'tempo err %':>12}")
    for r in clicks:
        print(f"{r['bpm']:>5} {r['condition']:<9} {r['beat_f_mean']:>7.3f} {r['beat_f_min']:>7.3f} {r['tempo_error_pct_mean']:>12.3f}")

    scores = bench_scores(seeds)
    print("\nsynthesized scores: meter, downbeats, sections, loudness")
    print(f"{'case':<26} {'M':>2} {'M est':>5} {'BPM':>5} {'beat F':>7} {'down F':>7} {'sect hit/true/found':>20} {'LUFS':>7} {'own':>7}")
    for r in scores:
        sect = f"{r['sections_hit']}/{r['sections_true']}/{r['sections_found']}"
        print(f"{r['case']:<26} {r['meter']:>2} {r['meter_est']:>5} {r['tempo_bpm']:>5.0f} {r['beat_f']:>7.3f} "
              f"{r['downbeat_f']:>7.3f} {sect:>20} {r['loudness_lufs']:>7.2f} {r['loudness_bs1770_lufs']:>7.2f}")  # fmt: skip
    true = sum(r["sections_true"] for r in scores)
    found = sum(r["sections_found"] for r in scores)
    hit = sum(r["sections_hit"] for r in scores)
    section_f = 2.0 * hit / (true + found) if true + found else 1.0
    summary = {
        "beat_f_clean_min": min(r["beat_f_min"] for r in clicks if r["condition"] == "clean"),
        "beat_f_noisy_min": min(r["beat_f_min"] for r in clicks if r["condition"] == "noisy"),
        "beat_f_very_noisy_min": min(r["beat_f_min"] for r in clicks if r["condition"] == "v.noisy"),
        "tempo_error_pct_max_clean": max(r["tempo_error_pct_max"] for r in clicks if r["condition"] == "clean"),
        "tempo_error_pct_max_noisy": max(r["tempo_error_pct_max"] for r in clicks if r["condition"] == "noisy"),
        "tempo_error_pct_max_very_noisy": max(r["tempo_error_pct_max"] for r in clicks if r["condition"] == "v.noisy"),
        "downbeat_f_mean": round(float(np.mean([r["downbeat_f"] for r in scores])), 4),
        "downbeat_f_min": min(r["downbeat_f"] for r in scores),
        "meter_accuracy": round(float(np.mean([r["meter_est"] == r["meter"] for r in scores])), 4),
        "section_f_within_one_bar": round(section_f, 4),
        "loudness_abs_error_max_lu": round(max(abs(r["loudness_lufs"] + 14.0) for r in scores), 3),
        "pyloudnorm_vs_own_max_lu": round(max(abs(r["loudness_lufs"] - r["loudness_bs1770_lufs"]) for r in scores), 3),
    }
    speed = bench_speed(1 if args.quick else 3)
    summary.update(speed)
    print("\nsummary")
    for k, v in summary.items():
        print(f"  {k:<34} {v}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "cuttura music analysis and score synthesis",
        "numpy": np.__version__, "machine": platform.machine(), "cpu_count": os.cpu_count(), "quick": args.quick,
        "summary": summary, "click_tracks": clicks, "synthesized_scores": scores,
    }  # fmt: skip
    tmp = RESULTS.with_suffix(".json.part")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(tmp, RESULTS)
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
