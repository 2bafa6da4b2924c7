"""The store at the kiosk: goods by tier and category, the cart, confirmation, and the slip.

The cart lives in the kiosk's session (it goes when the employee's session ends). Confirming sends a
request key made when the confirmation page was drawn, so a double tap or a retried request makes one
redemption (models/store.py). The slip is queued for the printer in the redemption's own transaction.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import (
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from htmx_flask import make_response as htmx_response
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import whole
from models import hazards, people, printing, store
from models.errors import NotFound
from models.i18n import lazy_gettext as _l
from models.settings import get_setting
from printer.slips import slip_preview

from .visit import CART_CHANGED, bp, cart_context, cart_total, holder_view, kiosk_cart, save_cart, store_closed


def offer(employee: store.Holder, tier: str | None, category: str | None) -> list[dict]:
    """The goods on the shelf, with what this employee may do with each (with what the cart holds already)."""
    left = employee.balance - cart_total()
    query = select(store.Goods).where(store.Goods.active.is_(True)).order_by(store.Goods.value_fen, store.Goods.name)
    if category in store.GoodsCategory.__members__:
        query = query.where(store.Goods.category == category)
    return [
        {
            "goods": row.goods,
            "tier": row.tier,
            "price": row.price,
            "affordable": row.price <= left,
            "in_stock": row.goods.stock > 0,
        }
        for row in store.shelf(db.session, query, tier)
    ]


@bp.get("/goods")
@holder_view
def goods(employee: store.Holder) -> str:
    """The goods grid, filtered (an htmx fragment; /kiosk/me includes the same one)."""
    return render_template(
        "kiosk/_goods.html",
        offer=offer(employee, request.args.get("tier"), request.args.get("category")),
        tier=request.args.get("tier"),
        category=request.args.get("category"),
        closed=store_closed(),
    )


@bp.get("/goods/<int:goods_id>/picture")
def goods_picture(goods_id: int) -> Response:
    """A goods picture for the shelf; its file is named by its content, so browsers may keep it long."""
    goods = db.session.get(store.Goods, goods_id)
    if goods is None or not goods.picture:
        raise NotFound(_l("This picture is not here."))
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "goods"
    return send_from_directory(folder, goods.picture, mimetype="image/jpeg", max_age=30 * 24 * 3600)


@bp.post("/cart")
@holder_view
def cart_set(employee: store.Holder) -> Response:
    """Add one of ``goods_id`` (``delta=1``), take one away (``delta=-1``) or drop the line (``delta=0``). The
    cart answers, and tells the shelf (HX-Trigger: cart-changed) to draw its "not enough points" marks again."""
    goods_id = whole(request.form.get("goods_id"), _l("The cart is not valid."))
    delta = whole(request.form.get("delta", "1"), _l("The cart is not valid."))
    priced = store.change_cart(db.session, employee, kiosk_cart(), goods_id, delta)
    save_cart(priced)
    cart = render_template("kiosk/_cart.html", employee=employee, **cart_context(employee, priced))
    return htmx_response(cart, trigger=CART_CHANGED)


@bp.get("/confirm")
@holder_view
def confirm(employee: store.Holder) -> Response | str:
    view = cart_context(employee)
    if not view["lines"]:
        return redirect(url_for("kiosk.me"), 303)
    # A fresh key each time the page is drawn: a second tap on the same page is the same request.
    return render_template(
        "kiosk/confirm.html",
        employee=employee,
        request_key=secrets.token_urlsafe(24),
        pin_threshold=get_setting(db.session, "pin_threshold"),
        pin_self_set=people.pins_chosen_at_kiosk(db.session),
        **view,
    )


@bp.post("/confirm")
@holder_view(lock=True)
def confirm_post(employee: store.Holder) -> str:
    """Redeem the cart and show the slip (the page says where it is, so a reload shows the slip again)."""
    request_key = request.form.get("request_key", "")[:64]
    cart = kiosk_cart()
    # A second tap can arrive after the first has emptied the cart: it gets the first one's slip.
    earlier = store.by_request_key(db.session, employee, request_key) if not cart else None
    if earlier is not None and _mine(employee, earlier):
        return _slip_page(employee, earlier)
    cart = store.parse_cart({str(k): v for k, v in cart.items()})
    kiosk = g.kiosk
    if isinstance(employee, hazards.Bearer):  # an anonymous reward's claim code pays: no card, no name
        bearer = employee
        result = store.redeem_bearer(
            db.session,
            cart,
            kiosk=kiosk.name,
            request_key=request_key,
            spend=lambda total: hazards.spend_voucher(db.session, bearer, total),
            check=hazards.redemption_check(request_key, bearer.code_mac),
        )
    else:
        assert isinstance(employee, people.Employee)
        result = store.redeem(
            db.session, employee, cart, kiosk=kiosk.name, request_key=request_key, pin=request.form.get("pin") or None
        )
    redemption = result.redemption
    job = None if result.replayed else printing.queue_slip(db.session, redemption, kiosk=kiosk, actor=kiosk.actor)
    session.pop("kiosk_cart", None)
    session.pop("kiosk_cart_total", None)
    if isinstance(employee, hazards.Bearer):
        session["kiosk_bearer_slips"] = [*session.get("kiosk_bearer_slips", []), redemption.id][-10:]
    return _slip_page(employee, redemption, job)


def _mine(holder: store.Holder, redemption: store.Redemption) -> bool:
    """An employee's own redemption; for a claim code's bearer, one made in this visit (nothing else ties a
    bearer to the redemptions their code paid for)."""
    if isinstance(holder, hazards.Bearer):
        return redemption.id in session.get("kiosk_bearer_slips", [])
    return redemption.employee_id == holder.id


def _own_redemption(employee: store.Holder, number: str) -> store.Redemption:
    """One of this holder's redemptions; another's is as good as unknown here. A claim code's bearer sees the
    one just made only (its number is on the slip page they were sent to): nothing ties them to the others."""
    redemption = store.find_redemption(db.session, number)
    if not _mine(employee, redemption):
        raise NotFound(_l("No redemption with number %(number)s."), number=number[:20])
    return redemption


@bp.get("/slips/<number>")
@holder_view
def slip(employee: store.Holder, number: str) -> str:
    return _slip_page(employee, _own_redemption(employee, number))


def _slip_page(employee: store.Holder, redemption: store.Redemption, job: printing.PrintJob | None = None) -> str:
    """The slip page; ``job`` is the print job just queued, else the redemption's last one is shown."""
    if job is None:
        jobs = printing.jobs_of(db.session, redemption.id)
        job = jobs[-1] if jobs else None
    return render_template(
        "kiosk/slip.html",
        employee=employee,
        redemption=redemption,
        job=job,
        page_url=url_for("kiosk.slip", number=redemption.number),
    )


@bp.get("/slips/<number>.png")
@holder_view
def slip_png(employee: store.Holder, number: str) -> Response:
    redemption = _own_redemption(employee, number)
    png = slip_preview(db.session, redemption, current_app.config["STORE_NAME"])
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "private, max-age=600"
    return response
