"""Users' ratings in Ichor: stored beside Echo's scores, checked against the films and shots Ichor holds,
counted by the lab's training sensor, readable from a store written before ratings existed."""

from __future__ import annotations

import sqlite3

import pytest

from talos_assets.stores.ichor import IchorVault, UnknownShot

SHOTS = [dict(slot=f"s00{i + 1}", shot_id=n, position=i, description=n, emotion="joy", frames=4, plan_json="{}")
         for i, n in enumerate(("wave", "worry"))]


@pytest.fixture
def vault(tmp_path) -> IchorVault:
    v = IchorVault(f"sqlite:///{tmp_path / 'ichor.db'}")
    v.register_film("demo", "Demo", "s.yaml", "", 12, 160, 90, "sea-glass", SHOTS)
    return v


def test_ratings_round_trip_and_marks(vault):
    assert vault.judgement_marks() == (0, 0)
    vault.record_report("demo", [("wave", "flicker", 0.3, None), (None, "gate:look", 1.0, True)], [])
    row = vault.record_rating("demo", "s002", 5, "lovely")
    assert (row.film_id, row.shot_id, row.slot, row.rating, row.note) == ("demo", "worry", "s002", 5, "lovely")
    vault.record_rating("demo", "wave", 1)
    assert [(r.shot_id, r.rating) for r in vault.ratings("demo")] == [("worry", 5), ("wave", 1)]
    assert vault.judgement_marks() == (2, 2)
    # read-only opens see them too
    assert len(IchorVault(vault.url, create=False).ratings()) == 2


@pytest.mark.parametrize("film, shot, rating, message", [
    ("nope", "wave", 3, "film 'nope' is not in Ichor"),
    ("demo", "jump", 3, "film 'demo' has no shot 'jump'; its shots are: wave, worry."),
    ("demo", "wave", 0, "rating 0 for shot 'wave' is outside 1-5"),
])
def test_ratings_of_what_does_not_exist_are_refused(vault, film, shot, rating, message):
    with pytest.raises(ValueError, match=message) as info:
        vault.record_rating(film, shot, rating)
    assert isinstance(info.value, UnknownShot) == (rating != 0)
    assert vault.ratings() == []


def test_a_store_from_before_ratings(tmp_path, vault):
    with sqlite3.connect(tmp_path / "ichor.db") as db:
        db.execute("DROP TABLE ratings")
    assert IchorVault(vault.url, create=False).ratings() == []  # read-only: nothing created, nothing fails
    IchorVault(vault.url).record_rating("demo", "wave", 4)  # a writing open creates the table
    assert len(vault.ratings()) == 1
