"""Prism's film_plan with a critic registered: each shot becomes the critic's pick among its candidates,
what the story set explicitly stays as written, and with no critic the checked plan renders as is."""

from __future__ import annotations

import os

import dagster as dg
import numpy as np
import pytest
import torch

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

STORY = """\
title: Critic Film
id: critic-film
fps: 12
resolution: [160, 90]
shots:
  - {id: free, description: Talos walks along the shore at dusk., duration: 1.0, characters: [talos]}
  - {id: fixed, description: Mira waves in the kitchen., duration: 1.0, characters: [mira], lens_mm: 35}
"""


def _register_lens_lover(tracking_uri: str, vault, stale_features: int = 0) -> None:
    """A critic that scores longer lenses higher (and nothing else), registered as Protoforge does;
    `stale_features` leaves that many features off its input, as a critic trained before they existed."""
    import mlflow

    from protoforge.models.components.critic_net import ShotCritic
    from protoforge.registry import log_model, mlflow_tracking, promote, save_checkpoint
    from talos_assets.agents.direction.candidates import FEATURE_NAMES

    net = ShotCritic(in_features=len(FEATURE_NAMES) - stale_features, hidden=4, layers=0, dropout=0.0)
    with torch.no_grad():
        (linear,) = [m for m in net.mlp if isinstance(m, torch.nn.Linear)]
        linear.weight.zero_()
        linear.bias.zero_()
        linear.weight[0, FEATURE_NAMES.index("lens_mm/100")] = 5.0
    with mlflow_tracking(tracking_uri):
        mlflow.set_experiment("critic-test")
        with mlflow.start_run(), __import__("tempfile").TemporaryDirectory() as tmp:
            weights = save_checkpoint(net, os.path.join(tmp, "weights.safetensors"))
            info = log_model(net, weights, "talos-shot-critic", [])
            version = str(info.registered_model_version)
            promote("talos-shot-critic", version, "champion", weights, tracking_uri)
    vault.link_model("critic", "talos-shot-critic", version, "champion", {})


@pytest.fixture
def studio(tmp_path, monkeypatch):
    monkeypatch.setenv("TALOS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TALOS_RENDERS", str(tmp_path / "renders"))
    monkeypatch.delenv("TALOS_ICHOR_URL", raising=False)
    story = tmp_path / "critic.yaml"
    story.write_text(STORY)
    from talos_assets.definitions import build_resources
    from talos_assets.forge import check_story
    from talos_assets.home import prepare_home
    from talos_assets.settings import studio_settings

    prepare_home()
    checked = check_story(story, studio_settings())
    resources = build_resources()
    vault = resources["ichor"].vault()
    plan = checked.plan
    vault.register_film(plan.film_id, plan.title, str(story), STORY, plan.fps, plan.width, plan.height,
                        palette=plan.palette.name, shots=[])
    store = resources["studio"].store()
    store.write_checked_plan(plan)
    return plan, resources, vault, store


def _plan_film(plan, resources):
    from talos_assets.defs.direction import film_plan

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("films", [plan.film_id])
        result = dg.materialize([film_plan], partition_key=plan.film_id, instance=instance, resources=resources)
        (mat,) = result.asset_materializations_for_node("film_plan")
        return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}


def test_without_a_critic_the_checked_plan_is_what_renders(studio):
    plan, resources, vault, store = studio
    meta = _plan_film(plan, resources)
    assert store.read_plan(plan.film_id) == plan
    assert meta["critic"].startswith("none registered")


def test_a_registered_critic_picks_each_free_shots_candidate_and_leaves_explicit_choices(studio):
    plan, resources, vault, store = studio
    _register_lens_lover(resources["mlflow"].tracking_uri, vault)
    meta = _plan_film(plan, resources)
    free, fixed = store.read_plan(plan.film_id).shots
    assert "talos-shot-critic" in meta["critic"] and "@champion" in meta["critic"]
    # the lens lover took the longest lens the candidates offered, longer than planned
    assert free.lens_mm > plan.shots[0].lens_mm
    from talos_assets.agents.direction.candidates import CRITIC_CANDIDATES, shot_candidates

    offered = shot_candidates(plan.shots[0], CRITIC_CANDIDATES, np.random.default_rng([plan.shots[0].seed, 0xC217]))
    assert free.lens_mm == max(c.lens_mm for c in offered)
    # the story set this shot's lens: the critic may vary the acting, never the lens
    assert fixed.lens_mm == 35 == plan.shots[1].lens_mm
    assert "critic_picks" in meta
    rows = [ln for ln in str(meta["critic_picks"]).splitlines() if ln.startswith("| s0")]
    assert len(rows) == 2


def test_a_critic_trained_on_older_features_is_not_used(studio):
    """Prism's features grew (the acting preview): a champion that reads fewer is passed over, named."""
    plan, resources, vault, store = studio
    _register_lens_lover(resources["mlflow"].tracking_uri, vault, stale_features=3)
    meta = _plan_film(plan, resources)
    assert store.read_plan(plan.film_id) == plan
    assert meta["critic"].startswith("unusable") and "talos lab train critic" in meta["critic"]
