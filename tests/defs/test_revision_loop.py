"""Echo's loop closed, in process: an injected fault -> Echo's request and ticket -> the
`revise_shots` sensor's render of exactly that shot -> its re-edit -> the ticket closed.

One small film (two 1-second shots at 160x90, 12 fps) cut to the user's short song (clicks every
0.45 s for 1.5 s, then silence: beats at film frames 5.4, 10.8 and 16.2 and none after), so a shot
lengthened past the song's last beat has no beat within its handles and its cut lands off the beat.
Faults are injected the way the loop itself revises a shot: an override written beside the shot.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import dagster as dg
import numpy as np
import pytest

STORY = """\
title: Revision Film
id: revise
palette: sea-glass
fps: 12
resolution: [160, 90]
music: {file: song.wav}
shots:
  - {id: hello, description: Talos smiles at the calm sea., emotion: joy, duration: 1.0, characters: [talos]}
  - {id: wave, description: Mira waves at the boats., emotion: joy, duration: 1.0, characters: [mira]}
"""


def _song(path, sr: int = 44100) -> None:
    from talos_assets.agents import music

    audio = np.zeros(int(1.5 * sr), np.float32)
    n = int(0.09 * sr)
    t = np.arange(n) / sr
    thump = (np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.005) + np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.02)) * 0.8
    for k in range(4):  # 0, 0.45, 0.9, 1.35 s
        i = int(k * 0.45 * sr)
        audio[i:i + n] += thump[:len(audio) - i]
    music.write_wav(path, np.stack([audio, audio], axis=1), sr)


@pytest.fixture(scope="module")
def film(tmp_path_factory, own_studio):
    with own_studio(tmp_path_factory, "revise") as root:
        (root / "revise.yaml").write_text(STORY)
        _song(root / "song.wav")
        from talos_assets.definitions import FILM_ASSETS, PUBLISH_ASSETS, SHOT_ASSETS, build_resources, defs
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings
        from talos_assets.stores.ichor import IchorVault

        instance = dg.DagsterInstance.ephemeral()
        checked = check_story(root / "revise.yaml", studio_settings())
        outcome = forge_film(checked, instance=instance)
        resources = build_resources()
        yield SimpleNamespace(root=root, instance=instance, resources=resources, outcome=outcome, film_id="revise",
                              assets=list(defs.assets), shot_keys=[a.key for a in SHOT_ASSETS],
                              edit_keys=[a.key for a in FILM_ASSETS[1:] + PUBLISH_ASSETS], store=resources["studio"].store(),
                              vault=IchorVault(resources["ichor"].url))


def _render(film, slot: str, tags: dict | None = None):
    from talos_assets.partitions import shot_key

    result = dg.materialize(film.assets, selection=film.shot_keys, partition_key=shot_key(film.film_id, slot),
                            instance=film.instance, resources=film.resources, tags=tags or {}, raise_on_error=False)
    assert result.success
    return result


def _edit(film, tags: dict | None = None):
    return dg.materialize(film.assets, selection=film.edit_keys, partition_key=film.film_id, instance=film.instance,
                          resources=film.resources, tags=tags or {}, raise_on_error=False)


def _tick(film) -> list[dg.RunRequest]:
    from talos_assets.defs.revision import revise_shots

    with dg.build_sensor_context(instance=film.instance, resources=film.resources) as context:
        out = revise_shots(context)
    return out if isinstance(out, list) else []


def _run(film, request: dg.RunRequest):
    """Execute what the sensor asked for, as the daemon would (same partition, same tags)."""
    if request.job_name == "render_shot":
        return _render(film, request.partition_key.keys_by_dimension["shot"], request.tags)
    assert request.job_name == "edit_film" and request.partition_key == film.film_id
    return _edit(film, request.tags)


def _inject(film, slot: str, **fault):
    from talos_assets.revision_spec import ShotRevision

    directed = next(s for s in film.store.read_directed_plan(film.film_id).shots if s.slot == slot)
    film.store.write_revision(directed, ShotRevision(**fault))


def _report(film):
    from talos_assets.agents.evaluation.report import EvaluationReport

    return EvaluationReport.model_validate_json(film.store.delivery(film.film_id).evaluation.read_text())


def _published(result) -> bool:
    return bool(result.asset_materializations_for_node("published_film"))


def test_clean_film_is_published_and_unrevised(film):
    assert film.outcome.published and film.outcome.blocked_by == []
    assert film.store.read_plan(film.film_id) == film.store.read_directed_plan(film.film_id)  # no revision: same plan
    assert film.vault.tickets(film.film_id) == [] and len(film.vault.publications(film.film_id)) == 1
    assert film.store.delivery(film.film_id).published.exists()
    assert _tick(film) == []


def test_exposure_fault_blocks_publication_then_a_relight_fixes_it(film):
    _inject(film, "s001", exposure_ev=4.0)  # 16x the light: mean luma about 0.94 > 0.92
    _render(film, "s001")
    blocked = _edit(film)
    assert not blocked.success and not _published(blocked)  # (d) Dagster skipped published_film
    report = _report(film)
    assert report.published is False and any("look (ERROR)" in b and "hello (s001)" in b for b in report.blocked_by)
    assert not film.store.delivery(film.film_id).published.exists()
    opened = [t for t in film.vault.tickets(film.film_id) if t.status == "open"]
    assert opened and {(t.slot, t.kind, t.agent, t.report_id) for t in opened} == {("s001", "re-light", "raygen", report.report_id)}
    assert {t.check for t in opened} <= {"overexposed", "clipped_white"}
    assert all(t.revision["exposure_ev"] < 4.0 - 1.0 for t in opened)  # from the measurement: over a stop down

    [render] = _tick(film)  # one run for the shot, whatever number of its checks failed
    assert render.job_name == "render_shot" and render.partition_key.keys_by_dimension == {"film": "revise", "shot": "s001"}
    assert render.tags["talos/revision-tickets"] == ",".join(str(t.id) for t in opened) and render.run_key.endswith("-r1")
    assert film.store.read_override("revise", "s001").revision.exposure_ev == opened[-1].revision["exposure_ev"]
    _run(film, render)
    [edit] = _tick(film)
    assert edit.job_name == "edit_film"
    fixed = _run(film, edit)
    assert fixed.success and _published(fixed)
    for t in [t for t in film.vault.tickets(film.film_id) if t.id in {o.id for o in opened}]:
        assert t.status == "fixed" and t.round == 1 and len(t.history) == 1
        assert t.before_score > t.limit >= t.after_score
    assert _report(film).published and film.store.delivery(film.film_id).published.exists()
    assert _tick(film) == []


def test_off_beat_cut_is_retimed_onto_the_beat(film):
    _inject(film, "s001", frames=24)  # past the song's last beat: no beat within the shot's handles
    _render(film, "s001")
    warned = _edit(film)
    assert warned.success and _published(warned)  # beat sync is a WARN gate: reported, still published
    offset = _report(film).per_shot["hello"]["beat_offset_frames"]
    assert offset > 1.0
    [ticket] = [t for t in film.vault.tickets(film.film_id) if t.status == "open"]
    assert (ticket.kind, ticket.check, ticket.revision["frames"]) == ("re-time", "beat_offset", 16)
    _run(film, *_tick(film))
    _run(film, *_tick(film))
    [ticket] = [t for t in film.vault.tickets(film.film_id) if t.id == ticket.id]
    assert ticket.status == "fixed" and ticket.before_score == pytest.approx(offset) and ticket.after_score <= 1.0
    cuts = film.store.read_cuts(film.film_id)
    assert cuts[0].source_frames == 16  # the revised plan reached the edit: the cut on the beat at 16.2


def test_unfixable_fault_gives_up_after_max_rounds(film, monkeypatch):
    from talos_assets.agents.evaluation import gates
    from talos_assets.revision_spec import MAX_ROUNDS

    # a fault no fix can reach: every fix leaves the shot as it is (over-exposed, the figures also fall
    # off the palette, and Chroma's tone would otherwise pull the exposure back as well)
    for name, rule in gates.CHECKS.items():
        monkeypatch.setitem(gates.CHECKS, name, replace(rule, revise=lambda outcome, ctx: ctx.current))
    _inject(film, "s002", exposure_ev=4.0)
    _render(film, "s002")
    assert not _edit(film).success
    renders = []
    for _ in range(MAX_ROUNDS + 1):
        for request in _tick(film):
            renders += [request] if request.job_name == "render_shot" else []
            _run(film, request)
            if request.job_name == "render_shot":
                [edit] = _tick(film)
                assert not _run(film, edit).success  # still blocked
    assert [r.tags["talos/revision-round"] for r in renders] == [str(n) for n in range(1, MAX_ROUNDS + 1)]
    assert {r.partition_key.keys_by_dimension["shot"] for r in renders} == {"s002"}
    stuck = [t for t in film.vault.tickets(film.film_id) if t.slot == "s002"]
    assert stuck and all(t.status == "given-up" and t.round == MAX_ROUNDS and len(t.history) == MAX_ROUNDS for t in stuck)
    assert _tick(film) == [] and not _report(film).published
