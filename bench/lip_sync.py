"""Lip-sync bench: do the drawn mouths of a screenplay's dialogue shots follow their voices?

Each chosen dialogue shot of the Fountain examples goes through the same pure-code path a film
takes, without Dagster: Prism directs the story (`checking.check_story`), the voice agent speaks
each line with its rig's voice and plans the mouth per frame (`voice.lines_for_shot`), Axis acts
the key poses (`key_animation.plan_acting`), Flux inbetweens them and drives every on-screen
speaker's mouth (`inbetweening.lip_sync_poses`), and every frame is drawn as line art at 320x180.
Per speaking line it measures, against the voice's RMS envelope per frame (`voice.lip_sync`):

- `r_channel`: the Pearson correlation of the drawn `mouth_open` channel (what Flux hands the line
  art) with the envelope, and `closed_channel`, the share of silent frames whose channel is closed;
- `r_pixels`: the same correlation for the mouth measured on the drawing itself - the ink in the
  speaker's mouth box (`line_art.mouth_box`) above the same frame drawn with the mouth closed - and
  `closed_pixels`, the share of silent frames whose drawn mouth adds no ink over the closed one;
- `others_still`: whether every character that does not speak kept its acted mouth (no lip sync).

Target: r >= 0.6 and the mouth closed in silence. Prints a table and writes
bench/results/lip_sync.json.

    .venv/bin/python bench/lip_sync.py [--per-story N] [--size 320x180]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents import inbetweening, voice  # noqa: E402
from talos_assets.agents import key_animation as ka  # noqa: E402
from talos_assets.agents.key_animation.line_art import mouth_box  # noqa: E402
from talos_assets.spec import ShotPlan  # noqa: E402

STORIES = ("fountain_short", "lighthouse_keepers")
RESULTS = REPO / "bench" / "results" / "lip_sync.json"
PIXEL_EPS = 0.5  # ink (in pixels of full coverage) a closed drawn mouth may differ by: anti-aliasing noise
TARGET_R = 0.6


def dialogue_shots(story: str, per_story: int, width: int, height: int) -> list[ShotPlan]:
    """Up to `per_story` dialogue shots of an example, spread over the film, close-ups first."""
    from talos_assets.checking import check_story
    from talos_assets.settings import studio_settings

    plan = check_story(REPO / "examples" / f"{story}.yaml", studio_settings()).plan
    talk = [s for s in plan.shots if s.beat == "dialogue"]
    close = [s for s in talk if "close" in s.shot_size.value]
    rest = [s for s in talk if s not in close]
    step = max(1, len(rest) // max(1, per_story - len(close)))
    chosen = (close + rest[::step])[:per_story]
    chosen.sort(key=lambda s: s.index)
    return [s.model_copy(update={"width": width, "height": height}) for s in chosen]


def _mouth_ink(rigs: dict, poses: dict, speaker: str, f: int, width: int, height: int) -> tuple[float, float]:
    """Ink in the speaker's mouth box on frame f as drawn, and on the same frame with its mouth closed."""
    box = mouth_box(rigs[speaker], poses[speaker][f], width, height)
    x0, y0, x1, y1 = box
    scene = [(rigs[c], poses[c][f]) for c in poses]
    shut_face = {**poses[speaker][f].face, **inbetweening.mouth_channels("closed", 0.0)}
    closed_pose = poses[speaker][f].model_copy(update={"face": shut_face})
    closed = [(rigs[c], closed_pose if c == speaker else poses[c][f]) for c in poses]
    drawn = ka.draw_line_art(scene, width, height).line[y0:y1, x0:x1].sum()
    shut = ka.draw_line_art(closed, width, height).line[y0:y1, x0:x1].sum()
    return float(drawn), float(shut)


