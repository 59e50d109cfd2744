"""Benchmark helper for `bench/scale.py --steps-memory`: which film-level step's memory grows with the film?

Each step the edit runs after the last shot (the soundtrack's generated score and its analysis, the
film's sound mix, the OTIO timeline, the film played from the timeline into the SDR and HDR10 masters, Echo's pass over
the decoded film) is called alone, as its asset calls it, on a synthetic edit of a story: its checked
plan at 256x144 and 12 fps, every shot's frames written as flat EXR layers (no render), cut straight.
For each step: the peak traced allocation (tracemalloc; numpy reports its buffers to it) and the
peak RSS of the process and its children (ffmpeg), sampled every 20 ms. Stories of 1 and 3 minutes
side by side show which step grows with film length.
Usage: python bench/scale_steps.py STORY WORKDIR   (one story, prints one JSON line)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

MB = 1024.0 * 1024.0

FILM_STEPS = ("music", "mix", "timeline", "sdr", "hdr10", "echo")


def _synthetic_edit(story: Path, work: Path):
    """The story's checked plan at 256x144, 12 fps, each shot's frames (handles included) written as
    flat EXR layers with a moving bar, and a straight cut list: the film-level steps' input, no render."""
    import numpy as np
    import yaml

    from talos_assets.agents import frames as framelib
    from talos_assets.checking import check_story
    from talos_assets.settings import studio_settings
    from talos_assets.spec import ClipCut

    spec = {**yaml.safe_load(story.read_text()), "resolution": [256, 144], "fps": 12}
    (work / "story.yaml").write_text(yaml.safe_dump(spec))
    plan = check_story(work / "story.yaml", studio_settings()).plan
    files, cuts, record = {}, [], 0
    for k, shot in enumerate(plan.shots):
        folder = work / "frames" / shot.slot
        folder.mkdir(parents=True, exist_ok=True)
        files[shot.slot] = [folder / f"f{f:04d}.exr" for f in range(shot.frames + shot.handle_frames)]
        ramp = np.random.default_rng(k).random(3).astype(np.float32) * np.linspace(0.5, 1, 256, dtype=np.float32)[None, :, None]
        for f, path in enumerate(files[shot.slot]):
            img = np.ones((144, 256, 4), np.float32)
            img[..., :3] = ramp
            img[(3 * f) % 134:(3 * f) % 134 + 10, :, :3] = 0.9
            framelib.write_layer(path, img)
        cuts.append(ClipCut(shot_id=shot.shot_id, slot=shot.slot, source_start=0, source_frames=shot.frames, record_start=record))
        record += shot.frames
    return plan, files, cuts, record


def steps_child(story: Path, work: Path) -> None:
    """In a fresh process: each film-level step's agent calls on the synthetic edit, one after the other,
    printing each step's peak traced allocation (tracemalloc, numpy included) and peak RSS as JSON."""
    import threading
    import tracemalloc

    import imageio_ffmpeg
    import numpy as np

    from talos_assets.agents import editing, mastering, music
    from talos_assets.agents import evaluation as echo
    from talos_assets.spec import FrameSequence

    plan, files, cuts, frames = _synthetic_edit(story, work)
    fps, wav, ffmpeg = plan.fps, work / "score.wav", imageio_ffmpeg.get_ffmpeg_exe()
    peak = [0]

    def watch() -> None:
        while True:
            me = psutil.Process()
            peak[0] = max(peak[0], me.memory_info().rss + sum(k.memory_info().rss for k in me.children(recursive=True)))
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()
    starts = np.cumsum([0.0] + [s.frames / fps for s in plan.shots[:-1]])
    shots = {s.slot: s for s in plan.shots}

    def step(name: str) -> None:
        if name == "music":  # the soundtrack asset's generated score, streamed to its WAV, and its analysis
            segments = [(float(t), s.valence, s.arousal) for t, s in zip(starts, plan.shots)]
            music.score_soundtrack(wav, segments, frames / fps + 1.0, 44100, seed=1)
        elif name == "mix":  # the film_mix asset's sound: the music read and mixed block by block (no dialogue here)
            from talos_assets.agents.editing.mix_file import write_film_mix

            write_film_mix(work / "mix.wav", wav, [], 44100, frames / fps, [])
        elif name == "timeline":
            editing.write_timeline(editing.build_timeline(plan.film_id, cuts, files, wav, fps, 256, 144), work / "film.otio")
        elif name in ("sdr", "hdr10"):  # the film asset: the timeline played into each master
            tl = editing.build_timeline(plan.film_id, cuts, files, wav, fps, 256, 144)
            mastering.master_film(lambda: editing.render_timeline_frames(tl, None, fps, 256, 144), work / f"{name}.mp4",
                                  "sdr-h264" if name == "sdr" else "hdr10-hevc", fps, 256, 144, ffmpeg_exe=ffmpeg,
                                  audio_path=wav, frame_count=frames)
        else:  # Echo as the evaluation asset runs it with no CLIP registered
            echo.score_clips(echo.decoded_film_frames(work / "sdr.mp4"), cuts, shots, [0.0] * len(cuts),
                             lambda shot: FrameSequence.describe(files[shot.slot]), samples_per_clip=0)

    out = {}
    for name in FILM_STEPS:
        time.sleep(0.1)
        peak[0] = 0
        tracemalloc.start()
        step(name)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        time.sleep(0.1)
        out[name] = {"traced_mb": round(traced / MB, 1), "rss_mb": round(peak[0] / MB)}
    print(json.dumps({"story": story.name, "frames": frames, "steps": out}))


def steps_memory(stories: list[str]) -> list[dict]:
    """`steps_child` for each story, in its own process and temp folder."""
    rows = []
    for story in stories:
        with tempfile.TemporaryDirectory(prefix="talos-scale-steps-") as tmp:
            env = {**os.environ, "TALOS_HOME": str(Path(tmp) / "home")}
            done = subprocess.run([sys.executable, __file__, str(Path(story).resolve()), tmp],
                                  env=env, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    return rows


if __name__ == "__main__":
    steps_child(Path(sys.argv[1]), Path(sys.argv[2]))
