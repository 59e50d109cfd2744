"""Bench: what fraction of injected faults does Echo's revision loop fix by itself within its rounds?

Two films forged through the studio's real Dagster assets: four 1-second shots (12 fps) on a
generated score, and two shots cut to a song whose beats stop at 1.35 s (an off-beat cut needs a
stretch with no beat within the shot's handles: elsewhere Cuttura's own cut finds one). Each fault is
injected into one shot, the film is edited and judged by Echo, then the loop runs as the daemon
would: the `revise_shots` sensor's requests (render the shot with the computed fix, then re-edit the
film) are executed until it asks for nothing more. A fault counts as fixed when the tickets of the
checks that caught it close as fixed within `MAX_ROUNDS` and the film is published again.

Faults, one per shot:
- over-exposure: Raygen's light 16x too strong (exposure +4 stops; a revision override);
- off-beat cut: the first shot lengthened to 2 s, so its cut falls 0.65 s after the song's last beat;
- missing effect: Stokes' layers of the smoke the text names come out empty (Anima composites the
  shot again without them);
- flicker: six frames of the rendered shot flashed 4x brighter on every other frame (a render fault
  written over the shot's frames on disk);
- wrong palette: the rendered shot's red and blue swapped (likewise);
- broken outlines: a band across every drawing of a shot loses its ink (a corrupted in-between), and
  Chroma, Raygen and Anima run again from those drawings (the fill leaks through the gaps).

    .venv/bin/python bench/revision.py [--width 320 --height 180]
Prints the table and writes bench/results/revision.json.
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

from talos_assets.stores.studio import Layer  # noqa: E402

STORY = """\
title: Revision Bench
id: revbench
palette: sea-glass
fps: 12
resolution: [{width}, {height}]
shots:
  - {{id: bright, description: Mira waves at the boats., emotion: joy, duration: 1.0, characters: [mira]}}
  - {{id: smoke, description: Smoke rises from the sea behind Talos., emotion: awe, duration: 1.0, characters: [talos]}}
  - {{id: flash, description: Pip looks at the sky., emotion: calm, duration: 1.0, characters: [pip]}}
  - {{id: hues, description: Mira smiles at Pip., emotion: joy, duration: 1.0, characters: [mira, pip]}}
"""
# The off-beat cut needs a song whose beats stop: with a steady beat, Cuttura's own cut finds one
# within the shot's handles and there is nothing left to revise.
OFFBEAT_STORY = """\
title: Off Beat
id: offbeat
palette: sea-glass
fps: 12
resolution: [{width}, {height}]
music: {{file: song.wav}}
shots:
  - {{id: longer, description: Talos smiles at the calm sea., emotion: joy, duration: 1.0, characters: [talos]}}
  - {{id: wave, description: Mira waves at the boats., emotion: joy, duration: 1.0, characters: [mira]}}
