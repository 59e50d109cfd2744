"""Stores and resources: Aether is content-addressed, Ichor holds real rows (and says so in one
sentence when its file is corrupt, and writes nothing when opened read-only), the Dagster resources
wrap the plain stores, FFmpeg and Warp resolve."""

from __future__ import annotations

import subprocess

import pytest

import resources.aether
import resources.ichor
from resources.aether import AetherResource
from resources.ffmpeg import find_ffmpeg
from resources.ichor import IchorResource
from resources.studio import StudioHome
from resources.warp_device import init_warp
from talos_assets.spec import Palette
from talos_assets.stores.aether import AetherVault
from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault, StoreError, UnknownPalette


def test_aether_is_content_addressed(tmp_path):
    vault = AetherVault(str(tmp_path / "aether"))
    d1 = vault.put("background", "hills", b"pixels")
    d2 = vault.put("texture", "paper", b"pixels")
    assert d1 == d2  # same bytes, one object
    objects = [p for p in (tmp_path / "aether" / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 1
    assert vault.get("background", "hills") == b"pixels" and vault.get("lighting", "none") is None
    assert vault.names("texture") == ["paper"]
    objects[0].write_bytes(b"tampered")
    with pytest.raises(ValueError, match="corrupt"):
        vault.get("background", "hills")
    with pytest.raises(ValueError):
        vault.put("background", "../escape", b"x")
    memory = AetherVault("memory://talos-test")
    memory.put("lighting", "key", b'{"azimuth": 45}')
    assert memory.get("lighting", "key") == b'{"azimuth": 45}'


def test_ichor_rows(tmp_path):
    vault = IchorVault(f"sqlite:///{tmp_path / 'ichor.db'}")
    assert "bronze-dusk" in vault.palette_names()
    with pytest.raises(UnknownPalette):
        vault.palette("nope")
    vault.save_palette(Palette.from_hex_list("mine", ["#000000", "#ffffff"]))
    assert vault.palette("mine").swatches["skin"] == "#ffffff"
    shots = [dict(shot_id=f"s{i}", slot=f"s00{i}", position=i, description="d", emotion="joy", frames=10, plan_json="{}")
             for i in range(1, 4)]
    vault.register_film("f1", "F", "/x.yaml", "title: F", 24, 160, 90, "bronze-dusk", shots)
    assert [s.slot for s in vault.shots("f1")] == ["s001", "s002", "s003"]
    vault.register_film("f1", "F", "/x.yaml", "title: F", 24, 160, 90, "bronze-dusk", shots[:2])  # re-forge with fewer shots
    assert len(vault.shots("f1")) == 2
    vault.record_evaluation("f1", "flicker", 0.2, shot_id="s1")
    vault.record_revision("f1", "tone", "too dark", shot_id="s1")
    assert len(vault.evaluations("f1")) == 1 and len(vault.revisions("f1")) == 1
    # a second vault on the same file sees the same rows (a real database, not memory)
    assert IchorVault(f"sqlite:///{tmp_path / 'ichor.db'}").film_ids() == ["f1"]


def test_resources_wrap_the_plain_stores(tmp_path):
    assert isinstance(IchorResource(url=f"sqlite:///{tmp_path / 'ichor.db'}").vault(), IchorVault)
    assert isinstance(AetherResource(url=str(tmp_path / "aether")).vault(), AetherVault)
    # Old import paths keep working until every caller moves to talos_assets.stores.
    assert resources.ichor.IchorVault is IchorVault and resources.ichor.BUILTIN_PALETTES is BUILTIN_PALETTES
    assert resources.ichor.UnknownPalette is UnknownPalette and resources.aether.AetherVault is AetherVault


@pytest.mark.parametrize("garbage", [b"not a database", bytes(range(256)) * 64])
@pytest.mark.parametrize("create", [True, False])
def test_corrupt_ichor_is_one_sentence(tmp_path, garbage, create):
    db = tmp_path / "ichor.db"
    db.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        IchorVault(f"sqlite:///{db}", create=create)
    message = str(caught.value)
    assert str(db) in message and "move it aside" in message and "\n" not in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert isinstance(caught.value, ValueError) and db.read_bytes() == garbage


def test_read_only_ichor_writes_nothing(tmp_path):
    empty = tmp_path / "ichor.db"
    empty.write_bytes(b"")
    vault = IchorVault(f"sqlite:///{empty}", create=False)
    assert vault.read_only and vault.palette_names() == [] and vault.film_ids() == [] and vault.film("f") is None
    with pytest.raises(StoreError, match="opened read-only"):
        vault.save_palette(Palette.from_hex_list("mine", ["#000000", "#ffffff"]))
    assert empty.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["ichor.db"]
    # An absent file stays absent.
    assert IchorVault(f"sqlite:///{tmp_path / 'absent.db'}", create=False).palette_names() == []
    assert not (tmp_path / "absent.db").exists()

    # A real studio database reads as usual, byte for byte untouched.
    real = tmp_path / "real.db"
    IchorVault(f"sqlite:///{real}").save_palette(Palette.from_hex_list("mine", ["#000000", "#ffffff"]))
    before = real.read_bytes()
    reader = IchorVault(f"sqlite:///{real}", create=False)
    assert "mine" in reader.palette_names() and "bronze-dusk" in reader.palette_names()
    with pytest.raises(StoreError, match="opened read-only"):
        reader.record_evaluation("f1", "flicker", 0.1)
    assert real.read_bytes() == before


def test_studio_home_refuses_unsafe_ids(tmp_path):
    studio = StudioHome(root=str(tmp_path / "home"), renders=str(tmp_path / "renders")).store()
    assert studio.stage_dir("film-a", "s001", "render").is_relative_to(tmp_path / "home")
    for bad in ("../etc", "A", "-x", "a/b", ""):
        with pytest.raises(ValueError):
            studio.stage_dir(bad, "s001", "render")
        with pytest.raises(ValueError):
            studio.delivery_dir(bad)


def test_ffmpeg_resolves_and_runs():
    exe = find_ffmpeg()
    out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True)
    assert out.returncode == 0 and "libx264" in out.stdout
    with pytest.raises(FileNotFoundError):
        find_ffmpeg("/no/such/ffmpeg")


def test_warp_device_falls_back_to_cpu(tmp_path):
    import warp as wp

    device = init_warp(str(tmp_path / "cache"), "auto")
    assert device == ("cuda:0" if wp.is_cuda_available() else "cpu")
    if not wp.is_cuda_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            init_warp(None, "cuda:0")
