"""Messages in the reader's language whose variables may be text a user typed.

``lazy_gettext`` is used for every message the product defines (``_l``). Its variables are often names a
user typed (goods, employees, places, departments). Flask-Babel's own lazy string tells Jinja (and the
session a flash message is stored in) that it is markup already, so ``_l("Saved: %(name)s.", name=...)``
would put a typed ``<b hx-post=...>`` into the page as an element. Here the translated message is ours and
trusted, and each variable is escaped when the message becomes HTML; as plain text (``str``) it is unchanged.
"""

from __future__ import annotations

from flask_babel import LazyString, gettext
from markupsafe import Markup


class Message(LazyString):
    def __html__(self) -> Markup:
        template = Markup(gettext(self._args[0]))  # the product's own words, in the reader's language
        return template % self._kwargs if self._kwargs else template


def lazy_gettext(string: str, **variables: object) -> Message:
    return Message(gettext, string, **variables)
