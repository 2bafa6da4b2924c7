"""Load and a crash (tests/bench/load_crash.py) for a few seconds: every invariant holds, no 500.

LOAD_SECONDS (default 8) makes it longer; `python -m tests.bench.load_crash` is the benchmark.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.bench.load_crash import run
from tests.conftest import PG_URL

pytestmark = [pytest.mark.slow, pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (TEST_DATABASE_URL)")]
SECONDS = float(os.environ.get("LOAD_SECONDS", "8"))


def test_load_with_a_worker_killed_keeps_every_invariant(tmp_path):
    result = run(PG_URL, SECONDS, tmp_path)
    done = result.done
    assert not result.threads_left
    assert result.statuses.get(500, 0) == 0, (result.statuses, result.log[-2000:])
    assert done.get("redeemed") and done.get("reported") and done.get("awarded") and done.get("approved"), done
    assert done.get("credited"), done  # the credit timer ran beside the load and credited what was approved
    assert re.search(rf"Worker \(pid:{result.victim}\) was sent SIGKILL|{result.victim}", result.log), result.log[
        -2000:
    ]
    assert result.problems == [], result.problems
    print(f"\n{SECONDS:.0f} s, 32 clients, a worker killed half-way: {done}; {result.statuses}")
