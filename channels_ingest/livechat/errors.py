"""Why a visitor's request is refused; the view and the consumer map these once."""

from __future__ import annotations


class LiveChatError(Exception):
    status_code = 400
    default_detail = "The request was refused."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class UnknownSite(LiveChatError):
    status_code = 404
    default_detail = "No active live-chat site has this site key."


class OriginNotAllowed(LiveChatError):
    status_code = 403
    default_detail = "This website is not allowed to embed this live chat."


class VisitorBlocked(LiveChatError):
    status_code = 403
    default_detail = "You cannot start a chat here at the moment."


class RateLimited(LiveChatError):
    status_code = 429
    default_detail = "Too many requests; please wait a moment and try again."


class InvalidSession(LiveChatError):
    status_code = 401
    default_detail = "This chat session is unknown or has ended."


class MessageRejected(LiveChatError):
    status_code = 400
    default_detail = "The message could not be sent."
