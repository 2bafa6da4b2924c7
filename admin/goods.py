"""Goods and stock in the back office: the catalogue with pictures and prices, restocking and adjustments,
the stock-take with its count sheet, and shelf labels. Storekeepers change; every staff role reads.

Every change of stock is a movement with who and why (models/store.py); the audit log keeps the rest.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_from_directory, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import l10n
from app.extensions import db
from app.forms import clip, row_id, uploaded_photos, whole
from models import clock, store
from models.base import get_or_404
from models.errors import Conflict, DomainError, InvalidInput, NotFound
from models.i18n import lazy_gettext as _l
from models.people import Role
from printer.sheets import CountRow, Label, count_sheet_pdf, shelf_labels_pdf

from . import READERS, bp, pdf_response, role_required

KEEPERS = (Role.storekeeper,)
MAX_LABELS = 1000


def _listed() -> list[store.ShelfRow]:
    """The catalogue as filtered by the query string, priced and tiered."""
    query = select(store.Goods).order_by(store.Goods.active.desc(), store.Goods.category, store.Goods.value_fen)
    if (category := request.args.get("category")) in store.GoodsCategory.__members__:
        query = query.where(store.Goods.category == category)
    if text := request.args.get("q", "").strip()[:100]:
        query = query.where(store.Goods.name.contains(text, autoescape=True))
    if request.args.get("low"):
        query = query.where(*store.LOW_STOCK)
    return store.shelf(db.session, query, request.args.get("tier"))


@bp.get("/goods")
@role_required(*READERS)
def goods_list() -> str:
    return render_template(
        "admin/goods.html",
        rows=_listed(),
        categories=list(store.GoodsCategory),
        tiers=list(store.Tier),
        can_edit=current_user.has_role(*KEEPERS),
    )


@bp.get("/goods/<int:goods_id>/picture")
@role_required(*READERS)
def goods_picture(goods_id: int) -> Response:
    goods = get_or_404(db.session, store.Goods, goods_id, _l("No such goods."))
    if not goods.picture:
        raise NotFound(_l("This picture is not here."))
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "goods"
    return send_from_directory(folder, goods.picture, mimetype="image/jpeg", max_age=30 * 24 * 3600)


def _form_page(
    goods: store.Goods | None, *, error: str = "", status: int = 200, stock_typed: dict | None = None
) -> tuple[str, int]:
    pricing = store.Pricing.load(db.session)
    return render_template(
        "admin/goods_edit.html",
        goods=goods,
        form=request.form if error and stock_typed is None else None,
        stock_typed=stock_typed,
        error=error,
        categories=list(store.GoodsCategory),
        auto_price=pricing.price(goods) if goods is not None and goods.price_override is None else None,
        tier=pricing.tier(goods) if goods is not None else None,
        movements=store.movements_of(db.session, goods.id) if goods is not None else [],
        pricing=pricing,
        can_edit=current_user.has_role(*KEEPERS),
    ), status


@bp.get("/goods/new")
@role_required(*KEEPERS)
def goods_new() -> tuple[str, int]:
    return _form_page(None)


@bp.get("/goods/<int:goods_id>")
@role_required(*READERS)
def goods_edit(goods_id: int) -> tuple[str, int]:
    return _form_page(get_or_404(db.session, store.Goods, goods_id, _l("No such goods.")))


def _save(goods: store.Goods | None) -> Response | tuple[str, int]:
    """Save the posted form; a refusal shows the form again with what was typed and the reason."""
    form = request.form
    pictures = uploaded_photos("picture", limit=1)
    try:
        price = form.get("price", "").strip()
        saved = store.save_goods(
            db.session,
            goods,
            name=form.get("name", "")[:200],
            category=form.get("category", ""),
            value_fen=store.parse_yuan(form.get("value", "")),
            price_override=whole(price, _l("A points price is a whole number above zero.")) if price else None,
            low_stock=whole(form.get("low_stock", "5"), _l("The low-stock mark is a whole number from 0.")),
            active=bool(form.get("active")),
            barcode=form.get("barcode", "")[:40],
        )
        if pictures:
            store.set_goods_picture(db.session, saved, Path(current_app.config["UPLOAD_FOLDER"]) / "goods", pictures[0])
    except DomainError as err:
        return _form_page(goods, error=err.message, status=err.status_code)
    if not store.within_advice(saved):
        flash(_l("Saved. Note: the scheme advises goods worth 5 to 500 yuan."), "info")
    else:
        flash(_l("Saved: %(name)s.", name=saved.name), "info")
    return redirect(url_for("admin.goods_edit", goods_id=saved.id), 303)


@bp.post("/goods")
@role_required(*KEEPERS)
def goods_create() -> Response | tuple[str, int]:
    return _save(None)


@bp.post("/goods/<int:goods_id>")
@role_required(*KEEPERS)
def goods_update(goods_id: int) -> Response | tuple[str, int]:
    return _save(get_or_404(db.session, store.Goods, goods_id, _l("No such goods.")))


@bp.post("/goods/<int:goods_id>/stock")
@role_required(*KEEPERS)
def goods_stock(goods_id: int) -> Response | tuple[str, int]:
    """Restock (a positive quantity, with a note such as the delivery) or adjust (+/-, with a reason). A refusal
    shows the page again with what was typed in its form and the reason."""
    goods = get_or_404(db.session, store.Goods, goods_id, _l("No such goods."))
    kind = request.form.get("kind", "")[:16]
    typed = {
        "kind": kind,
        "quantity": clip(request.form.get("quantity")),
        "note": request.form.get("note", "")[:200],
        "cost": clip(request.form.get("cost")),
    }
    try:
        quantity = whole(typed["quantity"], _l("A stock change is a whole number other than zero."))
        if kind not in store.BY_HAND:
            raise InvalidInput(_l("Choose restock or adjust."))
        restock = kind == store.MovementReason.restock
        cost = store.parse_cost(typed["cost"]) if restock and typed["cost"].strip() else None
        actor, note = current_user.actor, typed["note"]
        store.move_stock(db.session, goods.id, quantity, reason=kind, actor=actor, note=note, unit_cost_fen=cost)
    except DomainError as err:
        db.abandon()
        return _form_page(goods, error=err.message, status=err.status_code, stock_typed=typed)
    flash(_l("%(name)s: stock is now %(stock)s.", name=goods.name, stock=goods.stock), "info")
    return redirect(url_for("admin.goods_edit", goods_id=goods.id), 303)


# --------------------------------------------------------------------------- a delivery (入库单)

DRAFT = "delivery_draft"


def _draft() -> dict[int, int]:
    return {int(k): int(v) for k, v in session.get(DRAFT, {}).items()}


def _keep(draft: dict[int, int]) -> None:
    session[DRAFT] = {str(k): v for k, v in draft.items()}


COSTS = "delivery_costs"  # each line's purchase cost a piece, as typed (kept as typed: a typo stays in view)


def _cost_texts() -> dict[int, str]:
    return {int(k): clip(str(v)) for k, v in session.get(COSTS, {}).items()}


def _keep_costs(texts: dict[int, str], draft: dict[int, int]) -> None:
    session[COSTS] = {str(k): v for k, v in texts.items() if k in draft}


def _cost_of(goods: store.Goods, text: str | None) -> int | None:
    """A line's cost a piece in fen: as typed, or the goods' value when nothing was typed; None if not an amount."""
    if text is None or not text.strip():
        return goods.value_fen
    try:
        return store.parse_cost(text)
    except DomainError:
        return None


def _costs(draft: dict[int, int], texts: dict[int, str]) -> dict[int, int]:
    """Every line's cost, or a refusal that names the line whose cost is not an amount."""
    goods = store.goods_by_ids(db.session, draft)
    costs = {}
    for goods_id in draft:
        if goods_id in goods:
            cost = _cost_of(goods[goods_id], texts.get(goods_id))
            if cost is None:
                raise InvalidInput(
                    _l("%(name)s: a purchase cost is an amount of yuan up to 100000, like 25 or 12.50."),
                    name=goods[goods_id].name,
                )
            costs[goods_id] = cost
    return costs


