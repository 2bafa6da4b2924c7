"""A network printer that misbehaves: it refuses, it closes halfway, it hangs, it never reads, it reads the whole
slip and resets. A slip nobody received waits and is sent again; a slip that may be on paper is never sent
again by itself ("sent, not confirmed", for a person to reprint on purpose: 补打). Real sockets on loopback,
bounded waits."""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
import time

import pytest

from models import printing
from models.clock import utcnow
from models.printing import JobStatus, PrintJob
from printer.backends import STATUS_REQUEST
from tests.printer.escpos_reader import read


class FakePrinter:
    """A raw-port printer on 127.0.0.1. ``mode``: "good" reads everything and answers the status request, as a
    printer does once it has processed what came before; "halfway" reads a little and hangs up with unread
    data (a reset); "hang" takes the connection and reads nothing for ``hang_seconds``, then goes on as good;
    "mute" reads everything and never answers; "reset" reads everything and resets without answering."""

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
            while not received.endswith(STATUS_REQUEST) and (chunk := conn.recv(4096)):
                received.extend(chunk)
            self.copies.append(bytes(received.removesuffix(STATUS_REQUEST)))
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif self.mode == "mute":
                time.sleep(1.5)
            else:
                conn.sendall(b"\x00")  # paper present

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


def test_a_printer_that_hangs_up_halfway_is_not_sent_the_slip_again_by_itself(app, worker, session, redemption):
    torn = FakePrinter(mode="halfway")
    job = queue_for(session, redemption, torn.port)
    assert worker.print_next()
    torn.close()
    assert len(torn.copies) == 1 and len(torn.copies[0]) <= 64  # it took a piece and hung up
    held = reload(session, job)
    assert held.status is JobStatus.unconfirmed and held.printed_at is None  # not marked printed, not retried
    assert held in printing.troubled(session)  # listed under slips that need a person
    good = FakePrinter(torn.port)
    time_passes(session, job)
    assert not worker.print_next()
    printing.reprint(session, redemption, actor="staff:store")  # the storekeeper looked: it did not come out
    session.commit()
    assert worker.print_next()
    good.close()
    assert len(good.copies) == 1 and "补打" in read(good.copies[0]).text()  # the copy says it is one


@pytest.mark.parametrize("mode", ["reset", "mute"])
def test_a_printer_that_takes_the_slip_without_confirming_it_gets_no_second_copy(
    app, worker, session, redemption, mode
):
    """Before, a printer that read the whole slip and reset got it again, and one that never answered was
    marked printed after 2 s."""
    printer = FakePrinter(mode=mode)
    job = queue_for(session, redemption, printer.port)
    assert worker.print_next()
    printer.close()
    held = reload(session, job)
    assert held.status is JobStatus.unconfirmed and held.printed_at is None, held.last_error
    assert len(printer.copies) == 1 and redemption.number in read(printer.copies[0]).text()
    time_passes(session, job)
    assert not worker.print_next()  # nothing more goes to the printer by itself


def test_a_byte_a_device_sends_on_connect_is_not_taken_for_a_confirmation(tmp_path):
    """Found in review: anything on port 9100 that sent one byte on connect had the slip marked printed."""
    from printer.backends import backend_for

    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(5)

        def chatty():
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"\x00")  # a banner, an XON, a status byte: before anything was asked
                time.sleep(1.5)  # and then it never answers

        listener = threading.Thread(target=chatty)
        listener.start()
        backend = backend_for(f"tcp://127.0.0.1:{server.getsockname()[1]}", tmp_path)
        backend.confirm = 0.5
        assert backend.send("slip", b"\x1b@slip") is False  # sent, not confirmed
        listener.join(5)


def test_a_job_held_by_a_dead_worker_is_taken_back_after_its_lease(app, client, worker, session, redemption):
    job = queue_for(session, redemption, free_port())
    assert printing.claim_next(session) is not None  # a worker took it ... and was killed mid-slip
    session.commit()
    assert client.get("/healthz").status_code == 200  # within its lease: it may still be printing
    held = reload(session, job)
    held.claimed_at = utcnow() - printing.LEASE - dt.timedelta(seconds=1)
    session.commit()
    health = client.get("/healthz")
    assert health.status_code == 503 and "mid-slip" in health.text
    assert reload(session, job) in printing.troubled(session)
    assert not worker.print_next()  # the next worker takes it back, and does not print it
    taken = reload(session, job)
    assert taken.status is JobStatus.unconfirmed and "stopped while sending" in taken.last_error
    assert client.get("/healthz").status_code == 200


def test_a_printer_that_hangs_does_not_stop_the_worker_and_prints_once(app, worker, session, redemption):
    stuck = FakePrinter(mode="hang", hang_seconds=3.0)
    job = queue_for(session, redemption, stuck.port)
    started = time.monotonic()
    assert worker.print_next()
    waited = time.monotonic() - started
    assert waited < 12  # the worker waited for the answer a bounded time
    stuck.close()  # the printer woke up, read what it was given and answered
    assert reload(session, job).status is JobStatus.done
    assert len(stuck.copies) == 1 and redemption.number in read(stuck.copies[0]).text()
    assert not worker.print_next()  # and it is not sent again
