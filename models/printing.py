"""The persistent print queue: a redemption commits first, then its slip waits here until it is printed.

A failed print loses nothing (DESIGN.md): a printer that could not be reached is tried again with growing
waits, and any slip can be printed again on request (the copy says 补打). A job is never printed twice by
accident: the worker marks it ``printing`` (with the time: its lease) and commits before it sends a byte; it
is marked printed only when the printer confirmed it, else "sent, not confirmed" for a person to look at.
A worker that dies mid-print leaves the job ``printing``; after its lease the next worker takes it back as
"sent, not confirmed", never printing it again by itself. (printer/ renders and sends; this is the record.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, exists, func, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship

from .base import Base, LabelledEnum
from .clock import utcnow
from .i18n import lazy_gettext as _l
from .kiosks import Kiosk
from .settings import get_setting
from .store import UNDONE, Redemption

PAPER_COLUMNS = {58: 32, 80: 48}  # paper width in mm -> columns of the printer's standard font

MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=2)  # a job "printing" longer than this was held by a worker that died
BACKOFF_SECONDS = (5, 15, 60, 180, 600)  # waits after the 1st, 2nd ... failure


class JobStatus(LabelledEnum):
    queued = "queued", _l("Waiting to print")
    printing = "printing", _l("Printing")
    done = "done", _l("Printed")
    unconfirmed = "unconfirmed", _l("Sent, not confirmed")
    failed = "failed", _l("Print failed")


class PrintJob(Base):
    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    redemption_id: Mapped[int] = mapped_column(ForeignKey("redemption.id"), index=True)
    printer_uri: Mapped[str] = mapped_column(String(200))
    columns: Mapped[int] = mapped_column(Integer, default=32)
    encoding: Mapped[str] = mapped_column(String(16), default="gb18030")
    status: Mapped[JobStatus] = mapped_column(Enum(JobStatus, native_enum=False, length=16), default=JobStatus.queued)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    printed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # when a worker took it (its lease)

    redemption: Mapped[Redemption] = relationship()


def enqueue(
    session: Session,
    redemption: Redemption,
    *,
    printer_uri: str,
    columns: int,
    encoding: str,
    actor: str,
    reprint: bool = False,
) -> PrintJob:
    job = PrintJob(
        redemption_id=redemption.id,
        printer_uri=printer_uri,
        columns=columns,
        encoding=encoding,
        requested_by=actor,
        reprint=reprint,
    )
    session.add(job)
    session.flush()
    return job


def claim_next(session: Session, now: dt.datetime | None = None) -> PrintJob | None:
    """Take the next job that is due, marking it ``printing``. The caller commits before printing."""
    now = now or utcnow()
    take_back_stale(session, now)
    query = (
        select(PrintJob)
        .where(PrintJob.status == JobStatus.queued, PrintJob.next_attempt_at <= now)
        .order_by(PrintJob.next_attempt_at, PrintJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # two workers never take the same job (PostgreSQL)
    )
    job = session.scalars(query).first()
    if job is not None:
        job.status, job.attempts, job.claimed_at = JobStatus.printing, job.attempts + 1, now
        session.flush()
    return job


STALE_NOTE = "the print worker stopped while sending this slip: see whether it came out, reprint if not"


def stale(now: dt.datetime | None = None) -> Any:
    """Jobs held "printing" past their lease (rows from before leases count from their due time)."""
    before = (now or utcnow()) - LEASE
    return (PrintJob.status == JobStatus.printing) & (
        func.coalesce(PrintJob.claimed_at, PrintJob.next_attempt_at) < before
    )


def take_back_stale(session: Session, now: dt.datetime | None = None) -> int:
    """A job a dead worker held: it may have printed, so it is never sent again by itself; it becomes "sent,
    not confirmed" with the reason, listed under slips that need a person."""
    found = list(session.scalars(select(PrintJob).where(stale(now)).with_for_update(skip_locked=True)))
    for job in found:
        job.status, job.last_error = JobStatus.unconfirmed, STALE_NOTE
    if found:
        session.flush()
    return len(found)


def unconfirmed(session: Session, job: PrintJob, note: str) -> None:
    """The slip went out and the printer did not confirm it (or failed after): a person looks; a copy is
    only printed on purpose (reprint, 补打)."""
    job.status, job.last_error = JobStatus.unconfirmed, note[:300]
    session.flush()


