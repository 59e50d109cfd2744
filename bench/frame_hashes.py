"""Render a story at a small resolution on a fresh studio home and print one hash per decoded film frame.

The restructure check: run it before and after a change that must not alter the film, and compare
(`python bench/frame_hashes.py --out a.json`, then `--compare a.json`). Hashes are of the decoded
film frames (PyAV, rgb24) and of every shot's rendered frame files, so a change anywhere upstream shows.
Usage: python bench/frame_hashes.py [STORY] [--width 256 --height 144] [--out F | --compare F]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from common import story_on_fresh_studio

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("story", nargs="?", default=str(REPO / "examples" / "bronze_heart.yaml"))
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--height", type=int, default=144)
    parser.add_argument("--out")
    parser.add_argument("--compare")
    args = parser.parse_args()

    story_path = story_on_fresh_studio(args.story, args.width, args.height, prefix="talos-hashes-")
    work = story_path.parent

    import av
    from rich.console import Console

    from talos_assets.forge import check_story, forge_film

    from talos_assets.settings import studio_settings

    outcome = forge_film(check_story(story_path, studio_settings()), console=Console(stderr=True, quiet=True))
    film_frames = []
    with av.open(str(outcome.delivery.film)) as container:
        for frame in container.decode(video=0):
            film_frames.append(hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()[:16])
    shot_files = {}
    for path in sorted((work / "home" / "films").rglob("*")):
        if path.is_file() and path.suffix in (".png", ".exr", ".json"):
            shot_files[str(path.relative_to(work / "home" / "films"))] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    result = {"film_frames": film_frames, "shot_files": shot_files}
    print(f"{len(film_frames)} film frames, {len(shot_files)} working files; "
          f"film digest {hashlib.sha256(''.join(film_frames).encode()).hexdigest()[:16]}")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        differ = [i for i, (a, b) in enumerate(zip(before["film_frames"], film_frames)) if a != b]
        same_count = len(before["film_frames"]) == len(film_frames)
        print(f"film frames: {len(before['film_frames'])} before, {len(film_frames)} after, {len(differ)} differ")
        if differ or not same_count:
            print(f"first differing frames: {differ[:10]}")
            return 1
        print("decoded film frames are bit-identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
