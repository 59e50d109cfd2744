"""The studio's settings, read once at the edge (the CLI, `definitions.py`, the sensors) and passed in.

Agents never read the environment: where the studio lives (TALOS_HOME, TALOS_RENDERS), its Ichor
database (TALOS_ICHOR_URL), its Aether store (TALOS_AETHER_URL: a folder or fsspec URL), the user's
character folders (TALOS_CHARACTERS, then `$TALOS_HOME/characters`) and the LLM endpoints the
studio configured (TALOS_LLM_URL / TALOS_LLM_MODEL / TALOS_LLM_API_KEY, and `$TALOS_HOME/llm.yaml`)
all come from here. A story may only choose among the configured endpoints; it never names a URL
or a secret. The Dagster instance's own settings (TALOS_DAGSTER_PG_URL for PostgreSQL storage,
TALOS_MAX_CONCURRENT_RUNS for the run queue) are `InstanceSettings`, read without the LLM
configuration so preparing a home never needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

DAGSTER_PG_URL_ENV = "TALOS_DAGSTER_PG_URL"
PG_URL_PREFIX = "postgresql+psycopg2://"
MAX_RUNS_ENV = "TALOS_MAX_CONCURRENT_RUNS"
DEFAULT_MAX_CONCURRENT_RUNS = 4


class SettingsError(ValueError):
    """A studio setting from the environment that cannot be used; the message is one sentence naming
    the variable and what to do."""


class InstanceSettings(BaseModel):
    """What the studio's `dagster.yaml` is written from (talos_assets/instance_config.py)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    dagster_pg_url: str | None = None  # PostgreSQL for runs, events and schedules; None: SQLite in the home
    max_concurrent_runs: int = DEFAULT_MAX_CONCURRENT_RUNS


def instance_settings(environ: Mapping[str, str] | None = None) -> InstanceSettings:
    """The Dagster instance's settings from the environment; a malformed value is a `SettingsError`."""
    env = os.environ if environ is None else environ
    pg_url = env.get(DAGSTER_PG_URL_ENV, "").strip() or None
    # dagster-postgres 0.29 needs psycopg2, and SQLAlchemy 2.1 gives a plain postgresql:// URL psycopg 3
    # (its NOTIFY then fails at the first run), so the driver is named in the URL
    if pg_url is not None and not pg_url.startswith(PG_URL_PREFIX):
        raise SettingsError(f"{DAGSTER_PG_URL_ENV} must start with {PG_URL_PREFIX} (Dagster's PostgreSQL storage "
                            f"runs on psycopg2), for example {PG_URL_PREFIX}talos:secret@db.studio:5432/dagster.")
    raw_runs = env.get(MAX_RUNS_ENV, "").strip()
    try:
        runs = int(raw_runs) if raw_runs else DEFAULT_MAX_CONCURRENT_RUNS
    except ValueError:
        runs = 0
    if runs < 1:
        raise SettingsError(f"{MAX_RUNS_ENV} must be a whole number of runs, 1 or more (it is '{raw_runs[:40]}'); "
                            "fix or unset it.")
    return InstanceSettings(dagster_pg_url=pg_url, max_concurrent_runs=runs)


class StudioSettings(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    home: Path
    renders: Path
    ichor_url: str
    aether_url: str = ""  # folder or fsspec URL (s3://..., gcs://...) of the Aether store; default $TALOS_HOME/aether
    shared_store: str = ""  # fsspec URL where render workers share working frames (TALOS_SHARED_STORE)
    character_dirs: list[Path]
    set_dirs: list[Path] = []  # the user's set folders (TALOS_SETS, then $TALOS_HOME/sets), before the built-ins
    prop_dirs: list[Path] = []  # the user's prop folders (TALOS_PROPS, then $TALOS_HOME/props)
    llm_endpoints: dict[str, Any] = {}  # name -> llm_config.LLMConfig, resolved once (keys never printed)
    instance: InstanceSettings = InstanceSettings()  # the Dagster instance's storage and run queue

    @property
    def dagster_pg_url(self) -> str | None:
        return self.instance.dagster_pg_url

    def ichor_exists(self) -> bool:
        if self.ichor_url.startswith("sqlite:///"):
            return Path(self.ichor_url.removeprefix("sqlite:///")).exists()
        return True

    def llm_for(self, story):
        """The configured endpoint the story chose (or the default one), or None for the embedded director;
        a name the studio did not configure is a one-sentence StoryError."""
        from talos_assets.llm_config import choose_endpoint

        return choose_endpoint(story.director, self.llm_endpoints)


SHARED_STORE_ENV = "TALOS_SHARED_STORE"


def store_url(variable: str, url: str) -> str:
    """`url` if fsspec can open a filesystem for it (known protocol, driver installed), else a one-sentence
    `SettingsError`: a farm with a mistyped store URL must fail before any shot, not after the first one."""
    if not url:
        return url
    import fsspec

    shown = re.sub(r"//[^/@]*@", "//***@", url)[:80]  # never print a key embedded in the URL
    try:
        fsspec.core.url_to_fs(url)
    except ImportError as exc:  # a known protocol whose driver (s3fs, gcsfs, ...) is not installed
        raise SettingsError(f"{variable} '{shown}' needs a storage driver that is not installed "
                            f"({str(exc).splitlines()[0][:120].rstrip('.')}); install it or fix the URL.") from None
    except (ValueError, TypeError, OSError) as exc:
        raise SettingsError(f"{variable} '{shown}' is not a storage URL fsspec can open "
                            f"({str(exc).splitlines()[0][:120].rstrip('.')}); use a folder, file:///path "
                            "or a URL such as s3://bucket/talos.") from None
    return url


def studio_settings(environ: Mapping[str, str] | None = None) -> StudioSettings:
    """Read the studio's settings from the environment (the edge's one read of it); a broken
    `$TALOS_HOME/llm.yaml` is a one-sentence `LLMConfigError`."""
    from talos_assets.llm_config import load_llm_endpoints

    env = os.environ if environ is None else environ
    home = Path(env.get("TALOS_HOME", ".talos")).resolve()
    renders = Path(env.get("TALOS_RENDERS", "renders")).resolve()
    def user_dirs_of(variable: str) -> list[Path]:
        return [Path(e).expanduser() for e in env.get(variable, "").split(os.pathsep) if e.strip()]

    user_dirs = user_dirs_of("TALOS_CHARACTERS")
    return StudioSettings(
        home=home, renders=renders,
        ichor_url=env.get("TALOS_ICHOR_URL") or f"sqlite:///{home / 'ichor.db'}",
        aether_url=env.get("TALOS_AETHER_URL") or str(home / "aether"),
        shared_store=store_url(SHARED_STORE_ENV, env.get(SHARED_STORE_ENV, "").strip()),
        character_dirs=user_dirs + [home / "characters"],
        set_dirs=user_dirs_of("TALOS_SETS") + [home / "sets"],
        prop_dirs=user_dirs_of("TALOS_PROPS") + [home / "props"],
        llm_endpoints=load_llm_endpoints(env, home),
        instance=instance_settings(env),
    )
