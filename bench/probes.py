"""Input probes: hostile or broken input given to the `talos` command line, as an outside tester would.

Each probe builds its inputs in its own temp folder with a fresh studio home, runs the installed
`talos` CLI in a subprocess with a timeout, and records the exit code, stderr on one line, whether a
Python traceback was printed, the wall time and the child's peak RSS (sampled every 50 ms). Each probe
states what the studio should do and judges the run against it (a probe can fail). An LLM probe also
listens on a loopback port to see whether anything is sent there. Writes bench/results/probes.json.
Usage: python bench/probes.py [--only NAME ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psutil

REPO = Path(__file__).resolve().parent.parent
TALOS = Path(sys.executable).parent / "talos"
FILM_ID_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"
MB = 1024.0 * 1024.0
SHOT = {"id": "s1", "description": "Talos stands calm on the shore.", "emotion": "calm", "duration": 1.0}


@dataclass
class Run:
    """What one CLI call did."""

    args: list[str]
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout or "Traceback" in self.stderr

    @property
    def stderr_line(self) -> str:
        return " ".join(self.stderr.split())[:400]


def run_cli(args: list[str], work: Path, timeout: float) -> Run:
    """`talos ARGS` in `work` with a studio home of its own; RSS of the child sampled until it ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALOS_", "DAGSTER_"))}
    env.update(TALOS_HOME=str(work / "home"), TALOS_RENDERS=str(work / "renders"),
               DAGSTER_HOME=str(work / "home" / "dagster"))
    start = time.perf_counter()
    proc = subprocess.Popen([str(TALOS), *args], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    peak = 0
    out: dict[str, str] = {}
    # pipes are drained in a thread so a chatty child cannot block while we sample its memory
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate())))
    reader.start()
    ps = psutil.Process(proc.pid)
    while reader.is_alive() and time.perf_counter() - start < timeout:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        reader.join(0.05)
    killed = reader.is_alive()
    if killed:
        proc.kill()
        reader.join()
    seconds = time.perf_counter() - start
    return Run(args, None if killed else proc.returncode, out.get("stdout", ""), out.get("stderr", ""),
               round(seconds, 2), round(peak / MB, 1))


def write_story(path: Path, fields: dict) -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(fields, sort_keys=False))
    return path


def tiny_story(**extra) -> dict:
    return {"title": "Probe", "fps": 12, "resolution": [160, 90], "shots": [dict(SHOT)], **extra}


def write_wav(path: Path, frames: int) -> Path:
    """A 16-bit mono 22.05 kHz WAV; `frames=0` gives a valid header and an empty data chunk."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\x00\x00" * frames)
    return path


def big_story(path: Path, megabytes: float) -> Path:
    """A story of `megabytes` MB: many valid-looking shots (what made validation quadratic before)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1_000_000)
    with path.open("w") as f:
        f.write("title: Big Story\nshots:\n")
        i = 0
        while f.tell() < target:
            f.write(f"  - id: shot-{i}\n    description: Talos walks along the shore and looks at the sea, {i}.\n")
            i += 1
    return path


