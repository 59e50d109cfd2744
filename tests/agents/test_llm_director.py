"""The LLM director against a local server speaking the OpenAI chat-completions protocol.

Cases: a valid reply is used; an invalid reply is retried with the validation error and the second,
valid reply is used; an always-invalid endpoint and a refused connection fall back to the embedded
director with a warning, and the film is planned either way. Trust: the endpoint and its key come
from the studio's configuration (environment by fixed names, `$TALOS_HOME/llm.yaml`), the key the
studio configured is the Bearer token the server receives, and a story that names a URL, a model or
a key variable, or an endpoint the studio did not configure, is refused in one sentence.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.agents import direction
from talos_assets.agents.direction import llm as llm_director
from talos_assets.llm_config import LLMConfigError, load_llm_endpoints, resolve_endpoint
from talos_assets.spec import Palette, ShotSize
from talos_assets.story import StoryError, parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])
CAST = ["mira", "pip", "talos"]  # the studio's rigs, as its caller passes them to Prism

VALID = {"shots": [
    {"id": "arrival", "description": "Mira arrives at the quiet shore.", "characters": ["mira"], "location": "EXT. SHORE - DUSK"},
    {"id": "hello", "description": "Hello, old friend.", "characters": ["mira", "talos"], "speaker": "mira"},
    {"id": "reply", "description": "I have waited so long!", "characters": ["talos"], "speaker": "talos",
     "emotion": "joy"},
]}
INVALID = {"shots": [{"id": "Bad Id!", "description": "", "characters": ["godzilla"]}]}


class _Server:
    """A scripted chat endpoint: replies[i] is the content of the i-th answer (the last one repeats)."""

    def __init__(self, replies: list[str]):
        self.replies = replies
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                content = outer.replies[min(len(outer.requests) - 1, len(outer.replies) - 1)]
                payload = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                                      "choices": [{"index": 0, "finish_reason": "stop",
                                                   "message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep pytest output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _direct(url: str, tries: int = 3):
    """Plan the test story with the studio's default endpoint at `url` (TALOS_LLM_URL/MODEL)."""
    llm_director._CACHE.clear()
    story = parse_story("title: LLM test\nlogline: Mira meets Talos on the shore. They laugh together.\n"
                        f"director: {{tries: {tries}, timeout_s: 5}}\n")
    llm = resolve_endpoint(story.director, {"TALOS_LLM_URL": url, "TALOS_LLM_MODEL": "tiny-director"})
    return direction.direct_film(story, PALETTE, cast=CAST, llm=llm)


def test_valid_reply_is_the_shot_list():
    with _Server([json.dumps(VALID)]) as srv:
        plan = _direct(srv.url)
    assert plan.director == "llm:tiny-director" and plan.warnings == []
    assert [s.shot_id for s in plan.shots] == ["arrival", "hello", "reply"]
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["body"]["model"] == "tiny-director"
    system = req["body"]["messages"][0]["content"]
    assert '"ShotInput"' in system and "talos" in system  # the schema and the cast are in the prompt
    # the embedded grammar completes what the LLM left out
    assert plan.shots[0].shot_size == ShotSize.establishing and plan.shots[0].location == "Shore"
    assert plan.shots[1].beat == "dialogue" and plan.shots[1].lens_mm
    assert plan.shots[2].emotion.value == "joy"


def test_invalid_reply_is_retried_with_the_error():
    with _Server([json.dumps(INVALID), "```json\n" + json.dumps(VALID) + "\n```"]) as srv:
        plan = _direct(srv.url)
    assert plan.director == "llm:tiny-director"
    assert len(srv.requests) == 2
    retry = srv.requests[1]["body"]["messages"]
    assert retry[-2]["role"] == "assistant" and retry[-1]["role"] == "user"
    assert "invalid" in retry[-1]["content"] and "shots.0" in retry[-1]["content"]


def test_always_invalid_falls_back_to_the_embedded_director():
    with _Server(["I'd rather write a poem.", json.dumps(INVALID)]) as srv:
        with pytest.warns(RuntimeWarning, match="no valid shot list in 2 tries"):
            plan = _direct(srv.url, tries=2)
    assert len(srv.requests) == 2
    assert plan.director == "embedded" and len(plan.shots) == 2  # the logline's two sentences
    assert "embedded director" in plan.warnings[0]


def test_dead_endpoint_falls_back_to_the_embedded_director():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.warns(RuntimeWarning, match="could not be reached"):
        plan = _direct(f"http://127.0.0.1:{port}/v1")
    assert plan.director == "embedded" and len(plan.shots) == 2


def test_off_by_default(tmp_path):
    story = parse_story("title: t\nlogline: Talos waits.\n")
    assert resolve_endpoint(story.director, {}, tmp_path) is None
    cfg = resolve_endpoint(story.director, {"TALOS_LLM_URL": "http://127.0.0.1:9/v1/", "TALOS_LLM_MODEL": "qwen"}, tmp_path)
    assert cfg is not None and cfg.url == "http://127.0.0.1:9/v1" and cfg.model == "qwen"
    # 'embedded' keeps the embedded director even when the studio has a default endpoint
    story = parse_story("title: t\nlogline: Talos waits.\ndirector: {endpoint: embedded}\n")
    assert resolve_endpoint(story.director, {"TALOS_LLM_URL": "http://127.0.0.1:9/v1"}, tmp_path) is None


# ---- trust: the studio configures endpoints and keys, a story only picks one ----------------------


