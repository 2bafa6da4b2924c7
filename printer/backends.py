"""Printer backends, chosen by a URI (python-escpos does the talking; these only open, write and close).

file://receipts          the embedded default: each slip's bytes (.bin) and preview (.png) in a folder
                         (relative paths are under the instance folder)
tcp://192.0.2.10:9100    a network printer (raw port 9100)
usb://0x0416:0x5011      a USB printer by vendor:product id (needs pyusb)
serial:///dev/ttyUSB0    a serial printer (needs pyserial)
cups://QUEUE             a CUPS queue (needs pycups)
dummy://                 keeps the bytes in memory (tests, trying things out)
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit


class PrinterError(Exception):
    """Printing failed; the message says why, for the storekeeper."""


class PrinterConfigError(PrinterError):
    """The printer URI cannot be used."""


class PrinterUnavailable(PrinterError):
    """The printer could not be reached: nothing was sent, the job may be tried again by itself."""


class MaybePrinted(PrinterError):
    """Bytes went out and then something failed (a reset, paper out): the slip may be half or wholly on paper.
    Never sent again by itself: a person looks, and reprints on purpose (the copy says 补打)."""


# Sent after the slip: GS r 1, "transmit paper sensor status". Printers answer it in order, once everything
# before it has been processed, so its answer confirms the slip; bits 2-3 set say the roll ran out.
STATUS_REQUEST = b"\x1dr\x01"
PAPER_END = 0x0C
STATUS_FIXED_BITS = 0x90  # bits 4 and 7 of that answer are always 0


def _drain(conn: socket.socket) -> None:
    """Read away whatever a printer sent on its own before anything was asked."""
    before = conn.gettimeout()
    conn.settimeout(0.05)
    try:
        while conn.recv(256):
            pass
    except TimeoutError:
        pass
    finally:
        conn.settimeout(before)


@dataclass
class Backend:
    uri: str
    wants_preview: ClassVar[bool] = False  # only the file backend keeps a picture beside the bytes

    def send(self, name: str, data: bytes, preview: bytes | None = None) -> bool:
        """Send a slip: True when the printer confirmed it, False when it went out but the transport cannot
        say whether it printed ("sent, not confirmed"). PrinterUnavailable: nothing went out; MaybePrinted:
        it went out and then failed."""
        raise NotImplementedError

    def status(self) -> str:
        return "unknown"


@dataclass
class FileBackend(Backend):
    folder: Path = Path("receipts")
    wants_preview: ClassVar[bool] = True

    def send(self, name: str, data: bytes, preview: bytes | None = None) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{name}.bin").write_bytes(data)
            if preview is not None:
                (self.folder / f"{name}.png").write_bytes(preview)
        except OSError as err:
            raise PrinterUnavailable(f"cannot write to {self.folder}: {err.strerror}") from err
        return True  # the file is written: that is this printer's paper

    def status(self) -> str:
        return "online"


@dataclass
class DummyBackend(Backend):
    """Keeps what it was sent; ``fail`` makes the next sends fail (tests of retries); ``confirms`` False makes
    it a transport that cannot say whether a slip printed."""

    sent: list[tuple[str, bytes]] = field(default_factory=list)
    fail: int = 0
    confirms: bool = True

    def send(self, name: str, data: bytes, preview: bytes | None = None) -> bool:
        if self.fail > 0:
            self.fail -= 1
            raise PrinterUnavailable("dummy printer is offline")
        self.sent.append((name, data))
        return self.confirms

    def status(self) -> str:
        return "offline" if self.fail else "online"


@dataclass
class TcpBackend(Backend):
    """A network printer on its raw port. Plain sockets: python-escpos's Network leaks the socket of a
    failed connection, and a raw port needs nothing more than connect, send, close."""

    host: str = ""
    port: int = 9100
    timeout: float = 10.0
    confirm: float = 8.0  # how long to wait, after the slip, for the printer's answer to the status request

    def send(self, name: str, data: bytes, preview: bytes | None = None) -> bool:
        """Send the slip and the status request, and wait for the answer: it comes once the printer has
        processed the whole slip (True). No answer in ``confirm`` seconds, or a hang-up without one: sent, not
        confirmed (False). A reset, or paper out, after bytes went out: MaybePrinted. Only a printer that
        could not be reached at all (nothing sent) is PrinterUnavailable, and tried again by itself."""
        try:
            conn = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as err:
            raise PrinterUnavailable(f"{self.host}:{self.port}: {err.strerror or err}") from err
        with conn:
            try:
                _drain(conn)  # a banner or status byte sent on connect is not the answer
                conn.sendall(data + STATUS_REQUEST)
                conn.shutdown(socket.SHUT_WR)
                conn.settimeout(self.confirm)
                answer = conn.recv(1)
            except TimeoutError:
                return False
            except OSError as err:
                raise MaybePrinted(f"{self.host}:{self.port}: {err.strerror or err} after the slip went out") from err
        if not answer or answer[0] & STATUS_FIXED_BITS:
            return False  # no answer, or none in the shape of one: sent, not confirmed
        if answer[0] & PAPER_END:
            raise MaybePrinted(f"{self.host}:{self.port}: the paper ran out")
        return True

    def status(self) -> str:
        try:
            with socket.create_connection((self.host, self.port), timeout=min(self.timeout, 2.0)):
                return "online"
        except OSError:
            return "offline"


@dataclass
class EscposBackend(Backend):
    """A python-escpos printer class opened for each slip and closed after it."""

    make: object = field(default=None, repr=False)

    def send(self, name: str, data: bytes, preview: bytes | None = None) -> bool:
        try:
            device = self.make()  # type: ignore[operator]
            device.open()  # nothing is sent yet: a failure here is "not reached"
        except Exception as err:  # the transports raise many kinds: here all mean "not reached"
            raise PrinterUnavailable(f"{self.uri}: {err}") from err
        try:
            device._raw(data)
            # USB and serial printers can answer the status request; a CUPS queue cannot (False: not confirmed).
            answer = device.query_status(STATUS_REQUEST) if hasattr(device, "query_status") else []
            device.close()
        except Exception as err:
            raise MaybePrinted(f"{self.uri}: {err} after the slip went out") from err
        if not answer:
            return False
        if answer[0] & PAPER_END:
            raise MaybePrinted(f"{self.uri}: the paper ran out")
        return True

    def status(self) -> str:
        try:
            device = self.make()  # type: ignore[operator]
            online = device.is_online() if hasattr(device, "is_online") else None
            paper = device.paper_status() if hasattr(device, "paper_status") else None
            device.close()
        except Exception:
            return "offline"
        if online is False:
            return "offline"
        return "paper out" if paper == 0 else "online"


def backend_for(uri: str, instance_path: Path) -> Backend:
    """The backend a printer URI names; a clear PrinterConfigError for one that cannot be used."""
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        raw = (parts.netloc + parts.path) or "receipts"
        folder = Path(raw)
        return FileBackend(uri, folder if folder.is_absolute() else instance_path / folder)
    if scheme == "dummy":
        return DummyBackend(uri)
    if scheme == "tcp":
        if not parts.hostname:
            raise PrinterConfigError("tcp:// needs a host, e.g. tcp://192.0.2.10:9100")
        return TcpBackend(uri, host=parts.hostname, port=parts.port or 9100)
    if scheme == "usb":
        try:
            vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
        except ValueError:
            raise PrinterConfigError("usb:// needs vendor:product in hex, e.g. usb://0x0416:0x5011") from None
        from escpos.printer import Usb

        return EscposBackend(uri, make=lambda: Usb(vendor, product))
    if scheme == "serial":
        if not parts.path:
            raise PrinterConfigError("serial:// needs a device, e.g. serial:///dev/ttyUSB0")
        from escpos.printer import Serial

        device = parts.path
        return EscposBackend(uri, make=lambda: Serial(device))
    if scheme == "cups":
        if not parts.netloc:
            raise PrinterConfigError("cups:// needs a queue name, e.g. cups://receipt")
        from escpos.printer import CupsPrinter

        queue = parts.netloc
        return EscposBackend(uri, make=lambda: CupsPrinter(queue))
    raise PrinterConfigError(
        f"unknown printer URI {uri!r}: use file://, tcp://, usb://, serial://, cups:// or dummy://"
    )