def finish(session: Session, job: PrintJob) -> None:
    job.status, job.printed_at, job.last_error = JobStatus.done, utcnow(), None
    session.flush()


def fail(session: Session, job: PrintJob, error: str, now: dt.datetime | None = None) -> None:
    """Put a job back for a later try, or give up after MAX_ATTEMPTS (it can still be reprinted)."""
    now = now or utcnow()
    job.last_error = error[:300]
    if job.attempts >= MAX_ATTEMPTS:
        job.status = JobStatus.failed
    else:
        job.status = JobStatus.queued
        job.next_attempt_at = now + dt.timedelta(seconds=BACKOFF_SECONDS[min(job.attempts, len(BACKOFF_SECONDS)) - 1])
    session.flush()


def queue_slip(session: Session, redemption: Redemption, *, kiosk: Kiosk, actor: str) -> PrintJob:
    """Queue a new redemption's slip on its kiosk's printer and paper (else the printer and paper settings).

    In the redemption's own transaction: no redemption is left without its slip, whatever fails after."""
    return enqueue(
        session,
        redemption,
        printer_uri=kiosk.printer_uri or get_setting(session, "printer_uri"),
        columns=PAPER_COLUMNS[int(kiosk.paper_mm or get_setting(session, "paper_mm"))],
        encoding=get_setting(session, "printer_encoding"),
        actor=actor,
    )


def reprint(session: Session, redemption: Redemption, *, actor: str) -> PrintJob:
    """Print a slip again (the first was lost, or the job failed): a new job marked as a reprint, on the
    printer and paper of the slip's last job (else the settings)."""
    jobs = jobs_of(session, redemption.id)
    for job in jobs:
        if job.status in (JobStatus.queued, JobStatus.failed, JobStatus.unconfirmed):
            job.status, job.last_error = JobStatus.failed, (job.last_error or "")[:250] + " (replaced by reprint)"
    last = jobs[-1] if jobs else None
    return enqueue(
        session,
        redemption,
        printer_uri=last.printer_uri if last else get_setting(session, "printer_uri"),
        columns=last.columns if last else setting_columns(session),
        encoding=get_setting(session, "printer_encoding"),
        actor=actor,
        reprint=True,
    )


def setting_columns(session: Session) -> int:
    """The columns of the paper the settings name."""
    return PAPER_COLUMNS[int(get_setting(session, "paper_mm"))]


def slip_columns(session: Session, redemption: Redemption) -> int:
    """The paper a redemption's slip is on: its last print job's, else the paper setting's (for its picture)."""
    jobs = jobs_of(session, redemption.id)
    return jobs[-1].columns if jobs else setting_columns(session)


def jobs_of(session: Session, redemption_id: int) -> list[PrintJob]:
    return list(session.scalars(select(PrintJob).where(PrintJob.redemption_id == redemption_id).order_by(PrintJob.id)))


def troubled(session: Session) -> list[PrintJob]:
    """Slips that need a person: a job failed or is retrying, and no job of the same redemption has printed
    since (a reprint that went through settles it); cancelled redemptions need no slip."""
    printed = aliased(PrintJob)
    return list(
        session.scalars(
            select(PrintJob)
            .join(Redemption, PrintJob.redemption_id == Redemption.id)
            .where(
                PrintJob.status.in_((JobStatus.failed, JobStatus.unconfirmed))
                | ((PrintJob.status == JobStatus.queued) & (PrintJob.attempts > 0))
                | stale(),
                Redemption.status.not_in(UNDONE),
                ~exists().where(printed.redemption_id == PrintJob.redemption_id, printed.status == JobStatus.done),
            )
            .order_by(PrintJob.id.desc())
        )
    )


def last_job_at(session: Session, kiosk_name: str) -> PrintJob | None:
    """The newest print job of the slips of one kiosk (how its printer did last)."""
    return session.scalar(
        select(PrintJob)
        .join(Redemption, PrintJob.redemption_id == Redemption.id)
        .where(Redemption.kiosk == kiosk_name)
        .order_by(PrintJob.id.desc())
        .limit(1)
    )