DELIVERY_KEYS = (DRAFT, COSTS, "delivery_note", "delivery_key")


def _delivery_page(*, error: str = "", status: int = 200, typed: str = "", preview: bool = False) -> tuple[str, int]:
    draft, texts = _draft(), _cost_texts()
    goods = store.goods_by_ids(db.session, draft)
    lines = [
        (goods[i], q, texts.get(i, goods[i].value_yuan), _cost_of(goods[i], texts.get(i)))
        for i, q in draft.items()
        if i in goods
    ]
    # The form's key: the post that carries it is received once, whatever comes after it with the same key.
    key = session.setdefault("delivery_key", secrets.token_hex(16))
    return render_template(
        "admin/delivery.html",
        request_key=key,
        lines=lines,
        units=sum(q for _g, q, _t, _c in lines),
        total_fen=sum(q * (c or 0) for _g, q, _t, c in lines),
        note=request.form.get("note", session.get("delivery_note", ""))[:150],
        typed=typed,
        error=error,
        preview=preview and bool(lines) and not error,
    ), status


@bp.get("/goods/delivery")
@role_required(*KEEPERS)
def delivery() -> tuple[str, int]:
    """A delivery of many goods at once: each line found by scanning its barcode (or by its name), with its
    quantity, checked and posted in one go."""
    return _delivery_page()


