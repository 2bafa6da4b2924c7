"""The storekeeper's counter in the back office: find a slip (scan its QR or type its number), hand the
goods over, cancel with a reason, reprint; print jobs that need a person; the kiosks and their pairing."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import ReasonForm, form_error
from models import hazards, kiosks, printing, store
from models.base import get_or_404
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.settings import get_setting
from printer.slips import slip_preview

from . import READERS, bp, role_required

KEEPERS = (Role.storekeeper,)


@bp.get("/redemptions")
@role_required(*READERS)
def redemptions() -> str:
    query = select(store.Redemption).order_by(store.Redemption.id.desc()).limit(30)
    if request.args.get("waiting"):  # the slips waiting to be handed out (the storekeeper's dashboard links here)
        query = query.where(store.Redemption.status == store.RedemptionStatus.confirmed)
    recent = db.session.scalars(query)
    return render_template(
        "admin/redemptions.html",
        recent=list(recent),
        troubled=printing.troubled(db.session),
        can_keep=current_user.has_role(*KEEPERS),
    )


@bp.get("/redemptions/find")
@role_required(*READERS)
def redemption_find() -> Response:
    """The scanner types the slip's QR (its number) and Enter into the search field."""
    found = store.find_redemption(db.session, request.args.get("number", "")[:40])
    return redirect(url_for("admin.redemption_detail", number=found.number), 303)


@bp.get("/redemptions/<number>")
@role_required(*READERS)
def redemption_detail(number: str) -> str:
    redemption = store.find_redemption(db.session, number)
    return render_template(
        "admin/redemption.html",
        redemption=redemption,
        jobs=printing.jobs_of(db.session, redemption.id),
        can_keep=current_user.has_role(*KEEPERS),
    )


@bp.get("/redemptions/<number>/slip.png")
@role_required(*READERS)
def redemption_slip(number: str) -> Response:
    redemption = store.find_redemption(db.session, number)
    response = make_response(slip_preview(db.session, redemption, current_app.config["STORE_NAME"]))
    response.headers["Content-Type"] = "image/png"
    return response


@bp.post("/redemptions/<number>/<any('hand-out', cancel, return, reprint):step>")
@role_required(*KEEPERS)
def redemption_step(number: str, step: str) -> Response:
    redemption = store.find_redemption(db.session, number, lock=True)
    if step == "hand-out":
        store.hand_out(db.session, redemption, actor=current_user.actor)
    elif step in ("cancel", "return"):
        form = ReasonForm()
        if not form.validate():
            raise form_error(form)
        returned = step == "return"
        if returned and request.form.get("on_counter") != "1":
            raise InvalidInput(_l("A return takes the goods back: tick that they are here on the counter."))
        # A claim code's redemption names nobody: its points go back onto the code, which its bearer types.
        refund = (
            None
            if redemption.employee_id
            else hazards.refund_to_voucher(
                db.session, request.form.get("code", ""), redemption.request_key, redemption.bearer_check
            )
        )
        store.cancel(
            db.session, redemption, form.reason.data, actor=current_user.actor, refund=refund, returned=returned
        )
    else:
        printing.reprint(db.session, redemption, actor=current_user.actor)
    return redirect(url_for("admin.redemption_detail", number=redemption.number), 303)


@bp.get("/kiosks")
@role_required(Role.admin)
def kiosk_list() -> str:
    return render_template(
        "admin/kiosks.html",
        kiosks=list(db.session.scalars(select(kiosks.Kiosk).order_by(kiosks.Kiosk.name))),
        code=None,
    )


@bp.post("/kiosks")
@role_required(Role.admin)
def kiosk_create() -> str:
    name = request.form.get("name", "")
    uri = request.form.get("printer_uri", "").strip()
    if uri:
        from printer.backends import PrinterConfigError, backend_for

        try:
            backend_for(uri, Path(current_app.instance_path))
        except PrinterConfigError as err:
            raise InvalidInput(_l("Printer: %(error)s"), error=str(err)) from None
    kiosk, code = kiosks.create_kiosk(db.session, name, printer_uri=uri or None)
    return _with_code(kiosk, code)


@bp.post("/kiosks/<int:kiosk_id>/code")
@role_required(Role.admin)
def kiosk_code(kiosk_id: int) -> str:
    kiosk = get_or_404(db.session, kiosks.Kiosk, kiosk_id)
    code = kiosks.new_pairing_code(db.session, kiosk)
    return _with_code(kiosk, code)


@bp.get("/kiosks/<int:kiosk_id>/printer")
@role_required(Role.admin, Role.storekeeper)
def kiosk_printer(kiosk_id: int) -> str:
    """The kiosk's printer as it answers now (online, offline, paper out; unknown where the transport cannot
    tell), with its last print job: an htmx fragment each kiosk row asks for."""
    from printer.backends import PrinterError, backend_for

    kiosk = get_or_404(db.session, kiosks.Kiosk, kiosk_id)
    uri = kiosk.printer_uri or get_setting(db.session, "printer_uri")
    try:
        status = backend_for(uri, Path(current_app.instance_path)).status()
    except PrinterError as err:
        status = f"error: {err}"
    return render_template(
        "admin/_printer_status.html", status=status, last=printing.last_job_at(db.session, kiosk.name)
    )


def _with_code(kiosk: kiosks.Kiosk, code: str) -> str:
    """The kiosk list with the new pairing code shown once (it is stored only as a hash)."""
    listing = list(db.session.scalars(select(kiosks.Kiosk).order_by(kiosks.Kiosk.name)))
    return render_template("admin/kiosks.html", kiosks=listing, code=code, coded=kiosk)
