"""Form pieces shared by the kiosk and the back office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from models.errors import InvalidInput


class ReasonForm(FlaskForm):
    """A reason, as a rejection, an objection or a false-claim finding needs."""

    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)])


def form_error(form: FlaskForm) -> InvalidInput:
    """The first validation error of ``form`` as a domain error: shown with a 400, nothing changed."""
    for field in form:
        if field.errors:
            return InvalidInput(_l("%(field)s: %(error)s"), field=field.label.text, error=field.errors[0])
    return InvalidInput()
