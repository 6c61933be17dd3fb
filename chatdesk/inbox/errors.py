"""Domain errors of the inbox, mapped once to HTTP (api.py) and once for consumers."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotVisible(DomainError):
    status_code = 404
    code = "not_found"

    def __init__(self, detail: str = "No such conversation.") -> None:
        super().__init__(detail)


class AlreadyOwned(DomainError):
    status_code = 409
    code = "already_owned"


class AtCapacity(DomainError):
    status_code = 409
    code = "at_capacity"


class InvalidState(DomainError):
    status_code = 409
    code = "invalid_state"


class StillRinging(DomainError):
    """The chat is still offered to colleagues: archiving it would take it from them."""

    status_code = 409
    code = "ringing"


class AlreadyOpen(DomainError):
    """Reopening would make a second open chat with the same customer on the same line."""

    status_code = 409
    code = "already_open"


class NotPermitted(DomainError):
    """The caller sees the chat but their role does not allow this action on it."""

    status_code = 403
    code = "forbidden"


class NotAllowedForChannel(DomainError):
    status_code = 422
    code = "not_allowed_for_channel"


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid"


class WindowClosed(DomainError):
    """The provider's reply window has closed: free text would be refused, send a template."""

    status_code = 409
    code = "window_closed"


class TemplateNotForChannel(DomainError):
    """WhatsApp templates go on WhatsApp chats only."""

    status_code = 409
    code = "wrong_channel"


class TemplateNotApproved(DomainError):
    """Meta sends only templates it approved (it refuses others with a 132xxx error)."""

    status_code = 409
    code = "template_not_approved"
