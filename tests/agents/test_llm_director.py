"""The LLM director against a local server speaking the OpenAI chat-completions protocol.

Cases: a valid reply is used; an invalid reply is retried with the validation error and the second,
valid reply is used; an always-invalid endpoint and a refused connection fall back to the embedded
director with a warning, and the film is planned either way.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from resources.ichor import BUILTIN_PALETTES
from talos_assets.agents import direction, llm_director
from talos_assets.spec import Palette, ShotSize
from talos_assets.story import parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])

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
                outer.requests.append({"path": self.path, "body": body})
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


def _story(url: str, tries: int = 3):
    llm_director._CACHE.clear()
    return parse_story(f"title: LLM test\nlogline: Mira meets Talos on the shore. They laugh together.\n"
                       f"director: {{llm_url: '{url}', model: tiny-director, tries: {tries}, timeout_s: 5}}\n")


def test_valid_reply_is_the_shot_list():
    with _Server([json.dumps(VALID)]) as srv:
        plan = direction.direct_film(_story(srv.url), PALETTE)
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
        plan = direction.direct_film(_story(srv.url), PALETTE)
    assert plan.director == "llm:tiny-director"
    assert len(srv.requests) == 2
    retry = srv.requests[1]["body"]["messages"]
    assert retry[-2]["role"] == "assistant" and retry[-1]["role"] == "user"
    assert "invalid" in retry[-1]["content"] and "shots.0" in retry[-1]["content"]


def test_always_invalid_falls_back_to_the_embedded_director():
    with _Server(["I'd rather write a poem.", json.dumps(INVALID)]) as srv:
        with pytest.warns(RuntimeWarning, match="no valid shot list in 2 tries"):
            plan = direction.direct_film(_story(srv.url, tries=2), PALETTE)
    assert len(srv.requests) == 2
    assert plan.director == "embedded" and len(plan.shots) == 2  # the logline's two sentences
    assert "embedded director" in plan.warnings[0]


def test_dead_endpoint_falls_back_to_the_embedded_director():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.warns(RuntimeWarning, match="could not be reached"):
        plan = direction.direct_film(_story(f"http://127.0.0.1:{port}/v1"), PALETTE)
    assert plan.director == "embedded" and len(plan.shots) == 2


def test_off_by_default(monkeypatch):
    monkeypatch.delenv("TALOS_LLM_URL", raising=False)
    story = parse_story("title: t\nlogline: Talos waits.\n")
    assert llm_director.config_for(story) is None
    monkeypatch.setenv("TALOS_LLM_URL", "http://127.0.0.1:9/v1/")
    monkeypatch.setenv("TALOS_LLM_MODEL", "qwen")
    cfg = llm_director.config_for(story)
    assert cfg is not None and cfg.url == "http://127.0.0.1:9/v1" and cfg.model == "qwen"
