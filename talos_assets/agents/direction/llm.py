"""Prism's learned path: an LLM writes the shot list through an OpenAI-compatible chat endpoint.

Works with llama.cpp's server, vLLM, Ollama or any service speaking the OpenAI Chat Completions
protocol (`POST {url}/chat/completions`, sent with `requests`, a dependency of Dagster, with a
timeout). The system prompt carries the JSON Schema of `talos_assets.spec.ShotList` (the same
pydantic model a story's `shots:` is validated with) and the studio's cast; the reply must be a JSON
object that validates against that model (schema-guided generation with validation feedback: an
invalid reply is sent back with the validation error, up to `tries` attempts). The embedded grammar
then fills whatever the LLM left out (lens, size, staging), so both paths produce the same typed
scene graph. The endpoint is an `LLMConfig` the caller resolved from the studio's configuration
(`talos_assets.llm_config.resolve_endpoint`, re-exported here); a story only names it. A dead endpoint, an HTTP error or persistently
invalid output never stops a film: `request_shot_list` returns None and a one-sentence note, and
Prism falls back to the embedded director with a warning.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence

import requests
from pydantic import ValidationError

from talos_assets.llm_config import LLMConfig, resolve_endpoint
from talos_assets.spec import MAX_SHOTS, ShotInput, ShotList, StorySpec


def system_prompt(cast: Sequence[str]) -> str:
    schema = json.dumps(ShotList.model_json_schema(), separators=(",", ":"))
    return (
        "You are the director of a short animated film. Break the story the user gives you into a shot list. "
        "Reply with ONE JSON object and nothing else (no prose, no code fences) that validates against this "
        f"JSON Schema:\n{schema}\n"
        "Rules: every shot id is lowercase (a-z, 0-9, '-', '_') and unique; `description` is the line of action "
        "or dialogue the shot shows; `characters` may only use these studio characters: "
        f"{', '.join(cast)}; put a new `location` on the first shot of each new place; dialogue shots name their "
        f"`speaker`; at most {MAX_SHOTS} shots. Leave out any optional field you have no reason to set."
    )


def user_prompt(story: StorySpec, text: str, kind: str) -> str:
    what = {"fountain": "a screenplay in the Fountain format", "prose": "a story"}.get(kind, "a story")
    return f"Title: {story.title}\nThis is {what}:\n\n{text.strip()}"


_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def parse_reply(content: str, cast: Sequence[str]) -> ShotList:
    """A reply as a ShotList; raises ValueError with a message fit to send back to the model."""
    body = content.strip()
    m = _FENCE_RE.match(body)
    if m:  # models often wrap JSON in a code fence despite being told not to
        body = m.group(1)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not JSON ({exc.msg} at character {exc.pos})") from None
    if isinstance(data, list):  # a bare list of shots is unambiguous
        data = {"shots": data}
    try:
        shots = ShotList.model_validate(data)
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise ValueError(f"the reply does not match the schema: {errs}") from None
    dup = sorted(i for i, n in Counter(s.id for s in shots.shots).items() if n > 1)
    if dup:
        raise ValueError(f"shot ids repeat: {dup}")
    for i, s in enumerate(shots.shots):
        unknown = [c for c in s.characters if c not in cast]
        if unknown:
            raise ValueError(f"shots.{i}.characters: '{unknown[0]}' is not a studio character; use only {', '.join(cast)}")
    return shots


# replies already accepted in this process, so `talos forge`'s check and the film_plan asset (same
# process) direct the same shots instead of asking a sampling model twice
_CACHE: dict[str, ShotList] = {}


def _chat(client: requests.Session, config: LLMConfig, messages: list[dict]) -> str:
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    resp = client.post(f"{config.url}/chat/completions", headers=headers, timeout=config.timeout_s, json={
        "model": config.model, "messages": messages, "temperature": 0.2,
        # llama.cpp, vLLM and Ollama all honour JSON mode; servers that do not simply ignore it
        "response_format": {"type": "json_object"},
    })
    resp.raise_for_status()
    try:
        return resp.json()["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValueError("the endpoint's answer is not an OpenAI chat completion (no choices[0].message.content)") from None


def request_shot_list(config: LLMConfig, story: StorySpec, text: str, kind: str,
                      cast: Sequence[str]) -> tuple[list[ShotInput] | None, str]:
    """(shots, note): the validated shot list, or None and why (the caller falls back)."""
    messages = [{"role": "system", "content": system_prompt(cast)},
                {"role": "user", "content": user_prompt(story, text, kind)}]
    key = hashlib.sha256(json.dumps([config.url, config.model, messages]).encode()).hexdigest()
    if key in _CACHE:
        return list(_CACHE[key].shots), f"llm director {config.model}: cached reply"
    last_error = "no reply"
    try:
        with requests.Session() as client:
            for _attempt in range(config.tries):
                content = ""
                try:
                    content = _chat(client, config, messages)
                    shots = parse_reply(content, cast)
                except ValueError as exc:  # invalid output: tell the model what was wrong and ask again
                    last_error = str(exc)
                    messages = messages + [
                        {"role": "assistant", "content": content},
                        {"role": "user", "content": f"That reply is invalid: {last_error}. Reply again with only the "
                                                    "corrected JSON object."},
                    ]
                    continue
                _CACHE[key] = shots
                return list(shots.shots), f"llm director {config.model}: ok"
    except requests.HTTPError as exc:
        status = exc.response.status_code
        hint = " (the studio gave this endpoint no API key)" if status in (401, 403) and not config.api_key else ""
        return None, (f"LLM director at {config.url} answered HTTP {status}{hint}; "
                      "the embedded director planned the shots instead")
    except requests.RequestException as exc:
        return None, (f"LLM director at {config.url} could not be reached ({type(exc).__name__}); "
                      "the embedded director planned the shots instead")
    return None, (f"LLM director {config.model} gave no valid shot list in {config.tries} tries ({last_error}); "
                  "the embedded director planned the shots instead")


__all__ = ["LLMConfig", "parse_reply", "request_shot_list", "resolve_endpoint", "system_prompt", "user_prompt"]
