"""Meta's reply windows: how long after a customer's message free text may still go.

WhatsApp accepts free-form replies for 24 hours after the customer's last message, then
only approved templates. Messenger's standard window is also 24 hours; a page with the
Human Agent permission may answer for 7 days, tagged HUMAN_AGENT after the first 24
hours (docs/providers.md). The inbox stores the closing time on the conversation and
refuses free text after it; the outbox tags the Messenger replies of the extra days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from channels_ingest.models import ChannelAccount

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


def window_for(account: ChannelAccount) -> timedelta | None:
    """How long after the customer's message free text may go; None: no window applies."""
    if account.kind == ChannelAccount.Kind.WHATSAPP:
        return STANDARD_WINDOW
    if account.kind == ChannelAccount.Kind.MESSENGER:
        return HUMAN_AGENT_WINDOW if account.messenger_human_agent else STANDARD_WINDOW
    return None


def needs_human_agent_tag(
    account: ChannelAccount, closes_at: datetime | None, at: datetime | None = None
) -> bool:
    """Whether a Messenger reply now falls in the Human Agent days (after the first 24 h)."""
    if account.kind != ChannelAccount.Kind.MESSENGER or not account.messenger_human_agent:
        return False
    if closes_at is None:
        return False
    customer_wrote_at = closes_at - HUMAN_AGENT_WINDOW
    return (at or timezone.now()) > customer_wrote_at + STANDARD_WINDOW
