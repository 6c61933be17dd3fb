"""A failed reply's reason in words an agent can act on.

The stored `delivery_error` is the provider's own text with its code (what a
developer or the provider's support needs); agents get one plain sentence that
says what happened and what to do, and the technical text stays available
beside it (the API's `delivery_error`, the web app's tooltip, the server log).
"""

from __future__ import annotations

import re

from chatdesk.inbox.models import Channel

CHANNEL_NAMES = {
    Channel.WHATSAPP: "WhatsApp",
    Channel.MESSENGER: "Messenger",
    Channel.SMS: "The SMS provider",
    Channel.LIVECHAT: "The visitor's browser",
}

# (pattern over the technical text, plain sentence); first match wins. `{channel}` is
# the channel's name. Codes: Meta 131047 / 10/2018278 (24-hour window), 131026 / 551
# (recipient cannot receive), Twilio 21211 / 21614 (not a mobile number), 21610 (opted
# out); 190 / 401 / 20003 are credentials; 130429 / 429 / 20429 rate limits.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"24-hour window|131047|2018278|outside (of )?(the )?allowed window", re.I),
        "The customer has not written in the last 24 hours, so {channel} accepts no reply "
        "until they write again.",
    ),
    (
        re.compile(r"\b(21610|unsubscribed|opted out)\b", re.I),
        "The customer has opted out of these messages.",
    ),
    (
        re.compile(r"\b(131026|551|21211|21614|not a valid|undeliverable)\b", re.I),
        "The customer cannot receive messages on {channel}.",
    ),
    (
        re.compile(r"\b(190|20003|http_401|http_403|oauth|access token|authenticat)", re.I),
        "{channel} did not accept our account's credentials: ask a system owner to check "
        "the channel's settings.",
    ),
    (
        re.compile(r"\b(429|130429|20429|rate|too many)\b", re.I),
        "{channel} is limiting how fast we may send right now.",
    ),
    (
        re.compile(
            r"timed out|timeout|network error|temporarily unavailable|service unavailable"
            r"|http_5\d\d|HTTP 5\d\d|connect",
            re.I,
        ),
        "{channel} could not be reached.",
    ),
    (
        re.compile(r"too large|larger than|file type|media", re.I),
        "{channel} refused a file of this message (its size or type).",
    ),
]


def delivery_problem(*, channel: str, error: str) -> str:
    """One sentence saying why a reply was not delivered ("" for no error)."""
    if not error:
        return ""
    name = CHANNEL_NAMES.get(channel, "The provider")
    for pattern, sentence in _RULES:
        if pattern.search(error):
            return sentence.format(channel=name)
    return f"{name} refused this message."
