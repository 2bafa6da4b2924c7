"""Employee-facing pages: the counter kiosk (scan, points, claims, the store), the phone pages behind the QR
posters, and the public notice board."""

from . import counter, shop, staff  # noqa: F401  (their views register on the kiosk blueprint)
from .board import bp as board_bp
from .spot import bp as spot_bp
from .station import bp as station_bp
from .visit import bp as counter_bp

__all__ = ["board_bp", "counter_bp", "spot_bp", "station_bp"]
