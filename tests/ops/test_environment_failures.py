"""Environment failures as a user meets them: `talos` exits 2 with one sentence naming the cause and what
to do, never a traceback (`--debug` shows it). Disk full inside a Dagster step, a studio home this user
cannot write, garbage in dagster.yaml, runs.db, index.db and ichor.db; and the classifier itself."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from talos_assets.ops.errors import explain, explain_error_info, explain_text

# injected into the forge's interpreter: the lit frames' final rename hits a full disk, inside a step
FULL_DISK_AT_LIT = """\
import errno, os
_replace = os.replace
def _full(src, dst, *args, **kwargs):
    if f"{os.sep}lit{os.sep}" in os.fspath(dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(dst))
    return _replace(src, dst, *args, **kwargs)
os.replace = _full
"""


def test_disk_full_inside_a_step_is_one_plain_sentence(studio, tmp_path):
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(FULL_DISK_AT_LIT)
    env = studio.env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(inject), env.get("PYTHONPATH", "")) if p)
    done = studio.talos("forge", str(studio.story("full")), env=env)
    message = studio.assert_one_sentence(done, "No space left on device", "talos clean --all", str(studio.home))
    assert "DagsterExecutionStepExecutionError" not in message
    assert (studio.home / "films" / "full" / "shots" / "s001" / "colored").is_dir()  # it failed mid-shot


def _private_tmpfs_works(mount: Path) -> bool:
    mount.mkdir(parents=True, exist_ok=True)
    probe = f"mount -t tmpfs -o size=1m tmpfs {mount}"
    return bool(shutil.which("unshare")) and subprocess.run(
        ["unshare", "--mount", "sh", "-c", probe], capture_output=True).returncode == 0


def test_a_disk_that_fills_up_mid_render_is_one_plain_sentence(studio, tmp_path):
    """A real full disk: the studio home on a private 120 MB tmpfs that a filler fills once the forge
    has passed its disk check and started drawing (Linux mount namespace; skipped where unavailable)."""
    mount = tmp_path / "small-disk"
    if not _private_tmpfs_works(mount):
        pytest.skip("no private tmpfs here (needs `unshare --mount` and permission to mount)")
    story = studio.story("full")
    env = studio.env()
    env.update(TALOS_HOME=str(mount / "home"), TALOS_RENDERS=str(mount / "renders"))
    keys = mount / "home" / "films" / "full" / "shots" / "s001" / "keys"
    script = (f"mount -t tmpfs -o size=120m tmpfs {mount} && "
              f"( while [ ! -d {keys} ]; do sleep 0.02; done; dd if=/dev/zero of={mount}/filler bs=1M 2>/dev/null ) & "
              f"{' '.join(studio.argv('forge', str(story)))}")
    done = subprocess.run(["unshare", "--mount", "sh", "-c", script], cwd=studio.root, env=env,
                          capture_output=True, text=True, timeout=600)
    studio.assert_one_sentence(done, "No space left on device", "talos clean --all")


def _unwritable_base() -> Path:
    base = Path(tempfile.mkdtemp(prefix="talos-readonly-"))
    base.chmod(0o755)  # readable and searchable by everyone, writable by its owner only
    return base


def test_a_studio_home_this_user_cannot_write(studio):
    base = _unwritable_base()
    try:
        story = base / "story.yaml"
        story.write_text(studio.story("denied").read_text())
        story.chmod(0o644)
        if os.geteuid() == 0:  # root writes anywhere: run talos as nobody, as a studio user would be
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv to drop privileges")
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        else:
            base.chmod(0o555)
            prefix = []
        env = studio.env()
        env.update(TALOS_HOME=str(base / "home"), TALOS_RENDERS=str(base / "renders"), HOME=str(base))
        done = studio.talos("forge", str(story), env=env, prefix=prefix)
        studio.assert_one_sentence(done, f"Permission denied on {base / 'home'}", "writable by this user")
    finally:
        base.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


GARBAGE = {
    "dagster.yaml (not YAML)": ("dagster/dagster.yaml", b"telemetry: [unclosed\n  : : x\n",
                                "dagster.yaml are not valid YAML (line 2)"),
    "dagster.yaml (binary)": ("dagster/dagster.yaml", bytes(range(128, 256)) * 4, "dagster.yaml are not valid YAML"),
    "runs.db": ("dagster/history/runs.db", os.urandom(4096), "runs.db is corrupt (not an SQLite file)"),
    "index.db": ("dagster/storage/index.db", os.urandom(4096), "index.db is corrupt (not an SQLite file)"),
    "ichor.db": ("ichor.db", os.urandom(4096), "ichor.db"),
}


@pytest.mark.parametrize("what", sorted(GARBAGE))
def test_a_corrupt_store_is_named_in_one_sentence(studio, what):
    rel, payload, expected = GARBAGE[what]
    target = studio.home / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(payload)
    done = studio.talos("forge", str(studio.story("corrupt")))
    studio.assert_one_sentence(done, expected)
    assert target.read_bytes() == payload  # the damaged file is the user's to move: never rewritten
    assert not (studio.home / "films" / "corrupt" / "shots").exists()


def test_debug_shows_the_traceback_behind_the_sentence(studio):
    (studio.home / "dagster" / "history").mkdir(parents=True)
    (studio.home / "dagster" / "history" / "runs.db").write_bytes(os.urandom(4096))
    story = studio.story("debug")
    plain = studio.talos("forge", str(story))
    # the plain path is refused before Dagster opens it; with --debug the sentence keeps its cause
    studio.assert_one_sentence(plain, "runs.db is corrupt")
    debug = studio.talos("--debug", "forge", str(story))
    assert debug.returncode == 2 and "Traceback" in debug.stderr and "runs.db is corrupt" in debug.stderr


# ---- the classifier ---------------------------------------------------------------------------

def _raise_chain(inner: BaseException, outer: type[BaseException] = RuntimeError, explicit: bool = True):
    try:
        try:
            raise inner
        except BaseException as exc:
            if explicit:
                raise outer("wrapped") from exc
            raise outer("while handling")
    except BaseException as wrapped:
        return wrapped


@pytest.mark.parametrize("explicit", [True, False])
def test_disk_full_is_found_under_any_wrapper(explicit):
    wrapped = _raise_chain(OSError(errno.ENOSPC, "No space left on device", "/x/f.exr"), explicit=explicit)
    assert explain(wrapped, home=Path("/studio")).startswith("No space left on device: free space on the disk")


def test_a_dagster_step_failure_hides_nothing():
    import dagster as dg
    from dagster._utils.error import serializable_error_info_from_exc_info

    @dg.op
    def paint():
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/studio/films/x/lit/f0001.exr")

    @dg.job
    def job():
        paint()

    result = job.execute_in_process(raise_on_error=False)
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    assert "No space left on device" not in error.message  # Dagster's top line hides it...
    assert explain_error_info(error).startswith("No space left on device")  # ...the chain does not
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError:
        info = serializable_error_info_from_exc_info(sys.exc_info())
    assert explain_error_info(info).startswith("No space left on device")


def test_permission_and_read_only_and_unknown():
    denied = explain(PermissionError(errno.EACCES, "Permission denied", "/studio/home/ichor.db"))
    assert denied.startswith("Permission denied on /studio/home/ichor.db:")
    assert "read-only file system" in explain(OSError(errno.EROFS, "Read-only file system", "/mnt/ro"))
    assert explain_text("[Errno 13] Permission denied: '/a/b'").startswith("Permission denied on /a/b:")
    assert explain(ValueError("a bug, not the environment")) is None
    assert explain(KeyError("frame")) is None


def test_a_store_error_is_already_one_sentence():
    from talos_assets.stores.ichor import StoreError

    error = StoreError("Ichor database /s/ichor.db cannot be read (file is not a database); move it aside.")
    assert explain(_raise_chain(error)) == str(error)


def test_a_read_only_studio_file_is_reported_with_its_path(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write read-only files")
    target = tmp_path / "f.json"
    target.write_text("{}")
    target.chmod(stat.S_IRUSR)
    try:
        target.write_text("x")
    except PermissionError as exc:
        assert explain(exc).startswith(f"Permission denied on {target}")


@pytest.mark.parametrize("url, fragments", [
    ("nosuch://farm/talos", ("TALOS_SHARED_STORE", "Protocol not known: nosuch", "use a folder")),
    ("s3://farmkey:s3cret@bucket/talos", ("TALOS_SHARED_STORE", "s3fs", "install it or fix the URL")),
])
def test_a_shared_store_url_that_cannot_be_opened_stops_the_forge_before_any_shot(studio, url, fragments):
    env = studio.env()
    env["TALOS_SHARED_STORE"] = url
    done = studio.talos("forge", str(studio.story("farm")), env=env, timeout=120)
    message = studio.assert_one_sentence(done, *fragments)
    assert "s3cret" not in message
    assert not (studio.home / "films" / "farm").exists()  # nothing rendered, nothing half-written
