"""Twilio inbound SMS/MMS and status callbacks -> neutral messages and statuses (§3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ..base import InboundAttachment, InboundMessage, Payload, StatusUpdate
from ..http import filename_for
from .form import form_params

# Twilio allows at most 10 media per message; more NumMedia than that is garbage.
MAX_MEDIA = 10
_STATUS = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
# Carrier error codes on failed/undelivered callbacks, readable for the agent.
CARRIER_ERRORS = {
    "30003": "Unreachable destination handset",
    "30004": "Message blocked by the recipient",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered by the carrier",
    "30008": "Unknown error from the carrier",
}


def is_status_callback(params: Mapping[str, str]) -> bool:
    return bool(params.get("MessageStatus"))


def candidate_account_ids(payload: Payload) -> list[str]:
    """Our number: `To` of an inbound message, `From` of a status callback on our send."""
    params = form_params(payload)
    number = params.get("From" if is_status_callback(params) else "To", "")
    return [number] if number else []


def parse(payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    params = form_params(payload)
    if is_status_callback(params):
        status = _status(params)
        return [], [status] if status else []
    message = _message(params)
    return [message] if message else [], []


def _message(params: Mapping[str, str]) -> InboundMessage | None:
    sid = params.get("MessageSid") or params.get("SmsMessageSid") or params.get("SmsSid")
    sender, recipient = params.get("From", ""), params.get("To", "")
    if not sid or not sender or not recipient:
        return None
    attachments = _attachments(params)
    return InboundMessage(
        account_external_id=recipient,
        provider_message_id=sid,
        sender_address=sender,
        sender_name="",
        body=params.get("Body", ""),
        sent_at=datetime.now(UTC),  # Twilio sends no timestamp; it posts right away
        attachments=attachments,
        kind=_kind(attachments[0].content_type) if attachments else "text",
    )


def _attachments(params: Mapping[str, str]) -> tuple[InboundAttachment, ...]:
    try:
        count = min(int(params.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    found = []
    for index in range(count):
        url = params.get(f"MediaUrl{index}", "")
        content_type = params.get(f"MediaContentType{index}", "")
        if url:
            found.append(InboundAttachment(url, content_type, filename_for(url, content_type)))
    return tuple(found)


def _kind(content_type: str) -> str:
    major = content_type.split("/")[0]
    return major if major in ("image", "video", "audio") else "document"


def _status(params: Mapping[str, str]) -> StatusUpdate | None:
    """None for queued/sending/accepted: the message is still pending, nothing moves."""
    status = _STATUS.get(params.get("MessageStatus", "").lower())
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not status or not sid:
        return None
    code = params.get("ErrorCode", "") if status == "failed" else ""
    reason = params.get("ErrorMessage", "") or CARRIER_ERRORS.get(code, "")
    if code and not reason:
        reason = f"Twilio error {code}"
    return StatusUpdate(
        account_external_id=params.get("From", ""),
        provider_message_id=sid,
        status=status,
        at=None,  # callbacks carry no reliable time (RawDlrDoneDate is unconfirmed)
        error_code=code,
        error_message=reason,
    )
