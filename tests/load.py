"""Concurrent writers against the ledger, shared by the concurrency test and its benchmark."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from app.extensions import db
from models import ledger
from models.errors import InsufficientPoints, YearlyCapReached


@dataclass
class LoadStats:
    awards: int = 0
    spends: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def operations(self) -> int:
        return self.awards + self.spends + self.refused


def hammer(app: Flask, employee_ids: list[int], *, threads: int, seconds: float, seed: int = 1) -> LoadStats:
    """``threads`` writers, each in its own session, award and spend at random against ``employee_ids``
    for ``seconds``. A spend over the balance must be refused cleanly; anything else is an error."""
    stats = LoadStats()
    deadline = time.perf_counter() + seconds
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with app.app_context():
            session = db.new_session()
            start.wait()
            while time.perf_counter() < deadline:
                employee_id = rng.choice(employee_ids)
                try:
                    if rng.random() < 0.5:
                        ledger.award(session, employee_id, rng.randint(1, 10), actor=f"load:{n}", memo="load")
                        kind = "awards"
                    else:
                        ledger.spend(session, employee_id, rng.randint(1, 15), actor=f"load:{n}", ref=("redemption", n))
                        kind = "spends"
                    session.commit()
                except (InsufficientPoints, YearlyCapReached):
                    session.rollback()
                    kind = "refused"
                except Exception as err:  # any other failure is a finding of the test
                    session.rollback()
                    with stats.lock:
                        stats.errors.append(f"{type(err).__name__}: {err}"[:300])
                    continue
                with stats.lock:
                    setattr(stats, kind, getattr(stats, kind) + 1)
            session.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stats.seconds = time.perf_counter() - began
    return stats
