"""In the browser: the widget's rating card after Dealt with, and the inbox rows that
colour as a service-level due time nears and passes, without a reload."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from chatdesk.inbox.models import Channel, Conversation, Status
from chatdesk.inbox.services.csat import csat_visitor_rate
from tests.e2e.conftest import row, visitor_starts_chat
from tests.factories import (
    ChannelAccountFactory,
    ConversationFactory,
    IdentityFactory,
    MessageFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def rating_site(queue_a):
    queue_a.csat_enabled = True
    queue_a.save(update_fields=["csat_enabled"])
    cache.delete(limits.session_start_key("127.0.0.1"))
    yield ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )
    cache.delete(limits.session_start_key("127.0.0.1"))


def _dealt_with_by(page, name: str) -> None:
    row(page, name).click()
    page.get_by_role("toolbar").get_by_role("button", name="Dealt with").click()


def test_the_visitor_rates_the_chat_and_the_agent_sees_it(
    sign_in, fresh_page, live_url, carol, rating_site
):
    page = sign_in(carol)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Rita Rater", "Where is my order?")
    _dealt_with_by(page, "Rita Rater")

    card = visitor.get_by_role("form", name="Rate this chat")
    expect(card).to_be_visible()
    send = card.get_by_role("button", name="Send rating")
    expect(send).to_be_disabled()  # no stars chosen yet
    card.get_by_role("button", name="4 stars").click()
    expect(card.get_by_role("button", name="4 stars")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".star.on")).to_have_count(4)
    card.get_by_label("Comment (optional)").fill("Quick answer, thanks")
    send.click()
    expect(visitor.locator(".rate .done")).to_have_text("Thank you for your rating!")

    chat = Conversation.objects.get(identity__display_name="Rita Rater")
    assert (chat.csat_rating, chat.csat_comment) == (4, "Quick answer, thanks")
    # The agent's open conversation shows it, pushed by the event.
    expect(page.locator("#conv-sub")).to_contain_text("Rated ★★★★☆ 4/5")
    expect(page.locator("#message-log")).to_contain_text("The customer rated the chat 4/5")


def test_a_rating_already_given_is_said_so_on_the_card(
    sign_in, fresh_page, live_url, carol, rating_site, off_loop
):
    page = sign_in(carol)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Twice Tom", "Hello")
    _dealt_with_by(page, "Twice Tom")
    card = visitor.get_by_role("form", name="Rate this chat")
    card.get_by_role("button", name="2 stars").click()

    # Another tab of the same visitor rated meanwhile: this card's post is a 409.
    chat = Conversation.objects.get(identity__display_name="Twice Tom")
    off_loop(
        csat_visitor_rate,
        channel_account_id=chat.channel_account_id,
        visitor_id=chat.identity.address,
        rating=5,
    )
    card.get_by_role("button", name="Send rating").click()
    expect(visitor.locator(".rate .done")).to_have_text("This chat has been rated already.")
    assert Conversation.objects.get(pk=chat.pk).csat_rating == 5


def _waiting_chat(queue, name: str, *, due_in: float) -> Conversation:
    now = timezone.now()
    conversation = ConversationFactory(
        channel=Channel.WHATSAPP,
        channel_account__kind=Channel.WHATSAPP,
        identity=IdentityFactory(kind=Channel.WHATSAPP, contact__name=name),
        queue=queue,
        status=Status.UNASSIGNED,
        first_response_due_at=now + timedelta(seconds=due_in),
    )
    MessageFactory(conversation=conversation, body=f"{name} is waiting")
    return conversation


def test_rows_colour_as_their_due_time_nears_and_passes(sign_in, carol, queue_a):
    queue_a.first_response_target_seconds = 60
    queue_a.save(update_fields=["first_response_target_seconds"])
    _waiting_chat(queue_a, "Calm Carl", due_in=3600)
    _waiting_chat(queue_a, "Late Lena", due_in=-30)
    # Warns once less than a fifth of the target (12 s) is left: in about 8 s from now.
    _waiting_chat(queue_a, "Soon Sam", due_in=20)

    page = sign_in(carol)
    calm, late, soon = row(page, "Calm Carl"), row(page, "Late Lena"), row(page, "Soon Sam")
    expect(late).to_have_class(_has("sla-breached"))
    expect(late.locator(".sla-flag")).to_have_text("Overdue")
    expect(calm).not_to_have_class(_has("sla-near"))
    expect(calm).not_to_have_class(_has("sla-breached"))
    expect(soon).not_to_have_class(_has("sla-near"))

    # Time passes, the page is not reloaded: the row warns, then turns overdue.
    expect(soon).to_have_class(_has("sla-near"), timeout=20_000)
    expect(soon.locator(".sla-flag")).to_contain_text("Due in")
    expect(soon).to_have_class(_has("sla-breached"), timeout=25_000)
    expect(calm).not_to_have_class(_has("sla-near"))


def _has(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){name}(\s|$)")
