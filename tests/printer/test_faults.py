"""A network printer that misbehaves: it refuses, it closes halfway, it hangs. Jobs wait and retry; when the
printer comes back, every slip is printed once, whole. Real sockets on loopback, bounded waits."""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
import time

from models import printing
from models.clock import utcnow
from models.printing import JobStatus, PrintJob
from tests.printer.escpos_reader import read


class FakePrinter:
    """A raw-port printer on 127.0.0.1. ``mode``: "good" reads everything; "halfway" reads a little and hangs
    up with unread data (a reset); "hang" takes the connection and reads nothing for ``hang_seconds``."""

    def __init__(self, port: int = 0, mode: str = "good", hang_seconds: float = 3.0) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.mode, self.hang_seconds = mode, hang_seconds
        self.copies: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            received = bytearray()
            if self.mode == "halfway":
                received.extend(conn.recv(64))
                time.sleep(0.3)  # the rest has arrived, unread, when it hangs up
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.copies.append(bytes(received))
                return
            if self.mode == "hang":
                time.sleep(self.hang_seconds)
            conn.settimeout(10)
            while chunk := conn.recv(4096):
                received.extend(chunk)
            self.copies.append(bytes(received))

    def close(self) -> None:
        self.thread.join(15)
        self.server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queue_for(session, redemption, port: int) -> PrintJob:
    job = printing.enqueue(
        session, redemption, printer_uri=f"tcp://127.0.0.1:{port}", columns=32, encoding="gb18030", actor="kiosk:1"
    )
    session.commit()
    return job


def reload(session, job) -> PrintJob:
    session.expire_all()
    return session.get(PrintJob, job.id)


def time_passes(session, job) -> None:
    reload(session, job).next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()


def test_a_printer_that_refuses_gets_the_slip_once_when_it_is_back(app, worker, session, redemption):
    port = free_port()
    job = queue_for(session, redemption, port)
    assert worker.print_next()  # nothing listens: connection refused
    failed = reload(session, job)
    assert (failed.status, failed.attempts) == (JobStatus.queued, 1) and "127.0.0.1" in failed.last_error
    assert not worker.print_next()  # it waits before the next try
    printer = FakePrinter(port)
    time_passes(session, job)
    assert worker.print_next()
    printer.close()
    assert reload(session, job).status is JobStatus.done
    assert len(printer.copies) == 1 and redemption.number in read(printer.copies[0]).text()


def test_a_printer_that_hangs_up_halfway_gets_the_whole_slip_again(app, worker, session, redemption):
    torn = FakePrinter(mode="halfway")
    job = queue_for(session, redemption, torn.port)
    assert worker.print_next()
    torn.close()
    assert len(torn.copies) == 1 and len(torn.copies[0]) <= 64  # it took a piece and hung up
    retry = reload(session, job)
    assert (retry.status, retry.attempts) == (JobStatus.queued, 1)  # not marked printed
    good = FakePrinter(torn.port)
    time_passes(session, job)
    assert worker.print_next()
    good.close()
    assert reload(session, job).status is JobStatus.done
    assert len(good.copies) == 1 and redemption.number in read(good.copies[0]).text()
    full = good.copies[0]
    assert full.startswith(torn.copies[0]) and len(full) > len(torn.copies[0])  # the whole slip this time


def test_a_printer_that_hangs_does_not_stop_the_worker_and_prints_once(app, worker, session, redemption):
    stuck = FakePrinter(mode="hang", hang_seconds=3.0)
    job = queue_for(session, redemption, stuck.port)
    started = time.monotonic()
    assert worker.print_next()
    waited = time.monotonic() - started
    assert waited < 8  # the worker moved on after the settle time, it did not wait for the printer
    stuck.close()  # the printer wakes up and reads what it was given
    assert reload(session, job).status is JobStatus.done
    assert len(stuck.copies) == 1 and redemption.number in read(stuck.copies[0]).text()
    assert not worker.print_next()  # and it is not sent again
