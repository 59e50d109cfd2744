"""Echo's revisions as pure code: a measured failure -> the adjusted configuration, escalating per
round; the agents' hooks that make each field take effect; the ticket ledger's rounds in Ichor."""

from __future__ import annotations

import math

import numpy as np
import pytest

from talos_assets.agents import camera_framing, coloring, lighting
from talos_assets.agents.evaluation import revision as fixes
from talos_assets.agents.evaluation.gates import CHECKS, judge_shot
from talos_assets.agents.evaluation.report import build_report
from talos_assets.agents.inpaint import repair_frame
from talos_assets.revision_spec import MAX_ROUNDS, InpaintRegion, ShotRevision, merged, revised_shot
from talos_assets.spec import CameraKey, ClipCut, EffectSpec, Palette, ShotPlan
from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault
from talos_assets.stores.tickets import JudgedCheck, next_attempt

PALETTE = Palette(name="sea-glass", swatches=BUILTIN_PALETTES["sea-glass"])


def shot(**update) -> ShotPlan:
    base = dict(film_id="f", shot_id="hello", slot="s001", index=0, description="d", emotion="joy", valence=0.5,
                arousal=0.5, shot_size="wide", camera="static", duration=1.0, frames=12, handle_frames=6, fps=12,
                width=160, height=90, characters=["talos"], effects=[], palette=PALETTE)
    return ShotPlan.model_validate({**base, **update})


def outcome(check: str, value: float, **kw) -> fixes.CheckOutcome:
    rule = CHECKS[check]
    limit = kw.pop("limit", {"overexposed": 0.92, "clipped_white": 0.05, "beat_offset": 1.0, "flicker": 1.0,
                             "palette_adherence": 0.6, "underexposed": 0.08}[check])
    passed = value <= limit if rule.bound == "max" else value >= limit
    return fixes.CheckOutcome(film_id="f", shot_id="hello", slot="s001", check=check, gate=rule.gate,
                              severity=rule.severity, value=value, limit=limit, bound=rule.bound, passed=passed, **kw)


