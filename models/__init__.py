"""The domain: tables and the operations that change them.

Importing this package registers every table on ``Base.metadata`` (Alembic and the tests rely on it).
"""

from . import (
    audit,
    claims,
    hazards,
    kiosks,
    ledger,
    organisation,
    people,
    photos,
    places,
    printing,
    roster,
    rules,
    settings,
    store,
    tries,
    workdays,
)
from .base import Base

__all__ = [
    "Base",
    "audit",
    "claims",
    "hazards",
    "kiosks",
    "ledger",
    "organisation",
    "people",
    "photos",
    "places",
    "printing",
    "roster",
    "rules",
    "settings",
    "store",
    "tries",
    "workdays",
]