"""
BEATS_S = [0.0, 0.45, 0.9, 1.35]  # then silence: no beat after 1.35 s


def write_song(path: Path, sr: int = 44100) -> None:
    from talos_assets.agents import music

    audio = np.zeros(int(1.5 * sr), np.float32)
    n = int(0.09 * sr)
    t = np.arange(n) / sr
    thump = (np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.005) + np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.02)) * 0.8
    for b in BEATS_S:
        i = int(b * sr)
        audio[i:i + n] += thump[:len(audio) - i]
    music.write_wav(path, np.stack([audio, audio], axis=1), sr)


class Studio:
    """The forged film and the calls the daemon would make (renders, edits, sensor ticks)."""

    def __init__(self, root: Path, stories: list[str]):
        import dagster as dg

        from talos_assets.definitions import FILM_ASSETS, PUBLISH_ASSETS, SHOT_ASSETS, build_resources, defs
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings

        self.dg = dg
        self.instance = dg.DagsterInstance.ephemeral()
        self.outcomes = {name: forge_film(check_story(root / f"{name}.yaml", studio_settings()), instance=self.instance)
                         for name in stories}
        self.resources = build_resources()
        self.assets = list(defs.assets)
        self.shot_keys = [a.key for a in SHOT_ASSETS]
        self.edit_keys = [a.key for a in FILM_ASSETS[1:] + PUBLISH_ASSETS]
        self.store = self.resources["studio"].store()
        self.vault = self.resources["ichor"].vault()

    def render(self, film_id: str, slot: str, tags: dict | None = None, only: tuple[str, ...] = ()):
        from talos_assets.partitions import shot_key

        keys = [k for k in self.shot_keys if not only or k.path[-1] in only]
        return self.dg.materialize(self.assets, selection=keys, partition_key=shot_key(film_id, slot),
                                   instance=self.instance, resources=self.resources, tags=tags or {}, raise_on_error=False)

    def edit(self, film_id: str, tags: dict | None = None):
        return self.dg.materialize(self.assets, selection=self.edit_keys, partition_key=film_id, instance=self.instance,
                                   resources=self.resources, tags=tags or {}, raise_on_error=False)

    def tick(self) -> list:
        from talos_assets.defs.revision import revise_shots

        with self.dg.build_sensor_context(instance=self.instance, resources=self.resources) as context:
            out = revise_shots(context)
        return out if isinstance(out, list) else []

    def run(self, request):
        if request.job_name == "render_shot":
            keys = request.partition_key.keys_by_dimension
            return self.render(keys["film"], keys["shot"], request.tags)
        return self.edit(request.partition_key, request.tags)

    def shot(self, film_id: str, slot: str):
        return next(s for s in self.store.read_plan(film_id).shots if s.slot == slot)

    def override(self, film_id: str, slot: str, **fault) -> None:
        from talos_assets.revision_spec import ShotRevision

        directed = next(s for s in self.store.read_directed_plan(film_id).shots if s.slot == slot)
        self.store.write_revision(directed, ShotRevision(**fault))
        self.render(film_id, slot)

    def tamper(self, film_id: str, slot: str, layers, change) -> None:
        """Rewrite the shot's frames of `layers` on disk, as a render fault would leave them."""
        from talos_assets.agents.frames import read_layer, write_layer

        shot = self.shot(film_id, slot)
        for layer in layers:
            for f, path in enumerate(self.store.frames(shot, layer).on_disk()):
                write_layer(path, change(f, read_layer(path)))

    def report(self, film_id: str):
        from talos_assets.agents.evaluation.report import EvaluationReport

        return EvaluationReport.model_validate_json(self.store.delivery(film_id).evaluation.read_text())


def flash(f: int, layer: np.ndarray) -> np.ndarray:
    if 3 <= f <= 8 and f % 2:
        layer = layer.copy()
        layer[..., :3] *= 4.0
    return layer


def swap_red_blue(f: int, layer: np.ndarray) -> np.ndarray:
    layer = layer.copy()
    layer[..., [0, 2]] = layer[..., [2, 0]]
    return layer


def nothing(f: int, layer: np.ndarray) -> np.ndarray:
    return np.zeros_like(layer)


def lose_the_effect(studio: "Studio", film_id: str, slot: str) -> None:
    """Stokes' layers come out empty; Anima composites the shot again without them."""
    from talos_assets.stores.studio import Layer

    studio.tamper(film_id, slot, (Layer.effects, Layer.effects_back), nothing)
    studio.render(film_id, slot, only=("shot_render",))


