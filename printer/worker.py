"""The print worker (`mart printer work`, its own process under systemd): drains the print queue.

For each due job it marks the job ``printing`` and commits, renders the slip, sends it through the backend
the job names, then marks it done, or puts it back with a wait (models/printing.py) when sending failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from app.extensions import db
from models import printing
from models.settings import get_setting
from models.store import Redemption

from . import receipt
from .backends import PrinterError, backend_for

log = logging.getLogger(__name__)


def slip_for(redemption: Redemption, store_name: str, *, reprint: bool = False) -> receipt.Slip:
    """The slip of a redemption, as printed (and previewed at the kiosk and in the back office)."""
    employee = redemption.employee
    local = redemption.created_at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    return receipt.Slip(
        store_name=store_name,
        kiosk_name=redemption.kiosk,
        printed_at=local,
        employee_name=employee.name,
        employee_number=employee.number,
        lines=tuple(receipt.SlipLine(line.name, line.quantity, line.points) for line in redemption.lines),
        total=redemption.points,
        balance_after=redemption.balance_after,
        number=redemption.number or "",
        reprint=reprint,
    )


def slip_preview(session: Session, redemption: Redemption, store_name: str) -> bytes:
    """A picture of a redemption's slip, on the paper its last print job used (else the paper setting)."""
    jobs = printing.jobs_of(session, redemption.id)
    columns = jobs[-1].columns if jobs else receipt.WIDTHS[int(get_setting(session, "paper_mm"))]
    return receipt.preview_png(slip_for(redemption, store_name), columns)


def print_next(app: Flask) -> bool:
    """Print the next due job, if any; True when there was one (printed or not)."""
    with app.app_context():
        session = db.new_session()
        try:
            job = printing.claim_next(session)
            if job is None:
                session.rollback()
                return False
            session.commit()  # "printing" is on record before a byte goes out: never printed twice by itself
            try:
                # Nothing has gone to the printer until send(): a failure before it is safe to retry too.
                slip = slip_for(job.redemption, app.config["STORE_NAME"], reprint=job.reprint)
                try:
                    data = receipt.escpos_bytes(slip, job.columns, encoding=job.encoding)
                    backend = backend_for(job.printer_uri, Path(app.instance_path))
                    preview = receipt.preview_png(slip, job.columns) if backend.wants_preview else None
                except (ValueError, LookupError, OSError) as err:
                    raise PrinterError(f"cannot lay the slip out: {err}") from err
                backend.send(f"{slip.number}-{job.id}", data, preview)
            except PrinterError as err:
                log.warning("print job %s failed: %s", job.id, err)
                printing.fail(session, job, str(err))
            else:
                printing.finish(session, job)
            session.commit()
            return True
        finally:
            session.close()


def work(app: Flask, *, once: bool = False, poll_seconds: float = 2.0, stop_after: float | None = None) -> int:
    """Print jobs as they come; with ``once``, print what is due now and return. Returns jobs handled.

    SIGTERM (systemd stopping the service) lets the slip being printed finish and its job be marked first.
    """
    handled, started = 0, time.monotonic()
    stopping = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        while not stopping.is_set() and print_next(app):
            handled += 1
        if once or (stop_after is not None and time.monotonic() - started > stop_after):
            break
        stopping.wait(poll_seconds)
    return handled
