"""A redemption's slip: what is printed, and its picture (the kiosk's slip page, the back office, the file
printer's previews)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import clock, printing
from models.store import Redemption

from . import receipt


def slip_for(redemption: Redemption, store_name: str, *, reprint: bool = False) -> receipt.Slip:
    """The slip of a redemption, as printed (and previewed at the kiosk and in the back office)."""
    employee = redemption.employee  # None: paid with an anonymous reward's claim code (nobody is named)
    return receipt.Slip(
        store_name=store_name,
        kiosk_name=redemption.kiosk,
        printed_at=clock.to_local(redemption.created_at),
        employee_name=employee.name if employee is not None else "匿名奖励码",
        employee_number=employee.number if employee is not None else "—",
        lines=tuple(receipt.SlipLine(line.name, line.quantity, line.points) for line in redemption.lines),
        total=redemption.points,
        balance_after=redemption.balance_after if employee is not None else None,
        number=redemption.number or "",
        reprint=reprint,
    )


def slip_preview(session: Session, redemption: Redemption, store_name: str) -> bytes:
    """A picture of a redemption's slip, on the paper its last print job used (else the paper setting)."""
    return receipt.preview_png(slip_for(redemption, store_name), printing.slip_columns(session, redemption))
