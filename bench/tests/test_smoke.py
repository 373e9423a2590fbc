"""The bench command runs end to end in smoke mode and reports figures for every endpoint."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.endpoints import landed
from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    EVENT_LONG,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    PEER_ANSWER,
)

BASE_DIR = Path(__file__).resolve().parents[2]


def test_smoke_bench_serves_each_endpoint_under_gunicorn_and_writes_its_figures(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    runs = results["sizes"]["small"]["runs"]
    measured = {
        run["endpoint"] for run in runs if run["ok"] > 0 and run["rps"] > 0 and run["p99_ms"] > 0
    }
    expected = {BASELINE, BASELINE_DRF, FLOOR_ANSWER, PEER_ANSWER} | {
        endpoint for endpoint in (ANSWER, EVENT) if landed(endpoint)
    }
    # the same view, 50-event calls; and the event_url's floor
    expected |= {EVENT_LONG, FLOOR_EVENT} if EVENT in expected else set()
    assert measured == expected
    assert results["machine"]["cores"] == str(os.cpu_count())
    assert "## Goals" in (tmp_path / "BENCHMARKS.md").read_text()
    if EVENT in expected:
        check = results["sizes"]["small"]["event_check"]
        assert check["sent"] == check["ok"] == check["stored"] > 0
        # The floor stores what it acknowledged too (wrk may leave a few in flight: stored ≥ 2xx).
        floor = [run for run in runs if run["endpoint"] == FLOOR_EVENT]
        assert all(run["stored"] >= run["ok"] > 0 for run in floor)
        assert "answer_url throughput ≥ 2× peer_answer" in (tmp_path / "BENCHMARKS.md").read_text()
    if ANSWER in expected:
        labels = {q["label"] for q in results["sizes"]["small"]["queries"]}
        assert {"answer_url phone→app, cold", "answer_url phone→app, warm"} <= labels