def measure_shot(shot: ShotPlan) -> list[dict]:
    """One row per line the shot speaks: channel and pixel lip sync, and whether the others kept still."""
    voices = voice.speaker_voices([s for s, _ in voice.dialogue_parts(shot)])
    lines = voice.lines_for_shot(shot, voices)
    acted = ka.plan_acting(shot)
    rigs = {c: ka.load_rig(c) for c in {k.character for k in acted.keys}}
    acting = inbetweening.inbetween_poses(acted.keys, shot.total_frames, rigs)
    tracks = {ln.speaker: ln.mouth for ln in lines if ln.speaker in acting and not ln.off_screen and ln.mouth}
    poses = inbetweening.lip_sync_poses(acting, tracks)
    others_still = all(p.face == q.face for c in poses if c not in tracks for p, q in zip(poses[c], acting[c]))
    rows = []
    for ln in lines:
        row = {"shot": shot.slot, "speaker": ln.speaker, "text": ln.text, "shot_size": shot.shot_size.value,
               "frames": shot.total_frames, "off_screen": ln.off_screen, "others_still": others_still}
        if ln.speaker not in tracks:
            rows.append(row | {"note": "heard off screen or not on stage: no mouth"})
            continue
        t0 = time.perf_counter()
        channel = [p.face["mouth_open"] for p in poses[ln.speaker]]
        ink = [_mouth_ink(rigs, poses, ln.speaker, f, shot.width, shot.height) for f in range(shot.total_frames)]
        pixel = np.array([max(0.0, d - s) for d, s in ink])
        by_channel = voice.lip_sync(channel, ln.samples, ln.sample_rate, ln.start_s, shot.fps)
        by_pixels = voice.lip_sync(pixel, ln.samples, ln.sample_rate, ln.start_s, shot.fps)
        # lip_sync calls a mouth closed at <= 0.02 of its 0..1 opening; the pixel opening is in pixels
        silent = _silent_frames(ln, shot)
        closed_px = float(np.mean(pixel[silent] <= PIXEL_EPS)) if silent.any() else 1.0
        rows.append(row | {
            "r_channel": round(by_channel.correlation, 3), "closed_channel": round(by_channel.closed_in_silence, 3),
            "r_pixels": round(by_pixels.correlation, 3), "closed_pixels": round(closed_px, 3),
            "mouth_px_max": round(float(pixel.max()), 1), "silent_frames": int(silent.sum()),
            "draw_s": round(time.perf_counter() - t0, 2),
        })
    return rows


def _silent_frames(ln, shot: ShotPlan) -> np.ndarray:
    """The frames `voice.lip_sync` calls silent (envelope under 5 % of the line's loud level)."""
    env = voice.frame_envelope(ln.samples, ln.sample_rate, ln.start_s, shot.fps, shot.total_frames)
    ref = max(float(np.percentile(env[env > 0], 95)) if np.any(env > 0) else 0.0, 1e-9)
    return env / ref < 0.05


def print_table(rows: list[dict]) -> None:
    print(f"{'story':<20}{'shot':<6}{'speaker':<8}{'size':<10}{'frames':>7}{'r_chan':>8}{'closed':>8}"
          f"{'r_pix':>8}{'closed':>8}{'px max':>8}  text")
    for r in rows:
        if "r_channel" not in r:
            print(f"{r['story']:<20}{r['shot']:<6}{r['speaker'] or '-':<8}{r['shot_size']:<10}{r['frames']:>7}  {r['note']}")
            continue
        print(f"{r['story']:<20}{r['shot']:<6}{r['speaker']:<8}{r['shot_size']:<10}{r['frames']:>7}"
              f"{r['r_channel']:>8.2f}{r['closed_channel']:>8.2f}{r['r_pixels']:>8.2f}{r['closed_pixels']:>8.2f}"
              f"{r['mouth_px_max']:>8.1f}  {r['text'][:40]}")


def summary(rows: list[dict]) -> dict:
    spoken = [r for r in rows if "r_channel" in r]
    out = {"lines": len(spoken), "target_r": TARGET_R}
    for key in ("r_channel", "r_pixels", "closed_channel", "closed_pixels"):
        vals = [r[key] for r in spoken]
        out[f"{key}_min"], out[f"{key}_mean"] = round(min(vals), 3), round(float(np.mean(vals)), 3)
    out["pass_channel"] = sum(r["r_channel"] >= TARGET_R for r in spoken)
    out["pass_pixels"] = sum(r["r_pixels"] >= TARGET_R for r in spoken)
    out["others_still"] = all(r["others_still"] for r in rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-story", type=int, default=5)
    ap.add_argument("--size", default="320x180")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    os.environ.setdefault("TALOS_HOME", tempfile.mkdtemp(prefix="talos-lipsync-"))
    rows = []
    for story in STORIES:
        for shot in dialogue_shots(story, args.per_story, width, height):
            rows += [{"story": story} | r for r in measure_shot(shot)]
    print_table(rows)
    result = {"size": f"{width}x{height}", "summary": summary(rows), "rows": rows}
    print(json.dumps(result["summary"], indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
