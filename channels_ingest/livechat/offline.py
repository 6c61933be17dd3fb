"""Whether a live-chat site is taking chats now, and the offline form for when it is not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels_ingest.livechat import selectors, services
from channels_ingest.livechat.errors import (
    VisitorBlocked,
)
from channels_ingest.livechat.origins import Caller
from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Presence
from chatdesk.inbox.models import Conversation
from chatdesk.inbox.services import visitor as visitor_services
from chatdesk.inbox.services.receive import Inbound, message_receive
from queues import hours
from queues.models import QueueMember

MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class SiteStatus:
    open: bool
    within_hours: bool
    agents_available: bool
    next_open_at: datetime | None


def site_status(account: ChannelAccount, *, at: datetime | None = None) -> SiteStatus:
    """Open: within the queue's business hours and a member available (for a site
    routed to an agent: that agent available). `next_open_at`: the next opening
    when outside hours, else None."""
    at = at or timezone.now()
    if account.route_agent_id is not None:
        agent = account.route_agent
        available = agent.is_active and agent.status == Presence.AVAILABLE
        return SiteStatus(available, True, available, None)
    queue = account.route_queue
    if queue is None:
        return SiteStatus(False, False, False, None)
    within = hours.is_open(queue, at)
    available = QueueMember.objects.filter(
        queue=queue, agent__is_active=True, agent__status=Presence.AVAILABLE
    ).exists()
    reopens = None if within else hours.next_open_at(queue, at)
    return SiteStatus(within and available, within, available, reopens)


def offline_key(ip: str) -> str:
    return f"livechat:rate:offline:{ip}"


@transaction.atomic
def offline_message_leave(
    *,
    site_key: str,
    name: str,
    email: str,
    message: str,
    caller: Caller,
    page_url: str = "",
    page_title: str = "",
    referrer: str = "",
) -> Conversation:
    """A visitor's offline form becomes an unassigned live chat in the site's queue,
    marked offline, the message its first message verbatim, name and e-mail its
    visitor context. Rate-limited per address like session starts."""
    ip, user_agent = caller.ip, caller.user_agent
    account = services.admit_site(offline_key(ip or "unknown"), site_key=site_key, caller=caller)
    # Its own visitor: the form is not tied to a chat session.
    visitor_id = f"visitor-{uuid.uuid4().hex}"
    if selectors.visitor_blocked(visitor_id=visitor_id, ip=ip):
        raise VisitorBlocked()
    context = visitor_services.visitor_context(
        name=name.strip()[:200],
        email=email.strip(),
        page_url=page_url.strip()[:2000],
        page_title=page_title.strip()[:300],
        referrer=referrer.strip()[:2000],
        user_agent=user_agent[:500],
    )
    stored, _ = message_receive(
        inbound=Inbound.to_account(
            account,
            sender_address=visitor_id,
            sender_name=name.strip()[:200],
            body=message,
            provider_message_id=f"{visitor_id}:offline",
            visitor_ip=ip,
            visitor=context,
            offline=True,
        )
    )
    return stored.conversation
