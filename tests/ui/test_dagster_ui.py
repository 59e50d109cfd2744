"""The Dagster UI tested as a user uses it: a real `dagster dev` on 127.0.0.1 driven by headless Chromium.

One studio for the module: a tiny two-shot film forged with `talos forge` in a subprocess, then
`dagster dev` (webserver, daemon and code server; the daemon is what takes a queued run and starts
it) on a free loopback port against that studio home. The tests click what a user clicks: the
lineage page, the asset's Materialize dialog with its film and shot pickers, the partition's
metadata. Outcomes are checked where they are stored (the run's status and the materialization's
metadata in the Dagster instance), never inferred from the page alone.

Set TALOS_UI_SCREENSHOTS=1 to refresh docs/ui.png and docs/ui_materialization.png.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 60_000  # a cold code location on 2 busy cores takes tens of seconds to answer

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is missing: run `apt-get install -y chromium` (.ci/run does)")

GROUPS = ["prism_direction", "axis_key_animation", "flux_inbetweening", "chroma_coloring", "raygen_lighting",
          "stokes_effects", "anima_render", "cuttura_editing", "echo_feedback", "voices"]
SHOT_ASSETS = ["scene_graph", "dialogue_line", "key_poses", "camera_plan", "line_art_keys", "storyboard_panel", "inbetweens",
               "motion_curves", "colored_frames", "lit_frames", "effect_layers", "shot_render"]

STORY = """\
title: Tiny UI Film
id: tiny
palette: sea-glass
fps: 12
resolution: [160, 90]
shots:
  - id: hello
    description: Talos smiles at the calm sea.
    emotion: joy
    duration: 0.5
    characters: [talos]
    camera: push-in
  - id: wave
    description: Mira waves at the bright sky.
    emotion: joy
    duration: 0.5
    characters: [mira]
    camera: static
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def _wait_for_webserver(proc: subprocess.Popen, url: str, log: Path, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"dagster dev did not answer on {url} within {timeout_s:.0f} s:\n{_tail(log)}")


def _stop_group(proc: subprocess.Popen) -> None:
    """dagster dev owns a process group (webserver, daemon, code servers): stop all of it (the studio is
    a temp folder, so a group still shutting down after 10 s is killed rather than waited for)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui_studio")
    home = root / "home"
    env = {**os.environ, "TALOS_HOME": str(home), "TALOS_RENDERS": str(root / "renders"),
           "DAGSTER_HOME": str(home / "dagster"), "DAGSTER_DISABLE_TELEMETRY": "1", "MLFLOW_DISABLE_TELEMETRY": "true"}
    env.pop("TALOS_ICHOR_URL", None)
    story = root / "tiny.yaml"
    story.write_text(STORY)
    forged = subprocess.run([sys.executable, "-m", "talos_assets.cli", "forge", str(story)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert forged.returncode == 0, f"talos forge failed:\n{forged.stdout[-2000:]}\n{forged.stderr[-2000:]}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "dagster_dev.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port),
             "-w", str(REPO / "workspace.yaml")],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for_webserver(proc, url, log)
        yield {"url": url, "home": home, "dagster_home": home / "dagster", "log": log}
    finally:
        _stop_group(proc)


@pytest.fixture(scope="module")
def instance(studio):
    """The studio's Dagster instance, read by the test as the webserver writes it."""
    import dagster as dg

    inst = dg.DagsterInstance.from_config(str(studio["dagster_home"]))
    yield inst
    inst.dispose()


@pytest.fixture(scope="module")
def browser_context(studio):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        # a returning user has dismissed the "Join the Dagster community" modal, which otherwise opens
        # a second after the first page load, over whatever the test is clicking
        context.add_init_script("window.localStorage.setItem('communityNux', '\"1\"')")
        yield context
        browser.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    # should the modal still open (a new UI version, a new storage key), press Skip as a user would
    community = page.get_by_role("dialog").filter(has_text="Join the Dagster community")
    page.add_locator_handler(community, lambda dlg: dlg.get_by_role("button", name="Skip").click())
    yield page
    page.close()


def _screenshot(page, name: str) -> None:
    """Refresh a screenshot in docs/ only when asked (TALOS_UI_SCREENSHOTS), written temp-then-rename."""
    if not os.environ.get("TALOS_UI_SCREENSHOTS"):
        return
    final = DOCS / name
    tmp = final.with_name(f".{final.stem}.tmp.png")
    page.screenshot(path=str(tmp))
    os.replace(tmp, final)


