"""Ichor's render-service tables: failed runs, dailies, Echo's report in one transaction, new tables
added to an existing database, and several processes writing at once with no "database is locked"."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect, text

from talos_assets.stores.ichor import IchorVault


@pytest.fixture
def vault(tmp_path) -> IchorVault:
    return IchorVault(f"sqlite:///{tmp_path / 'ichor.db'}")


def _shots(n: int, tag: str = "") -> list[dict]:
    return [dict(shot_id=f"shot{i:03d}", slot=f"s{i:03d}", position=i, description=f"shot {i} {tag}", emotion="joy",
                 frames=3, plan_json="{}") for i in range(1, n + 1)]


def test_run_failures_are_recorded_once_per_run_and_step(vault):
    assert vault.record_run_failure("r1", "render_shot", "shot_render", "OSError: disk full\n  at line 3", film_id="f", slot="s002")
    assert not vault.record_run_failure("r1", "render_shot", "shot_render", "again")  # a sensor re-evaluation
    assert vault.record_run_failure("r1", "render_shot", "effect_layers", "", film_id="f", slot="s002")
    assert vault.record_run_failure("r2", "plan_film", "film_plan", "not registered", film_id="g")
    rows = vault.run_failures("f")
    assert [(r.run_id, r.step_key, r.slot, r.error) for r in rows] == [
        ("r1", "shot_render", "s002", "OSError: disk full"), ("r1", "effect_layers", "s002", "(no message)")]
    assert [r.film_id for r in vault.run_failures()] == ["f", "f", "g"]


def test_dailies_keep_each_slots_latest_row(vault):
    vault.record_dailies("f", "2026-11-01", "/r/f_dailies_2026-11-01.png", [("s001", "a" * 64, 10), ("s002", "b" * 64, None)])
    vault.record_dailies("f", "2026-11-02", "/r/f_dailies_2026-11-02.png", [("s002", "c" * 64, 31)])
    last = vault.last_dailies("f")
    assert {slot: (r.day, r.plan_hash[0], r.render_storage_id) for slot, r in last.items()} == {
        "s001": ("2026-11-01", "a", 10), "s002": ("2026-11-02", "c", 31)}
    assert vault.last_dailies("other") == {}


def test_echo_report_is_one_transaction(vault):
    vault.register_film("f", "F", "/s.yaml", "title: F", 12, 160, 90, palette="sea-glass", shots=[])
    with pytest.raises(Exception):  # one bad row (no metric) and nothing of the report is written
        vault.record_report("f", [("hello", "flicker", 0.1, None), ("hello", None, 0.2, None)], [("hello", "tone", "dark")])
    assert vault.evaluations("f") == [] and vault.revisions("f") == []
    vault.record_report("f", [("hello", "flicker", 0.1, None), (None, "gate:look", 1.0, True)], [("hello", "tone", "dark")])
    assert [(e.shot_id, e.metric, e.passed) for e in vault.evaluations("f")] == [("hello", "flicker", None), (None, "gate:look", True)]
    assert [(r.kind, r.reason) for r in vault.revisions("f")] == [("tone", "dark")]


def test_an_existing_database_gains_the_new_tables_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    IchorVault(url).register_film("f", "F", "/s.yaml", "title: F", 12, 160, 90, palette="sea-glass", shots=_shots(2))
    engine = create_engine(url)
    with engine.begin() as conn:  # as a studio database written before the render service existed
        conn.execute(text("DROP TABLE run_failures"))
        conn.execute(text("DROP TABLE dailies_shots"))
    assert not inspect(engine).has_table("run_failures")
    engine.dispose()
    vault = IchorVault(url)
    assert [s.slot for s in vault.shots("f")] == ["s001", "s002"]
    assert vault.record_run_failure("r", "j", "s", "e") and len(vault.run_failures()) == 1


WORKER = """
import sys
from talos_assets.stores.ichor import IchorVault
url, k, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vault = IchorVault(url)
shots = [dict(shot_id=f"shot{i:03d}", slot=f"s{i:03d}", position=i, description=f"{k}", emotion="joy", frames=3,
              plan_json="{}") for i in range(1, 201)]
for r in range(rounds):
    if k == 0:  # the plan of a 200-shot film registered again and again
        vault.register_film("big", "Big", "/s.yaml", "title: Big", 12, 160, 90, palette="sea-glass", shots=shots)
    else:  # shot runs finishing and failing at the same time
        for i in range(1, 6):
            vault.set_shot_render("big", f"s{(k * 5 + i) % 200 + 1:03d}", f"/renders/{k}/{r}/{i}")
        vault.record_run_failure(f"run-{k}-{r}", "render_shot", "shot_render", "ffmpeg crashed", film_id="big")
"""


def test_concurrent_writers_never_see_a_locked_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'ichor.db'}"
    IchorVault(url).register_film("big", "Big", "/s.yaml", "title: Big", 12, 160, 90, palette="sea-glass", shots=_shots(200))
    rounds = 3
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(k), str(rounds)], stderr=subprocess.PIPE, text=True)
             for k in range(4)]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], "\n".join(e[-800:] for e in errors)
    assert not any("locked" in e for e in errors)
    vault = IchorVault(url)
    assert len(vault.shots("big")) == 200
    assert len(vault.run_failures("big")) == 3 * rounds
    assert sum(1 for s in vault.shots("big") if s.render_dir) == 15  # every slot a worker marked rendered
