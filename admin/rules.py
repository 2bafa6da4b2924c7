"""The rule catalogue: list, add, edit, retire and restore rules. History is never touched."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.extensions import db
from models import rules
from models.base import get_or_404
from models.i18n import lazy_gettext as _l
from models.people import Role

from . import READERS, bp, role_required

EDITORS = (Role.safety_officer,)


class TickBox(BooleanField):
    """A checkbox that is ticked only by what a browser sends for a ticked box ("y", or "1"/"on"/"true")."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = bool(valuelist) and valuelist[0] in ("y", "1", "on", "true")


class RuleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice("earn", _l("Earns points")), SelectChoice("deduct", _l("Deducts points"))]
    )
    # The labels are translated per request, so the choices are filled in by _form().
    category = SelectField(_l("Category"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = StringField(_l("Description"), validators=[Length(max=500)])
    min_points = IntegerField(_l("Fewest points"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    max_points = IntegerField(_l("Most points"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    reports_hazard = TickBox(_l("Finding a hazard: its claims go through the hazard ledger, rewarded once"))


def _form(obj: rules.Rule | None = None) -> RuleForm:
    form = RuleForm(obj=obj)
    form.category.choices = [SelectChoice(c.value, c.label) for c in rules.RuleCategory]
    return form


@bp.get("/rules")
@role_required(*READERS)
def rules_index() -> str:
    catalogue = db.session.scalars(select(rules.Rule).order_by(rules.Rule.retired_at.is_not(None), rules.Rule.code))
    return render_template("admin/rules.html", rules=list(catalogue))


@bp.get("/rules/new")
@role_required(*EDITORS)
def rule_new() -> str:
    return render_template("admin/rule_edit.html", form=_form(), rule=None)


@bp.get("/rules/<int:rule_id>/edit")
@role_required(*EDITORS)
def rule_edit(rule_id: int) -> str:
    rule = get_or_404(db.session, rules.Rule, rule_id, _l("No such rule."))
    form = _form(obj=rule)
    return render_template("admin/rule_edit.html", form=form, rule=rule)


@bp.post("/rules/new", defaults={"rule_id": None})
@bp.post("/rules/<int:rule_id>/edit")
@role_required(*EDITORS)
def rule_save(rule_id: int | None) -> Response | tuple[str, int]:
    rule = get_or_404(db.session, rules.Rule, rule_id, _l("No such rule.")) if rule_id is not None else None
    form = _form()
    if not form.validate_on_submit():
        return render_template("admin/rule_edit.html", form=form, rule=rule), 400
    rules.save_rule(
        db.session,
        rule,
        code=form.code.data,
        kind=form.kind.data,
        category=form.category.data,
        name=form.name.data,
        description=form.description.data or "",
        min_points=form.min_points.data,
        max_points=form.max_points.data,
        reports_hazard=form.reports_hazard.data,
    )
    return redirect(url_for("admin.rules_index"), 303)


@bp.post("/rules/<int:rule_id>/<any(retire, restore):step>")
@role_required(*EDITORS)
def rule_retire(rule_id: int, step: str) -> Response:
    rule = get_or_404(db.session, rules.Rule, rule_id, _l("No such rule."))
    (rules.retire_rule if step == "retire" else rules.restore_rule)(db.session, rule)
    return redirect(url_for("admin.rules_index"), 303)