def test_the_configured_key_is_the_bearer_token(tmp_path):
    """The key the studio named in llm.yaml (by its variable) is sent; nothing else from the environment."""
    with _Server([json.dumps(VALID)]) as srv:
        (tmp_path / "llm.yaml").write_text(
            f"endpoints:\n  local: {{url: '{srv.url}', model: studio-model, api_key_env: STUDIO_LLM_KEY}}\n")
        environ = {"STUDIO_LLM_KEY": "sk-studio-123", "HOME": "/home/secret", "AWS_SECRET_ACCESS_KEY": "aws-xyz"}
        llm_director._CACHE.clear()
        story = parse_story("title: t\nlogline: Mira meets Talos on the shore.\ndirector: {endpoint: local, timeout_s: 5}\n")
        llm = resolve_endpoint(story.director, environ, tmp_path)
        plan = direction.direct_film(story, PALETTE, cast=CAST, llm=llm)
    assert plan.director == "llm:studio-model"
    headers = srv.requests[0]["headers"]
    assert headers["Authorization"] == "Bearer sk-studio-123"
    sent = json.dumps(srv.requests[0])
    assert "/home/secret" not in sent and "aws-xyz" not in sent
    assert "sk-studio-123" not in repr(llm)  # the key never shows in a log line


def test_the_default_endpoint_sends_talos_llm_api_key():
    with _Server([json.dumps(VALID)]) as srv:
        llm_director._CACHE.clear()
        story = parse_story("title: t\nlogline: Mira meets Talos on the shore.\n")
        llm = resolve_endpoint(story.director, {"TALOS_LLM_URL": srv.url, "TALOS_LLM_API_KEY": "sk-env-456"})
        direction.direct_film(story, PALETTE, cast=CAST, llm=llm)
    assert srv.requests[0]["headers"]["Authorization"] == "Bearer sk-env-456"


def test_no_key_configured_sends_no_authorization():
    with _Server([json.dumps(VALID)]) as srv:
        llm_director._CACHE.clear()
        story = parse_story("title: t\nlogline: Mira meets Talos on the shore.\n")
        direction.direct_film(story, PALETTE, cast=CAST, llm=resolve_endpoint(story.director, {"TALOS_LLM_URL": srv.url}))
    assert "Authorization" not in srv.requests[0]["headers"]


@pytest.mark.parametrize("field, value", [("llm_url", "'http://evil.example/v1'"), ("api_key_env", "HOME"),
                                          ("model", "gpt-x")])
def test_a_story_cannot_name_an_endpoint_a_model_or_a_key(field, value):
    with pytest.raises(StoryError) as info:
        parse_story(f"title: t\nlogline: x.\ndirector: {{{field}: {value}}}\n", source="s.yaml")
    message = str(info.value)
    assert f"'{field}' is no longer read from a story" in message
    assert "TALOS_LLM_URL" in message and "llm.yaml" in message and "director.endpoint" in message
    assert "\n" not in message and message.count(". ") == 0


def test_unknown_endpoint_names_the_field_and_the_configured_ones(tmp_path):
    (tmp_path / "llm.yaml").write_text("endpoints:\n  local: {url: 'http://127.0.0.1:9/v1'}\n"
                                       "  big: {url: 'https://llm.studio.example/v1', model: large}\n")
    story = parse_story("title: t\nlogline: x.\ndirector: {endpoint: cloud}\n")
    with pytest.raises(StoryError) as info:
        resolve_endpoint(story.director, {"TALOS_LLM_URL": "http://127.0.0.1:8/v1"}, tmp_path)
    message = str(info.value)
    assert "director.endpoint 'cloud'" in message and "big, default, local" in message and "\n" not in message
    with pytest.raises(StoryError, match="configured endpoints: none"):
        resolve_endpoint(story.director, {}, tmp_path / "empty-home")


def test_studio_endpoints_file_and_environment(tmp_path):
    assert load_llm_endpoints({}, tmp_path) == {}
    (tmp_path / "llm.yaml").write_text("endpoints:\n  default: {url: 'http://file/v1', model: a}\n"
                                       "  local: {url: 'http://127.0.0.1:9/v1/', api_key_env: LOCAL_KEY}\n")
    eps = load_llm_endpoints({"LOCAL_KEY": "k1"}, tmp_path)
    assert eps["default"].url == "http://file/v1" and eps["local"].url == "http://127.0.0.1:9/v1"
    assert eps["local"].api_key == "k1" and eps["local"].model == "default"
    # the environment's default wins over the file's
    eps = load_llm_endpoints({"TALOS_LLM_URL": "http://env/v1", "TALOS_LLM_MODEL": "m"}, tmp_path)
    assert eps["default"].url == "http://env/v1" and eps["default"].model == "m" and eps["local"].api_key is None
    story = parse_story("title: t\nlogline: x.\ndirector: {endpoint: local, tries: 2, timeout_s: 7}\n")
    cfg = resolve_endpoint(story.director, {"LOCAL_KEY": "k1"}, tmp_path)
    assert (cfg.name, cfg.tries, cfg.timeout_s, cfg.api_key) == ("local", 2, 7.0, "k1")


@pytest.mark.parametrize("text, needle", [
    ("endpoints:\n  local: {url: 'file:///etc/passwd'}\n", "endpoints.local.url"),
    ("endpoints:\n  Bad Name: {url: 'http://x/v1'}\n", "endpoints.Bad Name"),
    ("endpoints:\n  embedded: {url: 'http://x/v1'}\n", "reserved"),
    ("endpoints: [unclosed\n", "cannot be read as YAML"),
])
def test_a_broken_studio_file_is_one_sentence(tmp_path, text, needle):
    (tmp_path / "llm.yaml").write_text(text)
    with pytest.raises(LLMConfigError) as info:
        load_llm_endpoints({}, tmp_path)
    assert needle in str(info.value) and "\n" not in str(info.value)
