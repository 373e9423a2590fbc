"""The README's commands work as written: every `DEBUG=true .venv/bin/python manage.py …` line it
shows, and its API example (a REST token from `manage.py shell`, then `curl` against the running
portal), run in a shell on a fresh database as a newcomer would run them after `make run`."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.devtools.stack import free_port

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
COMMAND = re.compile(r"^    (DEBUG=true \.venv/bin/python manage\.py .+)$", re.M)
API_EXAMPLE = re.compile(r"^    (TOKEN=\$\(.+\))\n    (curl .+)$", re.M)


def _shell(command: str, environment: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    if not (ROOT / ".venv" / "bin" / "python").exists():  # a suite run from another virtualenv
        command = command.replace(".venv/bin/python", sys.executable)
    return subprocess.run(
        ["sh", "-c", command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def fresh_machine(tmp_path):
    """A shell's environment with nothing set but a database and export folder of its own (no
    SECRET_KEY, no DEBUG), and that database migrated and seeded as `make run` leaves it."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EXPORTS_DIR": str(tmp_path / "exports"),
    }
    for step in ("migrate --noinput", "seed_demo"):
        done = _shell(f"DEBUG=true .venv/bin/python manage.py {step} -v0", environment)
        assert done.returncode == 0, done.stderr
    return environment


def test_the_readme_shows_its_housekeeping_commands():
    shown = COMMAND.findall(README)
    assert len(shown) >= 5 and any("seed_demo --json" in line for line in shown)
    assert API_EXAMPLE.search(README)


def test_every_manage_py_command_of_the_readme_works_as_written(fresh_machine):
    for command in COMMAND.findall(README):
        done = _shell(command, fresh_machine)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
        if "seed_demo --json" in command:
            # The URLs it prints are those `make run` serves, not another host's.
            assert '"answerUrl": "http://127.0.0.1:8000/answer_url/1000/' in done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_api_example_answers_with_the_demo_project(fresh_machine):
    token_line, curl_line = API_EXAMPLE.search(README).groups()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**fresh_machine, "DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        curl = curl_line.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        for _ in range(100):  # the server starts within seconds
            done = _shell(f"{token_line}; {curl} --silent --fail", fresh_machine)
            if done.returncode != 7:  # 7: nothing listens yet
                break
            time.sleep(0.2)
        assert done.returncode == 0, done.stderr
        assert '"project_id":1000,"name":"Demo tenant"' in done.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