def break_outlines(studio: "Studio", film_id: str, slot: str) -> None:
    """A band across every drawing of the shot loses its ink; the later stages run again from them."""
    from talos_assets.agents.frames import read_gray_png, write_gray_png

    for path in studio.store.frames(studio.shot(film_id, slot), Layer.line).on_disk():
        line = read_gray_png(path)
        h = line.shape[0]
        line[h // 3 : h // 2] = 0.0
        write_gray_png(path, line)
    studio.render(film_id, slot, only=("colored_frames", "lit_frames", "shot_render"))


def settle(studio: Studio, limit: int = 12) -> int:
    """Run what the sensor asks until it asks for nothing; returns the renders it asked for."""
    renders = 0
    for _ in range(limit):
        requests = studio.tick()
        if not requests:
            break
        for request in requests:
            renders += request.job_name == "render_shot"
            studio.run(request)
    return renders


FAULTS = (  # name, film, slot, the checks that should catch it, how it is injected
    ("over-exposure", "revbench", "s001", {"overexposed", "clipped_white"},
     lambda st: st.override("revbench", "s001", exposure_ev=4.0)),
    ("missing effect", "revbench", "s002", {"story_fidelity"}, lambda st: lose_the_effect(st, "revbench", "s002")),
    ("flicker", "revbench", "s003", {"flicker", "warped_flicker"},
     lambda st: st.tamper("revbench", "s003", (Layer.render,), flash)),
    ("wrong palette", "revbench", "s004", {"palette_adherence", "palette_de2000"},
     lambda st: st.tamper("revbench", "s004", (Layer.render,), swap_red_blue)),
    ("off-beat cut", "offbeat", "s001", {"beat_offset"}, lambda st: st.override("offbeat", "s001", frames=24)),
    ("broken outlines", "offbeat", "s002", {"line_continuity"}, lambda st: break_outlines(st, "offbeat", "s002")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=180)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "revision.json"))
    args = parser.parse_args()
    from talos_assets.revision_spec import MAX_ROUNDS

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="talos-revbench-") as tmp:
        root = Path(tmp)
        os.environ.update(TALOS_HOME=str(root / "home"), TALOS_RENDERS=str(root / "renders"),
                          DAGSTER_HOME=str(root / "home" / "dagster"))
        os.environ.pop("TALOS_ICHOR_URL", None)
        for name, story in (("revbench", STORY), ("offbeat", OFFBEAT_STORY)):
            (root / f"{name}.yaml").write_text(story.format(width=args.width, height=args.height))
        write_song(root / "song.wav")
        studio = Studio(root, ["revbench", "offbeat"])
        films = ("revbench", "offbeat")
        baseline = {f: studio.report(f) for f in films}
        settled = settle(studio)  # whatever the clean films ask for, before any fault
        rows = [run_fault(studio, *fault) for fault in FAULTS]
    fixed = sum(r["fixed"] for r in rows)
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": f"{os.cpu_count()} cpus", "resolution": [args.width, args.height],
        "max_rounds": MAX_ROUNDS,
        "clean_films": {f: {"published": r.published, "warnings": sorted({f"{c.slot}:{c.check}" for c in r.failures()})}
                        for f, r in baseline.items()},
        "renders_before_faults": settled,
        "faults": rows, "fixed": fixed, "injected": len(rows), "fixed_fraction": round(fixed / len(rows), 3),
        "seconds": round(time.perf_counter() - start, 1),
    }
    Path(args.out).write_text(json.dumps(result, indent=1))
    for f, r in result["clean_films"].items():
        print(f"clean film {f}: published={r['published']}, warnings {', '.join(r['warnings']) or 'none'}")
    print(f"{'fault':<16} {'detected by':<34} {'tickets (check->kind: status, round)':<60} {'renders':>7} {'fixed':>6}")
    for r in rows:
        tickets = "; ".join(f"{t['check']}->{t['kind']}: {t['status']} r{t['round']}" for t in r["tickets"]) or "-"
        print(f"{r['fault']:<16} {', '.join(r['detected']) or '-':<34} {tickets[:60]:<60} {r['renders']:>7} {str(r['fixed']):>6}")
    print(f"fixed within {MAX_ROUNDS} rounds: {fixed}/{len(rows)}; {result['seconds']} s; wrote {args.out}")


def run_fault(studio: Studio, name: str, film_id: str, slot: str, expected: set[str], inject) -> dict:
    """Inject one fault, edit and judge the film, let the loop settle; what happened to it."""
    seen = {t.id for t in studio.vault.tickets(film_id)}
    clock = time.perf_counter()
    inject(studio)
    studio.edit(film_id)
    judged = studio.report(film_id)
    failed = sorted({c.check for c in judged.failures() if c.slot == slot})
    renders = settle(studio)
    tickets = [t for t in studio.vault.tickets(film_id) if t.id not in seen and t.slot == slot]
    aimed = [t for t in tickets if t.check in expected]
    after = studio.report(film_id)
    still = sorted({c.check for c in after.failures() if c.slot == slot and c.check in expected})
    return {
        "fault": name, "film": film_id, "slot": slot, "detected": sorted(set(failed) & expected), "failed_checks": failed,
        "judged": {c.check: {"value": round(c.value, 4), "limit": c.limit, "revise": c.revise}
                   for c in judged.failures() if c.slot == slot},
        "published_when_judged": judged.published,
        "tickets": [{"check": t.check, "kind": t.kind, "agent": t.agent, "status": t.status, "round": t.round,
                     "before": t.before_score, "after": t.after_score} for t in tickets],
        "renders": renders, "rounds": max((t.round for t in aimed), default=0), "still_failing": still,
        "fixed": bool(aimed) and all(t.status == "fixed" for t in aimed) and not still and after.published,
        "published_after": after.published, "seconds": round(time.perf_counter() - clock, 1),
    }


if __name__ == "__main__":
    main()
