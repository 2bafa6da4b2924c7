"""The print worker (`mart printer work`, its own process under systemd): drains the print queue.

For each due job it marks the job ``printing`` and commits, renders the slip, sends it through the backend
the job names, then marks it done when the printer confirmed it, "sent, not confirmed" when it cannot say
or failed after bytes went out, or puts it back with a wait when the printer could not be reached.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from models import printing
from models.unit import unit_of_work

from . import receipt
from .backends import Backend, MaybePrinted, PrinterError, backend_for
from .slips import slip_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Worker:
    """Drains the print queue through sessions from ``new_session`` (the app's session factory, or a test's)."""

    new_session: Callable[[], Session]
    store_name: str
    instance_path: Path
    backends: Callable[[str, Path], Backend] = backend_for  # a printer URI -> its backend

    def print_next(self) -> bool:
        """Print the next due job, if any; True when there was one (printed or not). Two units of work: the job
        is marked ``printing`` and committed before a byte goes out (never printed twice by itself), then
        marked done or put back to wait."""
        session = self.new_session()
        try:
            with unit_of_work(session):
                job = printing.claim_next(session)
            if job is None:
                return False
            with unit_of_work(session):
                self._send(session, job)
            return True
        finally:
            session.close()

    def _send(self, session: Session, job: printing.PrintJob) -> None:
        try:
            # Nothing has gone to the printer until send(): a failure before it is safe to retry too.
            slip = slip_for(job.redemption, self.store_name, reprint=job.reprint)
            try:
                data = receipt.escpos_bytes(slip, job.columns, encoding=job.encoding)
                backend = self.backends(job.printer_uri, self.instance_path)
                preview = receipt.preview_png(slip, job.columns) if backend.wants_preview else None
            except (ValueError, LookupError, OSError) as err:
                raise PrinterError(f"cannot lay the slip out: {err}") from err
            confirmed = backend.send(f"{slip.number}-{job.id}", data, preview)
        except MaybePrinted as err:  # it went out and then failed: never again by itself
            log.warning("print job %s may have printed: %s", job.id, err)
            printing.unconfirmed(session, job, str(err))
        except PrinterError as err:  # nothing went out: tried again after a wait
            log.warning("print job %s failed: %s", job.id, err)
            printing.fail(session, job, str(err))
        else:
            if confirmed:
                printing.finish(session, job)
            else:
                printing.unconfirmed(session, job, "sent; the printer did not confirm it")

    def work(
        self,
        *,
        once: bool = False,
        poll_seconds: float = 2.0,
        stop_after: float | None = None,
        stopping: threading.Event | None = None,
    ) -> int:
        """Print jobs as they come; with ``once``, print what is due now and return. Returns jobs handled.

        SIGTERM (systemd stopping the service), or ``stopping`` set by the process it runs in (`mart run`), lets
        the slip being printed finish and its job be marked first.
        """
        handled, started = 0, time.monotonic()
        stopping = stopping or threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stopping.set())
            if not once:  # for the journal (and whoever waits for it to be ready): SIGTERM now stops it cleanly
                print("Print worker waiting for slips.", file=sys.stderr, flush=True)
        while not stopping.is_set():
            while not stopping.is_set() and self.print_next():
                handled += 1
            if once or (stop_after is not None and time.monotonic() - started > stop_after):
                break
            stopping.wait(poll_seconds)
        return handled
