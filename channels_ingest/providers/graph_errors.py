"""Graph API error answers -> DeliveryError, one table for WhatsApp and Messenger.

Both channels answer errors as `{"error": {"message", "code", "error_subcode",
"error_data": {"details"}}}` and are classified by `error.code` first: WhatsApp
answers its throughput limit 130429 as HTTP 400 (docs/providers.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .base import DeliveryError
from .http import is_transient_status, json_body, retry_after
from .meta import sub, text


@dataclass(frozen=True, slots=True)
class Transient:
    """A code worth retrying; `wait` applies when the answer has no Retry-After."""

    why: str
    wait: float | None = None


# Every other code is permanent: the provider's reason is shown to the agent
# (131047 and 10/2018278 outside the 24-hour window, 190 and 200-299 token or
# permission, 100 bad parameters, 551 person unavailable, 368 restricted...).
TRANSIENT_CODES: dict[int, Transient] = {
    1: Transient("unknown error, possibly temporary"),
    2: Transient("service temporarily unavailable"),
    4: Transient("application request limit"),
    613: Transient("call rate limit"),
    1200: Transient("temporary send failure (Messenger)"),
    80007: Transient("business account rate limit (WhatsApp)"),
    130429: Transient("throughput limit (WhatsApp)"),
    131000: Transient("something went wrong (WhatsApp)"),
    131016: Transient("service unavailable (WhatsApp)"),
    # About one message per 6 s to the same user.
    131056: Transient("pair rate limit (WhatsApp)", wait=6.0),
}


def graph_error(body: dict) -> tuple[int | None, int | None, str]:
    """(code, subcode, readable reason) of a Graph API error body."""
    error = sub(body, "error")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    reason = text(error, "message") or "Unknown error"
    details = text(sub(error, "error_data"), "details")
    if details and details not in reason:
        reason = f"{reason}: {details}"
    return code, subcode, reason


def delivery_error(response: httpx.Response, channel: str) -> DeliveryError:
    """A Graph error answer as a DeliveryError; `channel` ("WhatsApp") opens the message.

    The code is "code/subcode" when the answer has a subcode (10/2018278), else
    "code", and "http_<status>" for an answer without a Graph error (a proxy's page).
    """
    code, subcode, reason = graph_error(json_body(response))
    transient = TRANSIENT_CODES.get(code) if code is not None else None
    wait = retry_after(response)
    if wait is None and transient is not None:
        wait = transient.wait
    if code is None:
        label, reason = f"http_{response.status_code}", f"HTTP {response.status_code}"
    else:
        label = f"{code}/{subcode}" if subcode is not None else str(code)
    return DeliveryError(
        f"{channel}: {reason}",
        permanent=transient is None and not is_transient_status(response.status_code),
        code=label,
        retry_after=wait,
    )


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
