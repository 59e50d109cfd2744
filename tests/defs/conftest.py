"""A small film forged once for the render-service tests (two 1-second shots at 160x90, 12 fps), and a
studio of a test's own for the modules that forge their own films."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import dagster as dg
import pytest

SERVICE_STORY = """\
title: Service Film
id: service
palette: spring-meadow
fps: 12
resolution: [160, 90]
shots:
  - {id: wave, description: Talos waves at the sea., emotion: joy, duration: 1.0, characters: [talos]}
  - {id: worry, description: Mira frowns at the clouds., emotion: sadness, duration: 1.0, characters: [mira]}
"""


@contextmanager
def _own_studio(tmp_path_factory, name: str):
    """A studio of the test's own under a fresh folder (TALOS_HOME, TALOS_RENDERS, DAGSTER_HOME; no
    shared Ichor URL), for as long as the block runs; yields the folder."""
    root = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setenv("TALOS_HOME", str(root / "home"))
    mp.setenv("TALOS_RENDERS", str(root / "renders"))
    mp.setenv("DAGSTER_HOME", str(root / "home" / "dagster"))
    mp.delenv("TALOS_ICHOR_URL", raising=False)
    try:
        yield root
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def own_studio():
    """`with own_studio(tmp_path_factory, "name") as root:` a studio of the test's own."""
    return _own_studio


@pytest.fixture(scope="session")
def service_film(tmp_path_factory, own_studio):
    """The forged film, its instance, the resources its runs used and every asset definition."""
    with own_studio(tmp_path_factory, "service") as root:
        story = root / "service.yaml"
        story.write_text(SERVICE_STORY)
        from talos_assets.definitions import FILM_ASSETS, REVIEW_ASSETS, SHOT_ASSETS, build_resources
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings

        # a persistent (SQLite) instance, as the studio's: schedules are evaluated against its ref
        (root / "dagster").mkdir()
        with dg.instance_for_test(temp_dir=str(root / "dagster")) as instance:
            checked = check_story(story, studio_settings())
            forge_film(checked, instance=instance)
            resources = build_resources()
            yield SimpleNamespace(root=root, plan=checked.plan, instance=instance, resources=resources,
                                  assets=SHOT_ASSETS + FILM_ASSETS + REVIEW_ASSETS, film_id=checked.plan.film_id)
