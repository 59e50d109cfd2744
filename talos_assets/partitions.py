"""The one place film and shot partitions are defined.

Dagster has no hierarchical partitions, so a shot is a key of a two-dimensional partition:
`film` (dynamic: a film is added when it is forged) x `shot` (a fixed pool of film-local slots
s001..s200). Film-level assets are partitioned by `films` and depend on the shot assets through the
built-in `MultiToSingleDimensionPartitionMapping` on the film dimension, which the UI, daemons and
backfills all understand. Slots beyond a film's shot count are padding: the root shot asset rejects
them. Why this and not the alternatives: docs/architecture.md.
"""

from __future__ import annotations

import warnings

import dagster as dg

from talos_assets.spec import MAX_SHOTS, is_valid_id

SHOT_SLOT_COUNT = MAX_SHOTS
SHOT_SLOTS = [f"s{i:03d}" for i in range(1, SHOT_SLOT_COUNT + 1)]

films_partitions = dg.DynamicPartitionsDefinition(name="films")
shot_slots_partitions = dg.StaticPartitionsDefinition(SHOT_SLOTS)
shots_partitions = dg.MultiPartitionsDefinition({"film": films_partitions, "shot": shot_slots_partitions})

# film-level asset <- every shot of the same film; shot asset <- its film's film-level asset
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=dg.BetaWarning)  # built-in and understood by UI and daemons
    film_of_shot = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="film")


def shot_key(film_id: str, slot: str) -> dg.MultiPartitionKey:
    if not is_valid_id(film_id):
        raise ValueError(f"film id '{film_id}' is not allowed")
    if slot not in SHOT_SLOTS:
        raise ValueError(f"shot slot '{slot}' is outside s001..s{SHOT_SLOT_COUNT:03d}")
    return dg.MultiPartitionKey({"film": film_id, "shot": slot})


def split_shot_key(context: dg.AssetExecutionContext) -> tuple[str, str]:
    """(film_id, slot) of the running shot partition, validated before any path is built."""
    keys = context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    film_id, slot = keys["film"], keys["shot"]
    if not is_valid_id(film_id) or slot not in SHOT_SLOTS:
        raise dg.Failure(f"partition {context.partition_key} is not a valid film/shot key: use a film id and a slot "
                         f"s001..s{SHOT_SLOT_COUNT:03d}.", allow_retries=False)
    return film_id, slot
