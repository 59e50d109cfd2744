"""The studio's settings, read once at the edge (the CLI, `definitions.py`, the sensors) and passed in.

Agents never read the environment: where the studio lives (TALOS_HOME, TALOS_RENDERS), its Ichor
database (TALOS_ICHOR_URL), the user's character folders (TALOS_CHARACTERS, then
`$TALOS_HOME/characters`) and the LLM endpoints the studio configured (TALOS_LLM_URL /
TALOS_LLM_MODEL / TALOS_LLM_API_KEY, and `$TALOS_HOME/llm.yaml`) all come from here. A story may
only choose among the configured endpoints; it never names a URL or a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict


class StudioSettings(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    home: Path
    renders: Path
    ichor_url: str
    character_dirs: list[Path]
    llm_endpoints: dict[str, Any] = {}  # name -> llm_config.LLMConfig, resolved once (keys never printed)

    def ichor_exists(self) -> bool:
        if self.ichor_url.startswith("sqlite:///"):
            return Path(self.ichor_url.removeprefix("sqlite:///")).exists()
        return True

    def llm_for(self, story):
        """The configured endpoint the story chose (or the default one), or None for the embedded director;
        a name the studio did not configure is a one-sentence StoryError."""
        from talos_assets.llm_config import choose_endpoint

        return choose_endpoint(story.director, self.llm_endpoints)


def studio_settings(environ: Mapping[str, str] | None = None) -> StudioSettings:
    """Read the studio's settings from the environment (the edge's one read of it); a broken
    `$TALOS_HOME/llm.yaml` is a one-sentence `LLMConfigError`."""
    from talos_assets.llm_config import load_llm_endpoints

    env = os.environ if environ is None else environ
    home = Path(env.get("TALOS_HOME", ".talos")).resolve()
    renders = Path(env.get("TALOS_RENDERS", "renders")).resolve()
    user_dirs = [Path(e).expanduser() for e in env.get("TALOS_CHARACTERS", "").split(os.pathsep) if e.strip()]
    return StudioSettings(
        home=home, renders=renders,
        ichor_url=env.get("TALOS_ICHOR_URL") or f"sqlite:///{home / 'ichor.db'}",
        character_dirs=user_dirs + [home / "characters"],
        llm_endpoints=load_llm_endpoints(env, home),
    )