@bp.post("/goods/delivery")
@role_required(*KEEPERS)
def delivery_post() -> Response | tuple[str, int]:
    form, draft, texts = request.form, _draft(), _cost_texts()
    action = form.get("action", "add")
    session["delivery_note"] = form.get("note", "")[:150]
    typed = form.get("code", "")[:100]
    texts.update({i: clip(form.get(f"c{i}")) for i in draft if f"c{i}" in form})  # as typed, kept as typed
    try:
        refused: DomainError | None = None
        for goods_id in list(draft):  # the quantities as they stand in the form: every good one is kept
            try:
                if f"q{goods_id}" in form:
                    draft[goods_id] = whole(form.get(f"q{goods_id}"), _l("A quantity is a whole number from 1."))
            except DomainError as err:
                refused = refused or err
            if form.get(f"x{goods_id}") or draft[goods_id] == 0:
                draft.pop(goods_id)
        if refused is not None:
            raise refused
        if action == "add" and typed.strip():
            found = store.find_goods(db.session, typed)
            draft[found.id] = draft.get(found.id, 0) + 1
            typed = ""
        _keep(draft)
        _keep_costs(texts, draft)
        if action == "clear":
            for key in (DRAFT, COSTS, "delivery_note"):
                session.pop(key, None)
        elif action == "post":
            try:
                moved = store.receive_delivery(
                    db.session,
                    draft,
                    note=form.get("note", ""),
                    actor=current_user.actor,
                    request_key=form.get("request_key", "")[:32],
                    costs=_costs(draft, texts),
                )
            except Conflict as posted:  # a double tap or a replayed page: the first post stands, once
                for key in DELIVERY_KEYS:
                    session.pop(key, None)
                flash(posted.message, "info")
                return redirect(url_for("admin.goods_list"), 303)
            for key in DELIVERY_KEYS:
                session.pop(key, None)
            flash(
                _l("Delivery posted: %(lines)s goods, %(units)s pieces.", lines=len(moved), units=sum(draft.values())),
                "info",
            )
            return redirect(url_for("admin.goods_list"), 303)
        elif action == "check":
            store.check_delivery(draft, form.get("note", ""), _costs(draft, texts))
            return _delivery_page(preview=True)
    except DomainError as err:
        _keep(draft)
        _keep_costs(texts, draft)
        return _delivery_page(error=err.message, status=err.status_code, typed=typed)
    return redirect(url_for("admin.delivery"), 303)


def _active_goods() -> list[store.Goods]:
    return list(
        db.session.scalars(
            select(store.Goods).where(store.Goods.active.is_(True)).order_by(store.Goods.category, store.Goods.name)
        )
    )


@bp.get("/goods/stocktake")
@role_required(*READERS)
def stocktake() -> str:
    return _stocktake_page()[0]


def _stocktake_page(
    *, typed: dict[str, str] | None = None, preview: list | None = None, error: str = "", status: int = 200
) -> tuple[str, int]:
    return render_template(
        "admin/stocktake.html",
        goods=_active_goods(),
        can_edit=current_user.has_role(*KEEPERS),
        typed=typed or {},
        preview=preview,
        error=error,
    ), status


@bp.post("/goods/stocktake")
@role_required(*KEEPERS)
def stocktake_post() -> Response | tuple[str, int]:
    """The counts entered (blank lines are not counted) are first shown as the differences they make; posted
    (confirm=1), the differences become movements. A refusal keeps what was entered."""
    typed = {k: clip(v) for k, v in request.form.items() if k.startswith("count-")}
    typed["note"] = request.form.get("note", "")[:150]
    try:
        counts = {}
        for key, value in typed.items():
            if key.startswith("count-") and value.strip():
                goods_id = whole(key.removeprefix("count-"), _l("No such goods."))
                counts[goods_id] = whole(value, _l("A count is a whole number from 0."))
        if request.form.get("confirm") != "1":
            return _stocktake_page(typed=typed, preview=store.stock_take_preview(db.session, counts))
        movements = store.stock_take(db.session, counts, actor=current_user.actor, note=typed["note"])
    except DomainError as err:
        db.abandon()
        return _stocktake_page(typed=typed, error=err.message, status=err.status_code)
    message = _l(
        "Stock-take posted: %(counted)s goods counted, %(changed)s differences.",
        counted=len(counts),
        changed=len(movements),
    )
    flash(message, "info")
    return redirect(url_for("admin.goods_list"), 303)


@bp.get("/goods/count-sheet.pdf")
@role_required(*READERS)
def count_sheet() -> Response:
    rows = [
        CountRow(n, goods.name, goods.category.label, goods.stock) for n, goods in enumerate(_active_goods(), start=1)
    ]
    return pdf_response(
        count_sheet_pdf(rows, store=current_app.config["STORE_NAME"], when=l10n.day(clock.today())),
        "count-sheet.pdf",
    )


@bp.get("/goods/labels.pdf")
@role_required(*READERS)
def shelf_labels() -> Response:
    """Shelf labels for the goods ticked (``ids``), or for every active item when none is ticked."""
    try:
        ids = {row_id(i) for i in request.args.getlist("ids")}
    except ValueError:
        raise InvalidInput(_l("Tick the goods to print.")) from None
    if len(ids) > MAX_LABELS:
        raise InvalidInput(_l("At most %(n)s labels at once."), n=MAX_LABELS)
    goods = [g for g in _active_goods() if not ids or g.id in ids]
    if not goods:
        raise InvalidInput(_l("Tick the goods to print."))
    pricing = store.Pricing.load(db.session)
    labels = [Label(g.name, pricing.price(g), pricing.tier(g).value, g.category.label, g.barcode or "") for g in goods]
    return pdf_response(shelf_labels_pdf(labels), "shelf-labels.pdf")