def test_asset_graph_shows_every_agent_group(studio, page):
    from playwright.sync_api import expect

    page.goto(studio["url"])
    page.get_by_role("link").filter(has_text=re.compile(r"^\s*Lineage\s*$")).click()
    nodes = page.locator("svg foreignObject")
    expect(nodes.filter(has_text="prism_direction").first).to_be_visible(timeout=TIMEOUT_MS)
    # the collapsed graph shortens long group names; expanded, every group and asset is drawn in full
    # (the graph's context menu opens on empty canvas: just below the search bar, left of the centred graph)
    search = page.get_by_text("Search and filter assets").bounding_box()
    page.mouse.click(search["x"] + 10, search["y"] + 60, button="right")
    page.get_by_role("menuitem", name="Expand all groups").click()
    for name in GROUPS + SHOT_ASSETS:
        expect(nodes.filter(has_text=re.compile(f"^{name}$")).first).to_be_visible(timeout=TIMEOUT_MS)
    _screenshot(page, "ui.png")


def _pick_partition(page, dialog, picker, key: str) -> None:
    picker.click()
    # the newest picker's filter: the previous dimension's popover may still be closing
    page.get_by_placeholder("Filter partitions").last.fill(key)
    # each row shows its key twice (text and a truncation gauge); its title attribute is the key once
    page.locator(".dagster-popover").get_by_role("menuitem").filter(has=page.get_by_title(key, exact=True)).click()
    page.keyboard.press("Escape")
    _expect_visible(dialog.get_by_text(key, exact=True).first)


def _expect_visible(locator) -> None:
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=TIMEOUT_MS)


def _wait_for_run_end(instance, run_prefix: str, timeout_s: float = 150.0):
    runs = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = [r for r in instance.get_runs(limit=20) if r.run_id.startswith(run_prefix)]
        if runs and runs[0].is_finished:
            return runs[0]
        time.sleep(1.0)
    status = runs[0].status if runs else "not in the instance"
    pytest.fail(f"run {run_prefix} did not finish within {timeout_s:.0f} s (status {status})")


def test_shot_partition_materialized_from_the_ui(studio, page, instance):
    import dagster as dg

    page.goto(f"{studio['url']}/assets/line_art_keys?view=partitions")
    page.get_by_role("button", name="Materialize…").first.click()
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize line_art_keys")
    placeholder = dialog.get_by_text("Select a partition or create one")
    _pick_partition(page, dialog, placeholder.first, "tiny")   # the film dimension comes first
    _pick_partition(page, dialog, placeholder.last, "s001")    # then the shot slot (the only picker left)
    dialog.get_by_role("button", name="Launch 1 run").click()
    toast = page.get_by_text(re.compile(r"Launched run [0-9a-f]{8}"))
    _expect_visible(toast)
    prefix = re.search(r"Launched run ([0-9a-f]{8})", toast.inner_text()).group(1)

    run = _wait_for_run_end(instance, prefix)
    assert run.status == dg.DagsterRunStatus.SUCCESS, f"run {run.run_id} ended {run.status}: see {studio['log']}"
    assert run.tags.get("dagster/partition") == "tiny|s001"
    assert run.asset_selection == {dg.AssetKey("line_art_keys")}
    latest = instance.fetch_materializations(dg.AssetRecordsFilter(
        asset_key=dg.AssetKey("line_art_keys"), asset_partitions=["tiny|s001"]), limit=1).records
    assert latest and latest[0].run_id == run.run_id, "the UI's run did not record the partition's materialization"
    # and the UI reports it as the user would see it
    page.goto(f"{studio['url']}/runs/{run.run_id}")
    _expect_visible(page.get_by_text("Success", exact=True).first)


def test_materialization_preview_is_shown(studio, page, instance):
    import dagster as dg

    page.goto(f"{studio['url']}/assets/shot_render?view=partitions")
    page.get_by_text("tiny", exact=True).first.click()
    page.get_by_text("s002", exact=True).first.click()
    _expect_visible(page.get_by_text("tiny|s002", exact=True).first)
    preview_row = page.locator("tr").filter(has=page.get_by_text("preview", exact=True))
    preview_row.get_by_text("[Show Markdown]").click()
    img = page.get_by_role("dialog").locator('img[src^="data:image/png;base64,"]')
    _expect_visible(img)
    page.wait_for_function("e => e.complete", arg=img.element_handle())
    width, height = img.evaluate("e => [e.naturalWidth, e.naturalHeight]")
    assert width > 0 and height > 0, "the preview image did not decode in the browser"
    # the picture shown is the one the run stored, byte for byte
    record = instance.fetch_materializations(dg.AssetRecordsFilter(
        asset_key=dg.AssetKey("shot_render"), asset_partitions=["tiny|s002"]), limit=1).records[0]
    stored = record.asset_materialization.metadata["preview"].value
    assert f"({img.get_attribute('src')})" in stored
    _screenshot(page, "ui_materialization.png")
