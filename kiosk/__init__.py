"""Employee-facing pages: the counter kiosk (scan, points, claims, the store) and the public notice board."""

from . import shop  # noqa: F401  (the store's views register themselves on the kiosk blueprint)
from .board import bp as board_bp
from .counter import bp as counter_bp

__all__ = ["board_bp", "counter_bp"]
