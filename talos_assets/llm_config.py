"""The studio's LLM endpoints: where Prism's LLM director may send a story, and with which key.

An endpoint (an OpenAI-compatible chat API) and its key are studio configuration, never story
content: a story file is untrusted input and may only choose one of these endpoints by name
(`director.endpoint`). Two sources, read at the edge (the CLI, Dagster definitions) and passed in:

- the environment, by fixed names: `TALOS_LLM_URL`, `TALOS_LLM_MODEL`, `TALOS_LLM_API_KEY` make the
  endpoint named `default`;
- the studio file `$TALOS_HOME/llm.yaml`, written by the studio's owner:
  `endpoints: {NAME: {url: ..., model: ..., api_key_env: VARIABLE}}` (the key is read from the named
  environment variable, so the file itself holds no secret). The environment's `default` wins over
  a `default` in the file.

`load_llm_endpoints` takes the environment mapping and the studio folder as arguments and reads
nothing else, so agents and tests never depend on the process environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from talos_assets.spec import DirectorSpec, SafeId
from talos_assets.story import StoryError

LLM_FILE = "llm.yaml"
DEFAULT_ENDPOINT = "default"
# the name a story uses to keep the embedded director even when the studio has a default endpoint
EMBEDDED = "embedded"
# the environment variables the studio reads, by these fixed names only
URL_ENV, MODEL_ENV, KEY_ENV = "TALOS_LLM_URL", "TALOS_LLM_MODEL", "TALOS_LLM_API_KEY"


class LLMConfigError(ValueError):
    """A mistake in the studio's LLM configuration; the message is one sentence for the studio owner."""


@dataclass(frozen=True)
class LLMConfig:
    """One resolved endpoint: where to ask, which model, the key (never printed), and how patiently."""

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    tries: int = 3
    timeout_s: float = 60.0
    name: str = DEFAULT_ENDPOINT


class _EndpointEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., pattern=r"^https?://\S+$", max_length=2000)
    model: str = Field("default", min_length=1, max_length=200)
    api_key_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=200)


class _LLMFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    endpoints: dict[SafeId, _EndpointEntry] = Field(default_factory=dict)


def _read_llm_file(path: Path) -> _LLMFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise LLMConfigError(f"studio LLM configuration '{path}' cannot be read as YAML; fix or remove it.") from None
    try:
        parsed = _LLMFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "the top level"
        raise LLMConfigError(f"studio LLM configuration '{path}': field '{where}' is invalid ({err['msg']}); "
                             "see docs/story.md.") from None
    if EMBEDDED in parsed.endpoints:
        raise LLMConfigError(f"studio LLM configuration '{path}': the endpoint name '{EMBEDDED}' is reserved for the "
                             "embedded director; rename it.")
    return parsed


def load_llm_endpoints(environ: Mapping[str, str], home: Path | None = None) -> dict[str, LLMConfig]:
    """The studio's endpoints by name: those of `home/llm.yaml` (if the file exists), then `default`
    from TALOS_LLM_URL / TALOS_LLM_MODEL / TALOS_LLM_API_KEY in `environ` (if the URL is set)."""
    endpoints: dict[str, LLMConfig] = {}
    path = Path(home) / LLM_FILE if home is not None else None
    if path is not None and path.is_file():
        for name, entry in _read_llm_file(path).endpoints.items():
            key = environ.get(entry.api_key_env) if entry.api_key_env else None
            endpoints[name] = LLMConfig(url=entry.url.rstrip("/"), model=entry.model, api_key=key or None, name=name)
    url = environ.get(URL_ENV)
    if url:
        endpoints[DEFAULT_ENDPOINT] = LLMConfig(url=url.rstrip("/"), model=environ.get(MODEL_ENV) or "default",
                                                api_key=environ.get(KEY_ENV) or None)
    return endpoints


def choose_endpoint(director: DirectorSpec, endpoints: Mapping[str, LLMConfig]) -> LLMConfig | None:
    """The endpoint a story's `director` chose among the studio's, with the story's tries and timeout,
    or None for the embedded director. Unset, the studio's `default` endpoint plans when there is one;
    a name the studio did not configure is a one-sentence StoryError."""
    if director.endpoint == EMBEDDED:
        return None
    if director.endpoint is None:
        config = endpoints.get(DEFAULT_ENDPOINT)
    elif director.endpoint in endpoints:
        config = endpoints[director.endpoint]
    else:
        configured = (", ".join(sorted(endpoints)) if endpoints
                      else "none (the studio sets TALOS_LLM_URL or writes $TALOS_HOME/llm.yaml)")
        raise StoryError(f"director.endpoint '{director.endpoint}' is not an LLM endpoint of this studio; "
                         f"use '{EMBEDDED}' or one of the configured endpoints: {configured}.")
    return None if config is None else replace(config, tries=director.tries, timeout_s=director.timeout_s)


def resolve_endpoint(director: DirectorSpec, environ: Mapping[str, str], home: Path | None = None) -> LLMConfig | None:
    """`choose_endpoint` among the endpoints `load_llm_endpoints(environ, home)` configures."""
    return choose_endpoint(director, load_llm_endpoints(environ, home))


__all__ = ["DEFAULT_ENDPOINT", "EMBEDDED", "LLMConfig", "LLMConfigError", "choose_endpoint", "load_llm_endpoints",
           "resolve_endpoint"]
