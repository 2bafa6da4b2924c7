"""What the embedded set-up runs beside the web server in `mart run`: the print worker and the crediting of
claims whose public notice has ended, each in a thread of the same process, stopped with it.

A newcomer's `make run` then shows the whole counter with no second command: a slip lands in
``instance/receipts/`` moments after a redemption, and a claim is credited when its notice ends. Production
keeps them as their own services (deploy/systemd: ``mart-printer.service``, ``mart-credit-due.timer``), where a
crash of one never takes the others down; ``mart run --no-workers`` leaves them out here too.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from models import claims
from models.unit import unit_of_work

from .extensions import db

log = logging.getLogger(__name__)


class Background:
    """The print worker and the crediting loop, started together and stopped together."""

    def __init__(self, app: Flask, *, print_every: float = 2.0, credit_every: float = 60.0) -> None:
        self.app, self.print_every, self.credit_every = app, print_every, credit_every
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._print, name="mart-printer", daemon=True),
            threading.Thread(target=self._credit, name="mart-credit", daemon=True),
        ]

    def start(self) -> Background:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Let the slip being printed and the claim being credited finish, then end both threads."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout)

    def _print(self) -> None:
        from printer.worker import Worker

        with self.app.app_context():
            worker = Worker(db.maker, self.app.config["STORE_NAME"], Path(self.app.instance_path))
            while not self.stopping.is_set():
                try:
                    worker.work(poll_seconds=self.print_every, stopping=self.stopping)
                except Exception:  # a database that went away for a moment: the queue keeps the job
                    log.exception("print worker: trying again shortly")
                    self.stopping.wait(self.print_every)

    def _credit(self) -> None:
        with self.app.app_context():
            while True:
                self.credit_due()
                if self.stopping.wait(self.credit_every):
                    return

    def credit_due(self) -> int:
        """One round of `mart claims credit-due`; returns how many claims it took (never raises)."""
        session = db.maker()
        try:
            with unit_of_work(session):
                outcomes = claims.credit_due(session)
        except Exception:
            log.exception("crediting claims: trying again in %s s", self.credit_every)
            return 0
        finally:
            session.close()
        if outcomes:
            log.info("%s claims whose public notice ended were credited", len(outcomes))
        return len(outcomes)
