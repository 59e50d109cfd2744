"""espeak-ng through ctypes: the library and its data ship in the `espeakng-loader` wheel, so no
system package is needed. The engine is initialised once per process in synchronous mode with
phoneme events in IPA (`espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data, PHONEME_EVENTS |
PHONEME_IPA | DONT_EXIT)`; without the data path the library exits the process on a missing
phontab). A synth callback collects the 22050 Hz int16 samples and the WORD / PHONEME events with
their sample positions. espeak-ng keeps global state, so every call holds one lock.

`synthesize` speaks each line in a fresh process running this file: espeak-ng's wave generator runs
on from one utterance to the next (the same line spoken four times in one process gave 40338, 40347,
40352 and 40347 samples), so in one process a line would sound different by what was spoken before
it. A fresh engine per line makes a line the same on every run, and a shot re-voiced alone equal to
the same shot voiced with the whole film. The reply is a JSON line and the raw float32 samples.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# espeak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS, _INIT_PHONEME_IPA, _INIT_DONT_EXIT = 0x0001, 0x0002, 0x8000
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_END, _EVENT_MSG_TERMINATED, _EVENT_PHONEME = 0, 1, 5, 6, 7
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE = 1, 2, 3, 4
_POS_CHARACTER, _CHARS_UTF8 = 1, 1
_EE_NOT_FOUND = 2


class _Event(ctypes.Structure):
    # espeak_EVENT; `id` is a union {int number; const char *name; char string[8]}: the 8 bytes of
    # the string member hold a phoneme's IPA symbol in PHONEME events.
    _fields_ = [
        ("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
        ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p), ("id", ctypes.c_char * 8),
    ]  # fmt: skip


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class UnknownVoiceError(ValueError):
    """espeak-ng has no voice of that name."""


@dataclass(frozen=True)
class RawEvent:
    kind: str  # "word" | "phoneme" | "end"
    sample: int  # position in the synthesized audio, samples at the engine's rate
    text_position: int  # 1-based character index in the UTF-8 text (words)
    length: int  # characters (words)
    symbol: str  # IPA (phonemes; "" marks a pause)


@dataclass(frozen=True)
class Synthesis:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    events: list[RawEvent]


class _Engine:
    """The process's one espeak-ng instance (the library is a singleton with global state)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                          ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        flags = _INIT_PHONEME_EVENTS | _INIT_PHONEME_IPA | _INIT_DONT_EXIT
        self.sample_rate = int(self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                                          espeakng_loader.get_data_path().encode(), flags))
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise from the espeakng-loader data folder")
        self._chunks: list[np.ndarray] = []
        self._events: list[RawEvent] = []
        self._callback = _CALLBACK(self._collect)  # kept referenced: the library holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav, n: int, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n,)).astype(np.float32) / 32768.0)
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == _EVENT_WORD:
                self._events.append(RawEvent("word", e.sample, e.text_position, e.length, ""))
            elif e.type == _EVENT_PHONEME:
                symbol = bytes(e.id).split(b"\0", 1)[0].decode("utf-8", "replace")
                self._events.append(RawEvent("phoneme", e.sample, e.text_position, 0, symbol))
            elif e.type in (_EVENT_END, _EVENT_MSG_TERMINATED):
                self._events.append(RawEvent("end", e.sample, e.text_position, 0, ""))
            i += 1
        return 0  # 0 = go on synthesising

    def synthesize(self, text: str, voice: str, pitch: int, speed: int, pitch_range: int, volume: int = 100) -> Synthesis:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise UnknownVoiceError(f"espeak-ng has no voice '{voice}'")
            for param, value in ((_PARAM_RATE, speed), (_PARAM_PITCH, pitch), (_PARAM_RANGE, pitch_range),
                                 (_PARAM_VOLUME, volume)):
                self.lib.espeak_SetParameter(param, int(value), 0)
            self._chunks, self._events = [], []
            data = text.encode("utf-8")
            buf = ctypes.create_string_buffer(data)
            if self.lib.espeak_Synth(buf, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                raise RuntimeError(f"espeak-ng could not synthesise {text[:40]!r}")
            self.lib.espeak_Synchronize()
            samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
            return Synthesis(samples=samples, sample_rate=self.sample_rate, events=list(self._events))


@lru_cache(maxsize=1)
def engine() -> _Engine:
    """The process's espeak-ng engine, initialised on first use."""
    return _Engine()


@lru_cache(maxsize=1)
def _known_voices() -> tuple[frozenset[str], frozenset[str]]:
    """(language voice names, variant names) in the wheel's espeak-ng data: a voice file's name and
    every `language` it declares; `espeak_SetVoiceByName` accepts unknown names silently."""
    import os
    from pathlib import Path

    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    names: set[str] = set()
    for root, _, files in os.walk(data / "lang"):
        for f in files:
            names.add(f.lower())
            for line in (Path(root) / f).read_text(errors="replace").splitlines():
                if line.startswith("language "):
                    names.add(line.split()[1].lower())
    variants = {v.lower() for v in os.listdir(data / "voices" / "!v")}
    return frozenset(names), frozenset(variants)


def voice_exists(voice: str) -> bool:
    """Whether espeak-ng knows `voice` (a language voice, optionally `+variant`)."""
    base, _, variant = voice.lower().partition("+")
    names, variants = _known_voices()
    return base in names and (not variant or variant in variants)


SYNTH_TIMEOUT_S = 120.0  # a line's synthesis in its own process; espeak-ng speaks far faster than real time


def synthesize(text: str, voice: str = "en-us", pitch: int = 50, speed: int = 165, pitch_range: int = 50) -> Synthesis:
    """Speak `text` with espeak-ng in a fresh process (see the module docstring): float32 samples at
    the engine's rate (22050 Hz) and its events."""
    request = json.dumps({"text": text, "voice": voice, "pitch": pitch, "speed": speed, "range": pitch_range})
    proc = subprocess.run([sys.executable, __file__], input=request.encode(), capture_output=True,
                          timeout=SYNTH_TIMEOUT_S, check=False)
    head, _, body = proc.stdout.partition(b"\n")
    try:
        reply = json.loads(head)
    except ValueError:
        reply = {}
    if reply.get("error") == "unknown_voice":
        raise UnknownVoiceError(reply["message"])
    if proc.returncode != 0 or "n" not in reply:
        why = reply.get("message") or proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no reply"]
        raise RuntimeError(f"espeak-ng could not synthesise {text[:40]!r}: {why if isinstance(why, str) else why[0]}")
    samples = np.frombuffer(body, dtype=np.float32, count=reply["n"]).copy()
    return Synthesis(samples=samples, sample_rate=int(reply["sample_rate"]),
                     events=[RawEvent(**e) for e in reply["events"]])


def _speak_one() -> int:
    """The fresh process: one request on stdin, one reply on stdout."""
    req = json.loads(sys.stdin.buffer.read())
    try:
        said = engine().synthesize(req["text"], req["voice"], req["pitch"], req["speed"], req["range"])
    except UnknownVoiceError as exc:
        sys.stdout.buffer.write(json.dumps({"error": "unknown_voice", "message": str(exc)}).encode() + b"\n")
        return 3
    except RuntimeError as exc:
        sys.stdout.buffer.write(json.dumps({"error": "synthesis", "message": str(exc)}).encode() + b"\n")
        return 4
    head = {"sample_rate": said.sample_rate, "n": int(said.samples.size),
            "events": [dataclasses.asdict(e) for e in said.events]}
    sys.stdout.buffer.write(json.dumps(head).encode() + b"\n" + np.ascontiguousarray(said.samples, np.float32).tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(_speak_one())
