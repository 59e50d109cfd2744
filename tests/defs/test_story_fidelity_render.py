"""Story fidelity on a real render: the conftest's forged two-shot film (160x90) realises every element
its scene graphs name, read back through the studio store's typed readers; asking the same shots for a
set, a time of day or a speaker they do not show fails exactly those elements."""

from __future__ import annotations

import pytest

from talos_assets.agents.evaluation.story_fidelity import StoryElement, fidelity_score, story_elements
from talos_assets.agents.evaluation.story_fidelity_store import shot_fidelity_from_store


def _fidelity(film, shot, elements=None):
    studio = film.resources["studio"]
    return shot_fidelity_from_store(studio.store(), shot, studio.set_dirs(), studio.character_dirs(),
                                    studio.prop_dirs(), elements=elements)


def test_rendered_shots_realise_their_scene_graph(service_film):
    for shot in service_film.plan.shots:
        checks = _fidelity(service_film, shot)
        assert [c.element for c in checks] == [e.name for e in story_elements(shot)]
        assert {"set", "time", "weather"} <= {c.kind for c in checks}
        assert fidelity_score(checks) == (1.0, []), [c for c in checks if not c.found]


def test_elements_a_render_does_not_show_fail(service_film):
    shot = service_film.plan.shots[0]
    other_place = "bedroom" if shot.setting.place != "bedroom" else "forest"
    other_time = "noon" if shot.setting.time_of_day.value != "noon" else "night"
    asked = [StoryElement(kind="set", value=shot.setting.place), StoryElement(kind="set", value=other_place),
             StoryElement(kind="time", value=other_time), StoryElement(kind="speaker", value="mira"),
             StoryElement(kind="effect", value="fire@chest", character="talos")]
    score, failed = fidelity_score(_fidelity(service_film, shot, asked))
    assert failed == [f"set:{other_place}", f"time:{other_time}", "speaker:mira", "effect:fire@chest"]
    assert score == pytest.approx(0.2)