def srgb_to_linear(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def test_relight_moves_exposure_by_the_measured_stops_and_escalates():
    ctx = fixes.ReviseContext(shot=shot(), current=ShotRevision(exposure_ev=3.0), scores={"mean_luma": 0.95},
                              reference_luma=0.45)
    one = fixes.relight(outcome("overexposed", 0.95), ctx)
    stops = math.log2(srgb_to_linear(0.45) / srgb_to_linear(0.95))
    assert one.exposure_ev == pytest.approx(3.0 + stops, abs=1e-3)
    two = fixes.relight(outcome("overexposed", 0.95), ctx.model_copy(update={"round": 2}))
    assert two.exposure_ev == pytest.approx(3.0 + 1.5 * stops, abs=1e-3)  # round 2 goes 50% further
    # a shot that clips white but whose mean luma is fine still closes at least half a stop
    clip = fixes.relight(outcome("clipped_white", 0.2), ctx.model_copy(update={"scores": {"mean_luma": 0.45},
                                                                              "current": ShotRevision()}))
    assert clip.exposure_ev == pytest.approx(-0.5)
    dark = fixes.relight(outcome("underexposed", 0.02), ctx.model_copy(update={"scores": {"mean_luma": 0.02},
                                                                               "current": ShotRevision()}))
    assert dark.exposure_ev > 2.0


def test_retime_lands_the_planned_cut_on_the_nearest_reachable_beat():
    cut = ClipCut(shot_id="hello", slot="s001", source_start=0, source_frames=24, record_start=0)
    ctx = fixes.ReviseContext(shot=shot(frames=24), current=ShotRevision(frames=24), cut=cut, planned_start=0,
                              beat_frames=[5.4, 10.8, 16.2])
    assert fixes.retime(outcome("beat_offset", 7.8), ctx).frames == 16
    assert fixes.retime(outcome("beat_offset", 7.8), ctx.model_copy(update={"round": 2})).frames == 11
    # a later shot: its planned length is counted from where the shots before it were planned to end
    later = ctx.model_copy(update={"planned_start": 4, "cut": cut.model_copy(update={"record_start": 4, "source_frames": 20})})
    assert fixes.retime(outcome("beat_offset", 7.8), later).frames == 12


def test_flicker_inpaints_first_then_reseeds_and_tone_pulls_harder():
    ctx = fixes.ReviseContext(shot=shot(seed=7))
    first = fixes.repair_flicker(outcome("flicker", 3.0, frames=[4, 5], region=(0.1, 0.1, 0.5, 0.5)), ctx)
    assert first.inpaint == InpaintRegion(frames=[4, 5], box=(0.1, 0.1, 0.5, 0.5)) and first.seed is None
    second = fixes.repair_flicker(outcome("flicker", 3.0), ctx.model_copy(update={"round": 2}))
    assert second.inpaint is None and second.seed == 7 + 2018
    assert CHECKS["flicker"].kind(1) == "inpaint" and CHECKS["flicker"].kind(2) == "re-simulate"
    pull1 = fixes.tone(outcome("palette_adherence", 0.4), ctx).palette_pull
    pull2 = fixes.tone(outcome("palette_adherence", 0.4), ctx.model_copy(update={"round": 2})).palette_pull
    assert pull1 == pytest.approx(0.4) and pull2 == pytest.approx(0.6)


def test_request_names_kind_agent_and_where():
    c = outcome("overexposed", 0.97, film_frames=(0, 10))
    ctx = fixes.ReviseContext(shot=shot(), scores={"mean_luma": 0.97})
    req = fixes.request_for(c, "re-light", fixes.relight, ctx, report_id="r1")
    assert (req.kind, req.agent, req.check, req.report_id) == ("re-light", "raygen", "overexposed", "r1")
    assert req.revision.exposure_ev < 0 and "film frames 0-10" in req.reason and "exposure_ev" in req.reason


def test_gates_block_only_on_error_checks():
    good = {"flicker": 0.1, "palette_adherence": 0.9, "mean_luma": 0.45, "clipped_black": 0.0,
            "clipped_white": 0.0, "frames": 10.0}
    late = build_report("f", {"a": {**good, "beat_offset_frames": 4.0}})
    assert late.gates["beat_sync"] is False and late.gate_severity["beat_sync"] == "warn"
    assert late.publishable and late.blocked_by == []  # an off-beat cut is reported, the film still goes out
    bright = build_report("f", {"a": {**good, "mean_luma": 0.97}}, film_frames={"a": (0, 9)})
    assert not bright.publishable and bright.gate_severity["look"] == "error"
    assert "overexposed" in bright.blocked_by[0] and "film frames 0-9" in bright.blocked_by[0]
    assert [c.check for c in judge_shot("f", "a", "s001", {"mean_luma": float("nan")})] == []


def test_revised_shot_identity_and_fields():
    s = shot(effects=[EffectSpec(kind="smoke", strength=1.5)])
    assert revised_shot(s, ShotRevision()) is s
    r = revised_shot(s, ShotRevision(frames=20, seed=3, effect_strength=2.0))
    assert (r.frames, r.total_frames, r.seed, r.effects[0].strength) == (20, 26, 3, 3.0)
    assert r.duration == pytest.approx(20 / 12)
    both = merged(ShotRevision(exposure_ev=3.0), ShotRevision(exposure_ev=1.0), ShotRevision(exposure_ev=3.0, frames=9))
    assert (both.exposure_ev, both.frames) == (1.0, 9)


def test_agent_hooks_take_effect_and_default_to_the_same_array():
    layer = np.full((6, 8, 4), 0.25, np.float32)
    assert lighting.apply_exposure(layer, 0.0) is layer
    assert np.allclose(lighting.apply_exposure(layer, 2.0)[..., :3], 1.0)
    assert np.allclose(lighting.apply_exposure(layer, 2.0)[..., 3], 0.25)
    assert coloring.pull_to_palette(layer, PALETTE, 0.0) is layer
    full = coloring.pull_to_palette(np.concatenate([np.full((6, 8, 3), 0.9, np.float32), np.ones((6, 8, 1), np.float32)], 2),
                                    PALETTE, 1.0)
    swatches = [coloring.hex_to_linear(h) for h in PALETTE.swatches.values()]
    assert min(np.abs(full[0, 0, :3] - s).max() for s in swatches) < 1e-5  # exactly a swatch
    cam = CameraKey(frame=0, center_x=0.8, zoom=2.0)
    wide = camera_framing.zoomed_out(cam, 1.6)
    assert wide.zoom == pytest.approx(1.25) and wide.center_x == pytest.approx(0.6)
    assert camera_framing.zoomed_out(cam, 1.0) is cam


def test_inpaint_repairs_a_flash_and_leaves_the_rest():
    rng = np.random.default_rng(0)
    calm = rng.uniform(0.2, 0.4, (30, 40, 3)).astype(np.float32)
    flash = calm.copy()
    flash[5:15, 10:20] += 0.5
    fixed, count = repair_frame(flash, calm, calm)
    assert count == 100 and np.abs(fixed - calm).max() < 1e-5
    outside, none = repair_frame(flash, calm, calm, box=(0.75, 0.75, 1.0, 1.0))
    assert none == 0 and np.array_equal(outside, flash)


def test_ticket_rounds_are_bounded(tmp_path):
    vault = IchorVault(f"sqlite:///{tmp_path / 'ichor.db'}")
    vault.register_film("f", "F", "f.yaml", "", 12, 160, 90, "sea-glass", shots=[])

    def evaluate(value: float, passed: bool, ev: float) -> str:
        c = outcome("overexposed", value)
        tickets = vault.tickets("f")
        rnd = next_attempt(tickets, "s001", "overexposed")
        req = fixes.request_for(c, "re-light", lambda o, ctx: ShotRevision(exposure_ev=ev), fixes.ReviseContext(shot=shot(), round=rnd))
        rid = f"r{len(vault.reports('f'))}"
        vault.record_report("f", [("hello", "check:overexposed", value, passed)], [], report_id=rid, publishable=passed,
                            judged=[JudgedCheck("s001", "hello", "overexposed", value, passed)],
                            requests=[] if passed else [req], plan_digests={"s001": "d1"})
        return rid

    rid = evaluate(0.97, False, -2.0)
    [t] = vault.tickets("f")
    assert (t.status, t.round, t.before_score, t.revision["exposure_ev"]) == ("open", 0, 0.97, -2.0)
    assert [r.metric for r in vault.report_rows(rid)] == ["check:overexposed"]
    for round_ in range(1, MAX_ROUNDS + 1):
        assert vault.claim_tickets([t.id], f"k{round_}") == round_
        evaluate(0.95, False, -3.0)
    [t] = vault.tickets("f")
    assert t.status == "given-up" and t.round == MAX_ROUNDS and t.after_score == 0.95 and len(t.history) == MAX_ROUNDS
    evaluate(0.95, False, -3.0)  # the same failure again: no new ticket for a shot whose rounds are spent
    assert len(vault.tickets("f")) == 1 and vault.claim_tickets([t.id], "k9") == 0


def test_inpaint_fills_moving_pixels_from_the_frame_not_a_double_image():
    frame = np.full((30, 40, 3), 0.3, np.float32)
    before, after = frame.copy(), frame.copy()
    before[10:14, 5:9] = 0.9  # something passes: the neighbours disagree there
    after[10:14, 25:29] = 0.9
    flash = frame.copy()
    flash[10:14, 5:9] = 0.0  # and this frame has a hole where the earlier one had it
    fixed, count = repair_frame(flash, before, after)
    assert count == 32
    assert np.abs(fixed[10:14, 5:9] - 0.3).max() < 0.05  # filled from around it (0.3), not the ghost (0.45)


def test_a_database_from_before_tickets_opens_and_gains_the_tables(tmp_path):
    from sqlalchemy import inspect, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = IchorVault(url)
    old.register_film("f", "F", "f.yaml", "", 12, 160, 90, "sea-glass", shots=[])
    with old.engine.begin() as con:
        for table in ("revision_tickets", "evaluation_reports", "publications"):
            con.execute(text(f"DROP TABLE {table}"))
    old.engine.dispose()
    vault = IchorVault(url)
    assert {"revision_tickets", "evaluation_reports", "publications"} <= set(inspect(vault.engine).get_table_names())
    assert vault.film_ids() == ["f"] and vault.tickets("f") == [] and vault.publications("f") == []


def test_forge_exits_1_with_the_reason_when_echo_blocks_the_film(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import talos_assets.forge as forge
    from talos_assets.cli import app
    from talos_assets.forge import ForgeOutcome
    from talos_assets.stores.studio import StudioStore

    monkeypatch.setenv("TALOS_HOME", str(tmp_path / "home"))
    story = tmp_path / "s.yaml"
    story.write_text("title: x\n")
    delivery = StudioStore(tmp_path, tmp_path / "renders").delivery("tiny")
    monkeypatch.setattr(forge, "check_story", lambda path, settings: SimpleNamespace(plan=SimpleNamespace(film_id="tiny")))

    def outcome(published: bool) -> ForgeOutcome:
        blocked = [] if published else ["look: hello: overexposed 0.97 vs 0.92"]
        return ForgeOutcome(home=tmp_path, delivery=delivery, failed_gates=blocked, published=published, blocked_by=blocked)

    monkeypatch.setattr(forge, "forge_film", lambda checked, **kw: outcome(False))
    blocked = CliRunner().invoke(app, ["forge", str(story)])
    said = " ".join(blocked.output.split())  # the console wraps long lines
    assert blocked.exit_code == 1
    assert "not published: Echo's ERROR gates failed for film 'tiny'" in said and "overexposed 0.97 vs 0.92" in said
    monkeypatch.setattr(forge, "forge_film", lambda checked, **kw: outcome(True))
    assert CliRunner().invoke(app, ["forge", str(story)]).exit_code == 0


def test_a_finding_is_judged_by_its_rule(monkeypatch):
    from talos_assets.agents.evaluation import gates
    from talos_assets.agents.evaluation.findings import EchoFinding

    # adding a measure is one entry: check -> gate, severity, bound, limit, fix kind and fix
    monkeypatch.setitem(gates.CHECKS, "story_fidelity", gates.CheckRule(
        "story_fidelity", "story_fidelity", "story", "error", "min", lambda th: 0.8, ("re-simulate",), fixes.resimulate))
    miss = EchoFinding(check="story_fidelity", value=0.5, limit=0.8, unit="", severity="error", frames=[3, 4],
                       detail="the smoke the text names is missing")
    report = build_report("f", {"a": {"flicker": 0.1}}, slots={"a": "s001"}, findings={"a": [miss]})
    [c] = report.failures()
    assert (c.check, c.gate, c.frames, c.slot) == ("story_fidelity", "story", [3, 4], "s001")
    assert not report.publishable and report.gates["story"] is False
    ctx = fixes.ReviseContext(shot=shot(effects=[EffectSpec(kind="smoke", strength=1.0)]))
    req = fixes.request_for(c, gates.CHECKS["story_fidelity"].kind(1), fixes.resimulate, ctx)
    assert (req.kind, req.agent) == ("re-simulate", "stokes") and req.revision.effect_strength == pytest.approx(1.5)


def test_a_warning_is_revised_only_where_its_rule_says():
    from talos_assets.agents.evaluation.findings import EchoFinding

    missing = EchoFinding(check="story_fidelity", value=0.8, limit=1.0, unit="fraction", severity="warn", frames=[],
                          detail="1 of 5 elements not on screen: effect:smoke@horizon")
    off_palette = EchoFinding(check="palette_de2000", value=0.7, limit=0.75, unit="", severity="warn", frames=[2])
    far_off = EchoFinding(check="palette_de2000", value=0.3, limit=0.75, unit="", severity="error", frames=[2])
    judged = {c.check + ":" + str(c.value): c for c in judge_shot("f", "hello", "s001", {}, findings=[missing, off_palette, far_off])}
    assert not any(c.passed for c in judged.values())
    # a missing element of the story asks for a fix; a palette past its warning is reported, past its error fixed
    assert [judged["story_fidelity:0.8"].revise, judged["palette_de2000:0.7"].revise, judged["palette_de2000:0.3"].revise] \
        == [True, False, True]
    report = build_report("f", {"hello": {}}, slots={"hello": "s001"}, findings={"hello": [missing, off_palette]})
    assert report.publishable and len(report.failures()) == 2
    [line] = report.revision_requests
    assert line.startswith("hello: re-simulate:")
    # a weakened effect is brought back past its planned strength, not 1.5x of what was left of it
    ctx = fixes.ReviseContext(shot=shot(effects=[EffectSpec(kind="smoke", strength=1.0)]),
                              current=ShotRevision(effect_strength=0.1))
    revised = fixes.restage(judged["story_fidelity:0.8"], ctx)
    assert revised.effect_strength == pytest.approx(1.5)
    prop_out = judged["story_fidelity:0.8"].model_copy(update={"detail": "1 of 4 elements not on screen: prop:lantern"})
    assert CHECKS["story_fidelity"].kind(1, prop_out) == "re-frame" and fixes.restage(prop_out, ctx).zoom_out > 1.0


def test_a_learned_judge_is_reported_not_acted_on():
    # the CLIP's margin: a shot whose captions find another shot first fails the story gate as a WARN,
    # with no revision request; a positive margin passes
    report = build_report("f", {"a": {"text_alignment": -0.12}, "b": {"text_alignment": 0.3}}, slots={"a": "s001", "b": "s002"})
    [failed] = report.failures()
    assert (failed.slot, failed.check, failed.gate, failed.severity, failed.revise) == ("s001", "text_alignment", "story", "warn", False)
    assert report.publishable and report.gates["story"] is False and report.revision_requests == []
