"""Employee-facing pages: the counter kiosk and the public notice board."""

from .board import bp as board_bp
from .counter import bp as counter_bp

__all__ = ["board_bp", "counter_bp"]
