"""The shot critic: Echo's one-number shot score, Prism's candidates, and a critic trained on Ichor's
rows that learns which candidate Echo prefers (registered, promoted and loaded by alias)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from protoforge.config import TrainConfig  # noqa: E402
from protoforge.data.critic_rows import CriticDataModule, scored_shots  # noqa: E402
from protoforge.registry import load_checkpoint, load_registered  # noqa: E402
from protoforge.train import train  # noqa: E402
from talos_assets.agents import direction  # noqa: E402
from talos_assets.agents.direction.candidates import FEATURE_NAMES, pick_candidate, plan_features, shot_candidates  # noqa: E402
from talos_assets.agents.evaluation.shot_score import echo_shot_score, metric_score  # noqa: E402
from talos_assets.agents.key_animation import available_characters  # noqa: E402
from talos_assets.spec import CameraMove, Palette  # noqa: E402
from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault  # noqa: E402
from talos_assets.story import parse_story  # noqa: E402

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])


def _plan(text: str):
    story = parse_story("title: Critic\nfps: 12\nresolution: [160, 90]\nlogline: " + text + "\n")
    return direction.direct_film(story, PALETTE, cast=available_characters())


# ---- Echo's shot score ---------------------------------------------------------------------------


def test_a_metric_at_its_limit_scores_one_half_and_better_scores_higher():
    assert metric_score("flicker", 1.0) == pytest.approx(0.5)
    assert metric_score("flicker", 0.0) == pytest.approx(1.0)
    assert metric_score("flicker", 2.0) == pytest.approx(0.2)
    assert metric_score("palette_adherence", 0.6) == pytest.approx(0.5)
    assert metric_score("palette_adherence", 0.9) > metric_score("palette_adherence", 0.7)
    assert metric_score("mean_luma", 0.5) == pytest.approx(1.0) and metric_score("mean_luma", 0.92) == pytest.approx(0.5)
    assert metric_score("frames", 40.0) is None and metric_score("flicker", float("nan")) is None


def test_the_shot_score_averages_what_was_measured_and_a_rating_weighs_as_much_as_echo():
    assert echo_shot_score({"flicker": 1.0, "clipped_white": 0.0}) == pytest.approx(0.75)
    assert echo_shot_score({"flicker": 1.0, "clipped_white": 0.0, "frames": 9.0}) == pytest.approx(0.75)
    assert echo_shot_score({"flicker": 1.0, "clipped_white": 0.0}, rating=5) == pytest.approx(0.875)
    assert echo_shot_score({}, rating=1) == pytest.approx(0.0)
    assert np.isnan(echo_shot_score({"frames": 3.0}))


# ---- Prism's candidates --------------------------------------------------------------------------


def test_candidates_keep_the_planned_shot_first_and_vary_only_what_the_story_left_free():
    shot = _plan("Talos walks along the shore at dusk as smoke rises from the sea.").shots[0]
    shot = shot.model_copy(update={"camera": CameraMove.static})
    free = shot_candidates(shot, 6, np.random.default_rng(0))
    assert free[0] == shot and len(free) == 6
    assert len({(c.camera, c.lens_mm, c.seed) for c in free}) == 6
    assert any(c.effects != shot.effects for c in free[1:]) and shot.effects
    fixed = shot_candidates(shot, 6, np.random.default_rng(0), fixed=("camera", "lens_mm", "effects"))
    assert {(c.camera, c.lens_mm) for c in fixed} == {(shot.camera, shot.lens_mm)}
    assert all(c.effects == shot.effects for c in fixed) and len({c.seed for c in fixed}) == 6
    assert plan_features(shot).shape == (len(FEATURE_NAMES),)


def test_pick_candidate_takes_the_best_prediction_and_keeps_the_plan_on_a_tie():
    shot = _plan("Talos sits on the beach.").shots[0]
    cands = shot_candidates(shot, 4, np.random.default_rng(1))
    handheld = FEATURE_NAMES.index("camera:handheld")
    chosen, scores = pick_candidate(cands, lambda x: -np.arange(len(x), dtype=float))
    assert chosen == cands[0] and scores.shape == (4,)
    chosen, _ = pick_candidate(cands, lambda x: np.zeros(len(x)))
    assert chosen == cands[0]
    chosen, _ = pick_candidate(cands, lambda x: np.arange(len(x), dtype=float) + 10 * x[:, handheld])
    assert chosen == cands[-1]


# ---- the critic learns from Ichor ------------------------------------------------------------------


def _judged_studio(root) -> IchorVault:
    """Films whose shots Echo scored: a handheld camera flickers (as Echo measures it), a static one does not."""
    vault = IchorVault(f"sqlite:///{root}/ichor.db")
    lines = ["Talos sits on the beach at night.", "Mira walks through the forest in the rain.",
             "Pip waves in the kitchen.", "Talos kneels in the workshop.", "Mira gazes at the stars on the cliff.",
             "Pip runs across the meadow at noon.", "Talos lifts the lantern in the harbor.", "Mira dances in the hall."]
    rng = np.random.default_rng(7)
    for f, line in enumerate(lines):
        base = _plan(line).shots[0]
        shots = []
        for k, cand in enumerate(shot_candidates(base, 4, rng)):
            camera = CameraMove.handheld if k % 2 else CameraMove.static
            plan = cand.model_copy(update={"camera": camera, "shot_id": f"c{k}", "slot": f"s{k + 1:03d}"})
            shots.append(dict(slot=plan.slot, shot_id=plan.shot_id, position=k, description=line, emotion="calm",
                              frames=plan.frames, plan_json=plan.model_dump_json()))
        film = f"film-{f}"
        vault.register_film(film, film, "story.yaml", "", 12, 160, 90, "bronze-dusk", shots)
        rows = [(s["shot_id"], "flicker", float(2.0 if k % 2 else 0.3) + 0.05 * rng.random(), None)
                for k, s in enumerate(shots)]
        vault.record_report(film, rows + [(None, "gate:temporal_stability", 0.0, False)], [])
    return vault


def test_the_critic_trains_on_ichor_rows_and_prefers_what_echo_scored_higher(tmp_path):
    vault = _judged_studio(tmp_path)
    shots, read = scored_shots(vault)
    assert len(shots) == 32 and len(read.evaluation_ids) == 40
    data = CriticDataModule(vault.url, val_fraction=0.25)
    data.setup("fit")
    assert data.n_train + data.n_val == 32 and data.n_val >= 4
    cfg = TrainConfig(agent="critic", ichor_url=vault.url, mlflow_tracking_uri=f"sqlite:///{tmp_path}/mlflow.db",
                      max_epochs=60, batch_size=8, val_fraction=0.25, cpu_threads=1)
    result = train(cfg)
    assert result.promoted and result.metrics["heldout/spearman"] > 0.6, result.metrics
    critic = load_registered("critic", tracking_uri=cfg.mlflow_tracking_uri, device="cpu")
    base = _plan("Pip sits by the river at dawn.").shots[0]  # a line the critic never saw
    steady, shaky = (base.model_copy(update={"camera": c}) for c in (CameraMove.static, CameraMove.handheld))

    def predict(x):
        import torch

        with torch.no_grad():
            return critic(torch.from_numpy(x)).numpy()

    chosen, scores = pick_candidate([shaky, steady], predict)
    assert chosen.camera == CameraMove.static and scores[1] > scores[0] + 0.1
    # the registered safetensors file alone reproduces the critic (standardisation included)
    path = tmp_path / "critic.safetensors"
    from protoforge.registry import save_checkpoint

    save_checkpoint(critic, path)
    again = load_checkpoint(path, "cpu")
    x = np.stack([plan_features(shaky), plan_features(steady)])
    import torch

    with torch.no_grad():
        assert np.allclose(again(torch.from_numpy(x)).numpy(), predict(x), atol=1e-6)


# ---- versions of one shot: the order within a line ----------------------------------------------------


def test_pair_accuracy_counts_clear_pairs_within_a_group_only():
    import torch

    from protoforge.models.critic_module import pair_accuracy

    target = torch.tensor([0.80, 0.70, 0.75, 0.90, 0.9005])
    group = torch.tensor([0, 0, 0, 1, 1])  # group 1's two shots are 0.0005 apart: a tie, not a pair
    assert float(pair_accuracy(torch.tensor([0.9, 0.1, 0.5, 0.0, 1.0]), target, group)) == 1.0
    assert float(pair_accuracy(torch.tensor([0.1, 0.9, 0.5, 1.0, 0.0]), target, group)) == 0.0
    assert abs(float(pair_accuracy(torch.tensor([0.9, 0.5, 0.1, 0.0, 0.0]), target, group)) - 2 / 3) < 1e-6
    assert float(pair_accuracy(target, target, torch.arange(5))) == 0.5  # no pairs: chance


def test_group_batches_keep_groups_whole_and_cover_every_row_each_epoch():
    from protoforge.data.critic_rows import GroupBatches

    groups = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4]
    sampler = GroupBatches(groups, batch_size=5)
    orders = []
    for _ in range(4):
        expected = len(sampler)
        batches = list(sampler)
        assert len(batches) == expected
        assert sorted(i for b in batches for i in b) == list(range(len(groups)))
        for b in batches:
            for g in {groups[i] for i in b}:
                assert {i for i, h in enumerate(groups) if h == g} <= set(b)  # the whole group
        orders.append([groups[b[0]] for b in batches])
    assert len({tuple(o) for o in orders}) > 1  # reshuffled between epochs


def test_the_critic_learns_which_version_of_a_shot_acts_more_smoothly(tmp_path, one_torch_thread):
    """Four seeds of each line rendered and judged by Echo's jerk: trained on Ichor's rows, the critic
    orders held-out lines' versions as Echo did and picks the smoothest seed of a line it never saw."""
    from talos_assets.agents.evaluation.acting_preview import acting_preview

    vault = IchorVault(f"sqlite:///{tmp_path}/ichor.db")
    lines = ["Mira is furious with Pip.", "A fire roars from his bronze heart.", "Talos is overjoyed.",
             "Pip is terrified of the storm.", "Mira is determined to win.", "Pip is surprised by the noise.",
             "Talos is amazed by the sea.", "Pip is calm by the lake.", "Mira feels a deep sorrow."]
    for f, line in enumerate(lines):
        base = _plan(line).shots[0]
        for k in range(4):
            shot = base.model_copy(update={"seed": 100 * f + k})
            film = f"film-{f}-{k}"  # each version its own film, as the bench renders them
            vault.register_film(film, f"Line {f}", "story.yaml", "", 12, 160, 90, "bronze-dusk",
                                [dict(slot=shot.slot, shot_id=shot.shot_id, position=0, description=line,
                                      emotion=shot.emotion.value, frames=shot.frames, plan_json=shot.model_dump_json())])
            jerk = acting_preview(shot).jerk  # what Echo measures on the render (test_acting_preview.py)
            vault.record_report(film, [(shot.shot_id, "jerk", jerk, None), (shot.shot_id, "flicker", 0.2, None)], [])
    cfg = TrainConfig(agent="critic", ichor_url=vault.url, mlflow_tracking_uri=f"sqlite:///{tmp_path}/mlflow.db",
                      max_epochs=80, batch_size=8, val_fraction=0.3, cpu_threads=1)
    result = train(cfg)
    assert result.n_val >= 8 and result.metrics["heldout/pair_accuracy"] >= 0.8, result.metrics
    critic = load_registered("critic", tracking_uri=cfg.mlflow_tracking_uri, device="cpu")

    def predict(x):
        import torch

        with torch.no_grad():
            return critic(torch.from_numpy(x)).numpy()

    unseen = _plan("Talos is furious with Mira.").shots[0]
    versions = [unseen.model_copy(update={"seed": s}) for s in (5, 6, 7, 8, 9)]
    jerks = [acting_preview(v).jerk for v in versions]
    chosen, _ = pick_candidate(versions, predict, preview=acting_preview)
    assert acting_preview(chosen).jerk <= sorted(jerks)[1], (jerks, acting_preview(chosen).jerk)