class Listener:
    """A loopback TCP port that records whether anything connected (an endpoint a story names)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> int:
        self._stop = True
        self.thread.join()
        self.sock.close()
        return self.connections


# ---- the probes: each builds its input in `work` and judges the run ------------------------------------

def refused(run: Run, *needles: str) -> bool:
    """Exit 2, one sentence (one stderr line once wrapping is undone), no traceback, naming what it should."""
    text = run.stderr_line.lower()
    return (run.code == 2 and not run.traceback and text.startswith("error:") and text.count(". ") <= 1
            and all(n.lower() in text for n in needles))


def probe_big(megabytes: float) -> Callable:
    def probe(work: Path):
        story = big_story(work / "story" / "big.yaml", megabytes)
        run = run_cli(["validate", str(story)], work, timeout=300)
        # the old code took minutes and GBs; a refusal before reading costs what a tiny story costs
        ok = refused(run, "mb") and run.seconds < 30 and run.peak_rss_mb < 200
        return ok, run, f"{story.stat().st_size / 1e6:.1f} MB file"
    return probe


def probe_baseline(work: Path):
    story = write_story(work / "story" / "tiny.yaml", tiny_story(id="baseline"))
    run = run_cli(["validate", str(story)], work, timeout=120)
    return run.code == 0 and not run.traceback, run, "the cost of starting the CLI, for comparison"


def probe_nested(work: Path):
    story = work / "story" / "deep.yaml"
    story.parent.mkdir(parents=True)
    story.write_text("title: Deep\nshots: " + "[" * 500 + "]" * 500 + "\n")
    run = run_cli(["validate", str(story)], work, timeout=120)
    return refused(run, "nests deeper"), run, ""


def probe_duplicate_keys(work: Path):
    story = work / "story" / "dup.yaml"
    story.parent.mkdir(parents=True)
    story.write_text("title: One\ntitle: Two\nshots:\n  - id: s1\n    description: Talos stands calm.\n")
    run = run_cli(["validate", str(story)], work, timeout=120)
    return refused(run, "title", "twice", "line 2"), run, ""


def probe_title_markup(work: Path):
    title = "Talos [/x] and [bold]Mira[/bold]"
    story = write_story(work / "story" / "markup.yaml", tiny_story(title=title, id="markup"))
    run = run_cli(["validate", str(story)], work, timeout=120)
    ok = run.code == 0 and not run.traceback and title in run.stdout
    return ok, run, f"stdout shows title intact: {title in run.stdout}"


def probe_pattern_in_error(work: Path):
    story = write_story(work / "story" / "badid.yaml", tiny_story(id="Bad Id!"))
    run = run_cli(["validate", str(story)], work, timeout=120)
    intact = FILM_ID_PATTERN in run.stderr
    mangled = "'^{0,63}$'" in run.stderr or "^[_-]{0,63}$" in run.stderr
    ok = refused(run, "id") and intact and not mangled
    return ok, run, f"pattern intact in stderr: {intact}"


def probe_api_key_env(work: Path):
    listener = Listener()
    story = write_story(work / "story" / "llm.yaml",
                        tiny_story(director={"llm_url": listener.url, "api_key_env": "HOME"}))
    run = run_cli(["validate", str(story)], work, timeout=120)
    hits = listener.close()
    return refused(run, "director") and hits == 0, run, f"connections to the story's URL: {hits}"


def probe_screenplay_abs(target: str) -> Callable:
    def probe(work: Path):
        path = target
        if target == "outside":  # an existing .fountain file outside the story's folder, by absolute path
            secret = work / "outside" / "secret.fountain"
            secret.parent.mkdir(parents=True)
            secret.write_text("INT. VAULT - NIGHT\n\nThe secret is 42.\n")
            path = str(secret)
        story = write_story(work / "story" / "abs.yaml", {"title": "Abs", "screenplay": path})
        run = run_cli(["validate", str(story)], work, timeout=120)
        return refused(run, "screenplay") and "secret is 42" not in run.stdout, run, ""
    return probe


def probe_music_dotdot(work: Path):
    write_wav(work / "secret.wav", 22050)
    story = write_story(work / "story" / "music.yaml", tiny_story(music={"file": "../secret.wav"}))
    run = run_cli(["validate", str(story)], work, timeout=120)
    return refused(run, "music"), run, "../secret.wav exists and is a valid WAV"


def probe_symlink(work: Path):
    secret = work / "outside" / "secret.fountain"
    secret.parent.mkdir(parents=True)
    secret.write_text("INT. VAULT - NIGHT\n\nThe secret is 42.\n")
    (work / "story").mkdir()
    (work / "story" / "link.fountain").symlink_to("../outside/secret.fountain")
    story = write_story(work / "story" / "link.yaml", {"title": "Link", "screenplay": "link.fountain"})
    run = run_cli(["validate", str(story)], work, timeout=120)
    return refused(run, "screenplay") and "secret is 42" not in run.stdout, run, "story/link.fountain -> ../outside/"


def probe_empty_wav(work: Path):
    (work / "story").mkdir()
    write_wav(work / "story" / "empty.wav", 0)
    story = write_story(work / "story" / "wav.yaml", tiny_story(music={"file": "empty.wav"}))
    run = run_cli(["validate", str(story)], work, timeout=120)
    size = (work / "story" / "empty.wav").stat().st_size
    return refused(run, "music"), run, f"{size}-byte WAV, 0 samples"


def probe_corrupt_ichor(command: str) -> Callable:
    def probe(work: Path):
        (work / "home").mkdir(parents=True)
        (work / "home" / "ichor.db").write_bytes(b"this is not a database\n" * 64)
        story = write_story(work / "story" / "ok.yaml", tiny_story(id="corrupt-ichor"))
        run = run_cli([command, str(story)], work, timeout=420)
        return refused(run, "ichor.db"), run, ""
    return probe


def probe_empty_ichor(work: Path):
    (work / "home").mkdir(parents=True)
    db = work / "home" / "ichor.db"
    db.write_bytes(b"")
    story = write_story(work / "story" / "ok.yaml", tiny_story(id="empty-ichor"))
    run = run_cli(["validate", str(story)], work, timeout=120)
    size = db.stat().st_size
    extra = sorted(p.name for p in (work / "home").iterdir() if p.name != "ichor.db")
    ok = size == 0 and not extra and not run.traceback and run.code in (0, 2)
    return ok, run, f"ichor.db after: {size} bytes; other files in home: {extra or 'none'}"


PROBES: list[tuple[str, str, str, Callable]] = [
    ("baseline_tiny_story", "a valid 1-shot story to `talos validate`", "exit 0 (reference time and RSS)",
     probe_baseline),
    ("story_5mb", "a 5 MB story (~50,000 shots) to `talos validate`",
     "refused in one sentence (limit 1 MB) before it is read: under 30 s and 200 MB RSS, exit 2", probe_big(5)),
    ("story_50mb", "a 50 MB story to `talos validate`",
     "refused in one sentence before it is read: under 30 s and 200 MB RSS, exit 2", probe_big(50)),
    ("yaml_nested_500", "`shots:` nested 500 deep (flow lists)",
     "one sentence about nesting, no RecursionError, exit 2", probe_nested),
    ("duplicate_keys", "`title:` twice in one mapping",
     "one sentence naming the key and its line, exit 2", probe_duplicate_keys),
    ("title_markup", "title `Talos [/x] and [bold]Mira[/bold]`",
     "validates (exit 0); the title is printed as written, no MarkupError", probe_title_markup),
    ("pattern_in_error", "film `id: Bad Id!`",
     f"one sentence, exit 2; a pattern such as `{FILM_ID_PATTERN}` printed intact", probe_pattern_in_error),
    ("api_key_env_home", "`director: {llm_url: <loopback listener>, api_key_env: HOME}`",
     "refused in one sentence (exit 2); nothing connects to the story's URL", probe_api_key_env),
    ("screenplay_etc_passwd", "`screenplay: /etc/passwd`",
     "refused: absolute path (exit 2)", probe_screenplay_abs("/etc/passwd")),
    ("screenplay_abs_fountain", "`screenplay:` absolute path to an existing .fountain outside the story folder",
     "refused: absolute path; its text is not read (exit 2)", probe_screenplay_abs("outside")),
    ("music_dotdot", "`music.file: ../secret.wav` (the file exists)",
     "refused: `..` leaves the story folder (exit 2)", probe_music_dotdot),
    ("symlink_escape", "`screenplay: link.fountain`, a symlink to a file outside the story folder",
     "refused: the link resolves outside (exit 2)", probe_symlink),
    ("wav_no_samples", "`music.file: empty.wav`, valid WAV header, 0 samples",
     "refused at validation in one sentence (exit 2), not after rendering", probe_empty_wav),
    ("ichor_corrupt_validate", "`$TALOS_HOME/ichor.db` = 1.5 KB of text; `talos validate`",
     "one sentence naming ichor.db and what to do, exit 2, no traceback", probe_corrupt_ichor("validate")),
    ("ichor_corrupt_forge", "`$TALOS_HOME/ichor.db` = 1.5 KB of text; `talos forge` (tiny story)",
     "one sentence naming ichor.db and what to do, exit 2, no traceback", probe_corrupt_ichor("forge")),
    ("ichor_empty_validate", "`$TALOS_HOME/ichor.db` is 0 bytes; `talos validate`",
     "no traceback; ichor.db stays 0 bytes and nothing else is written to the home", probe_empty_ichor),
]


def run_probe(name: str, given: str, expected: str, probe: Callable) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"talos-probe-{name}-") as tmp:
        passed, run, note = probe(Path(tmp))
        # temp folder names change every run: show them as <tmp>
        note, stderr = note.replace(tmp, "<tmp>"), run.stderr_line.replace(tmp, "<tmp>")
    code = "timeout" if run.code is None else str(run.code)
    observed = f"exit {code}, {run.seconds:.1f} s, RSS {run.peak_rss_mb:.0f} MB" + \
               (", Traceback" if run.traceback else "") + (f"; {note}" if note else "") + \
               (f"; stderr: {stderr}" if stderr else "")
    return {"probe": name, "input": given, "expected": expected, "observed": observed, "pass": bool(passed),
            "exit_code": run.code, "stderr": stderr, "traceback": run.traceback, "seconds": run.seconds,
            "peak_rss_mb": run.peak_rss_mb, "command": "talos " + " ".join(Path(a).name if "/" in a else a for a in run.args)}


def markdown_rows(rows: list[dict]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| probe | input | expected | observed | pass |", "|---|---|---|---|---|"]
    lines += [f"| {r['probe']} | {cell(r['input'])} | {cell(r['expected'])} | {cell(r['observed'])} | "
              f"{'yes' if r['pass'] else '**no**'} |" for r in rows]
    return "\n".join(lines) + "\n"


def update_doc(doc: Path, table: str) -> None:
    """Replace the rows between the probe markers of `doc` (temp-then-rename)."""
    begin, end = "<!-- probes:begin -->", "<!-- probes:end -->"
    text = doc.read_text()
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    tmp = doc.with_suffix(".md.part")
    tmp.write_text(f"{head}{begin}\n{table}{end}{tail}")
    os.replace(tmp, doc)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", help="probe names to run (default: all)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "probes.json"))
    parser.add_argument("--doc", help="also write the rows into this markdown file, between the probe markers")
    args = parser.parse_args()
    rows = []
    for name, given, expected, probe in PROBES:
        if args.only and name not in args.only:
            continue
        rows.append(run_probe(name, given, expected, probe))
        r = rows[-1]
        print(f"{'PASS' if r['pass'] else 'FAIL'} {name:<24} {r['observed'][:160]}", flush=True)
    result = {"rows": rows, "passed": sum(r["pass"] for r in rows), "total": len(rows),
              "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.part")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    os.replace(tmp, out)
    print(markdown_rows(rows))
    if args.doc:
        update_doc(Path(args.doc), markdown_rows(rows))
    print(f"{result['passed']}/{result['total']} passed; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
