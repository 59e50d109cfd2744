"""The Dagster layer: every agent asset is partitioned per shot, film assets per film, lineage by film."""

from __future__ import annotations

import dagster as dg

from talos_assets.definitions import FILM_ASSETS, SHOT_ASSETS, defs
from talos_assets.partitions import films_partitions, shots_partitions

AGENT_SHOT_ASSETS = {"scene_graph", "camera_plan", "storyboard_panel", "key_poses", "line_art_keys", "inbetweens",
                     "motion_curves", "colored_frames", "lit_frames", "effect_layers", "shot_render", "dialogue_line"}
FILM_LEVEL = {"film_plan", "soundtrack", "storyboard", "timeline", "film_mix", "film", "evaluation"}


def test_every_agent_asset_is_partitioned_by_shot(studio_env):
    graph = defs.resolve_asset_graph()
    for name in AGENT_SHOT_ASSETS:
        node = graph.get(dg.AssetKey(name))
        assert node.partitions_def == shots_partitions, name
    assert {a.key.to_user_string() for a in SHOT_ASSETS} == AGENT_SHOT_ASSETS
    for name in FILM_LEVEL:
        assert graph.get(dg.AssetKey(name)).partitions_def == films_partitions, name
    assert {a.key.to_user_string() for a in FILM_ASSETS} == FILM_LEVEL


def test_film_assets_see_exactly_their_films_shots(studio_env):
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("films", ["alpha", "beta"])
    graph = defs.resolve_asset_graph()
    timeline = graph.get(dg.AssetKey("timeline"))
    mapping = timeline.partition_mappings[dg.AssetKey("shot_render")]
    upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
        films_partitions.subset_with_partition_keys(["alpha"]), films_partitions, shots_partitions,
        dynamic_partitions_store=instance,
    ).partitions_subset.get_partition_keys()
    films = {k.keys_by_dimension["film"] for k in upstream}
    assert films == {"alpha"} and len(upstream) == 200


def test_checks_are_defined_for_echo_and_the_film(studio_env):
    graph = defs.resolve_asset_graph()
    names = {k.name for k in graph.asset_check_keys}
    assert {"temporal_stability", "look", "beat_sync", "stream_matches_timeline", "mix_loudness"} <= names
    assert defs.resolve_job_def("render_shot").partitions_def == shots_partitions
