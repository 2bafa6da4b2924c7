"""The print queue and worker: a failed print loses nothing, is retried, and is never printed twice."""

from __future__ import annotations

import datetime as dt

import pytest

from models import printing, store
from models.clock import utcnow
from models.printing import JobStatus, PrintJob
from printer.backends import FileBackend, PrinterConfigError, backend_for
from tests.printer.escpos_reader import read


def queue(session, redemption, uri="dummy://", **kw):
    job = printing.enqueue(session, redemption, printer_uri=uri, columns=32, encoding="gb18030", actor="kiosk:1", **kw)
    session.commit()
    return job


def status_of(session, job):
    session.expire_all()
    return session.get(PrintJob, job.id)


def test_a_queued_slip_is_printed_once(worker, dummy, session, redemption):
    job = queue(session, redemption)
    assert worker.work(once=True) == 1
    assert status_of(session, job).status is JobStatus.done
    assert len(dummy.sent) == 1
    text = read(dummy.sent[0][1]).text()
    assert redemption.number in text and "刘德华（E01234）" in text and "洗衣液" in text and "200 积分" in text
    assert worker.work(once=True) == 0 and len(dummy.sent) == 1  # done is done


def test_a_failing_printer_is_retried_with_waits_and_prints_once(worker, dummy, session, redemption):
    dummy.fail = 2
    job = queue(session, redemption)
    assert worker.print_next()
    first = status_of(session, job)
    assert (first.status, first.attempts) == (JobStatus.queued, 1)
    assert first.next_attempt_at > utcnow() and "offline" in first.last_error
    assert not worker.print_next()  # not due yet: the worker waits
    for _ in range(2):  # time passes
        status_of(session, job).next_attempt_at = utcnow() - dt.timedelta(seconds=1)
        session.commit()
        assert worker.print_next()
    done = status_of(session, job)
    assert (done.status, done.attempts, done.last_error) == (JobStatus.done, 3, None)
    assert len(dummy.sent) == 1


def test_after_the_last_try_the_job_fails_and_is_listed(worker, dummy, session, redemption):
    dummy.fail = 100
    job = queue(session, redemption)
    for _ in range(printing.MAX_ATTEMPTS):
        status_of(session, job).next_attempt_at = utcnow() - dt.timedelta(seconds=1)
        session.commit()
        worker.print_next()
    failed = status_of(session, job)
    assert (failed.status, failed.attempts) == (JobStatus.failed, printing.MAX_ATTEMPTS)
    assert printing.troubled(session) == [failed]
    assert dummy.sent == []
    assert session.get(store.Redemption, redemption.id).status is store.RedemptionStatus.confirmed  # it stands
    dummy.fail = 0
    printing.reprint(session, redemption, actor="staff:store")
    session.commit()
    assert worker.work(once=True) == 1
    assert printing.troubled(session) == []  # printed since: nothing left to see to


def test_a_slip_that_cannot_be_laid_out_fails_instead_of_hanging(worker, dummy, session, redemption):
    job = queue(session, redemption)
    status_of(session, job).columns = 40  # no such paper
    session.commit()
    assert worker.print_next()
    failed = status_of(session, job)
    assert (failed.status, failed.attempts) == (JobStatus.queued, 1) and "lay the slip out" in failed.last_error
    assert dummy.sent == []


def test_a_job_left_printing_by_a_dead_worker_is_not_printed_again_by_itself(worker, dummy, session, redemption):
    """Within its lease it stays "printing"; a reprint on purpose prints a copy marked 补打 (after the lease:
    tests/printer/test_faults.py)."""
    job = queue(session, redemption)
    assert printing.claim_next(session) is not None  # a worker took it ... and died before finishing
    session.commit()
    assert worker.work(once=True) == 0 and dummy.sent == []
    again = printing.reprint(session, redemption, actor="staff:store")
    session.commit()
    assert worker.work(once=True) == 1
    assert len(dummy.sent) == 1 and "补打" in read(dummy.sent[0][1]).text()
    assert status_of(session, again).reprint and status_of(session, job).status is JobStatus.printing


def test_the_file_printer_keeps_bytes_and_a_preview(worker, dummy, session, redemption, tmp_path):
    queue(session, redemption, uri=f"file://{tmp_path / 'receipts'}")
    assert worker.work(once=True) == 1
    files = sorted(p.suffix for p in (tmp_path / "receipts").iterdir())
    assert files == [".bin", ".png"]
    data = next((tmp_path / "receipts").glob("*.bin")).read_bytes()
    assert redemption.number in read(data).text()


def test_printer_uris(tmp_path):
    assert isinstance(backend_for("file://receipts", tmp_path), FileBackend)
    assert backend_for("file://receipts", tmp_path).folder == tmp_path / "receipts"
    assert backend_for("tcp://127.0.0.1:9100", tmp_path).uri == "tcp://127.0.0.1:9100"
    for bad in ("lpt://1", "tcp://", "usb://zz:yy", "serial://", "cups://", "nonsense"):
        with pytest.raises(PrinterConfigError):
            backend_for(bad, tmp_path)


def test_a_network_printer_that_is_not_there_fails_cleanly(tmp_path):
    from printer.backends import PrinterUnavailable

    backend = backend_for("tcp://127.0.0.1:9", tmp_path)  # the discard port: nothing listens on loopback
    with pytest.raises(PrinterUnavailable):
        backend.send("x", b"\x1b@")
    assert backend.status() == "offline"


def test_a_network_printer_receives_the_slip_bytes(tmp_path):
    import socket
    import threading

    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(5)

        def accept():
            conn, _ = server.accept()
            with conn:
                while chunk := conn.recv(4096):
                    received.extend(chunk)

        listener = threading.Thread(target=accept)
        listener.start()
        port = server.getsockname()[1]
        backend = backend_for(f"tcp://127.0.0.1:{port}", tmp_path)
        backend.confirm = 0.5
        confirmed = backend.send("slip", "兑换单，¥5。".encode("gb18030"))
        listener.join(5)
    assert received.decode("gb18030").removesuffix("\x1dr\x01") == "兑换单，¥5。"  # then the status request
    assert confirmed is False  # this one never answers it: sent, not confirmed


def test_a_transport_that_cannot_confirm_leaves_the_slip_sent_not_confirmed(worker, dummy, session, redemption):
    dummy.confirms = False
    job = queue(session, redemption)
    assert worker.work(once=True) == 1 and len(dummy.sent) == 1
    assert status_of(session, job).status is JobStatus.unconfirmed
    assert status_of(session, job) in printing.troubled(session)
    assert worker.work(once=True) == 0 and len(dummy.sent) == 1  # never a second copy by itself
