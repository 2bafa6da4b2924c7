"""Domain exceptions. Each carries a message fit to show a user, in the user's language.

Operations in models/ raise these; views turn them into a 4xx with the message, the CLI into an error
line and a non-zero exit. Nothing in here knows about HTTP beyond the suggested status code.
"""

from __future__ import annotations

from .i18n import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the scheme said no. ``str(err)`` is the translated message."""

    status_code = 400
    default_message = _l("The request could not be carried out.")

    def __init__(self, message: object | None = None, **params: object) -> None:
        self.params = params
        self._message = message if message is not None else self.default_message
        super().__init__(str(self._message))

    @property
    def message(self) -> str:
        text = str(self._message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    status_code = 400
    default_message = _l("The input is not valid.")


class NotFound(DomainError):
    status_code = 404
    default_message = _l("Not found.")


class Conflict(DomainError):
    status_code = 409
    default_message = _l("This was changed by someone else; reload and try again.")


class Forbidden(DomainError):
    status_code = 403
    default_message = _l("You may not do this.")


class InactiveEmployee(DomainError):
    status_code = 409
    default_message = _l("This employee has left and can no longer earn or spend points.")


class CardRevoked(DomainError):
    status_code = 403
    default_message = _l("This card has been revoked. Ask the points administrator for a new one.")


class UnknownCard(DomainError):
    status_code = 404
    default_message = _l("This card is not known.")


class WrongPin(DomainError):
    status_code = 403
    default_message = _l("The PIN is not correct.")


class PinLocked(DomainError):
    status_code = 429
    default_message = _l("Too many wrong PINs. Try again in a few minutes.")


class SignInLocked(DomainError):
    status_code = 429
    default_message = _l("Too many wrong sign-ins. Try again in 15 minutes.")


class RuleRetired(DomainError):
    status_code = 409
    default_message = _l("This rule has been retired and takes no new claims.")


class OutOfRange(DomainError):
    status_code = 400
    default_message = _l("The value is outside the rule's range.")


class InsufficientPoints(DomainError):
    status_code = 409
    default_message = _l("Not enough points.")


class YearlyCapReached(DomainError):
    status_code = 409
    default_message = _l("The yearly points cap has been reached.")


class RedemptionSuspended(DomainError):
    status_code = 403
    default_message = _l("Redemption is suspended for this month because of a false claim.")


class OutOfStock(DomainError):
    status_code = 409
    default_message = _l("Out of stock.")


class StoreClosed(DomainError):
    status_code = 409
    default_message = _l("The store is closed now.")


class InvalidTransition(DomainError):
    status_code = 409
    default_message = _l("This claim is not in a state that allows this step.")


class Gone(DomainError):
    status_code = 410
    default_message = _l("This is no longer valid.")


class TooManyTries(DomainError):
    status_code = 429
    default_message = _l("Too many tries. Wait a while and try again.")
