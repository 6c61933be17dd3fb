"""Private notes in a real browser: alice writes a note naming @oscar through the
completion list; oscar, in another browser, gets the toast and its sound, opens the
chat and may only read it (and answer with a note). The transfer dialog sends a chat
back to a queue with a hand-over note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chatdesk.accounts.models import AgentSettings
from chatdesk.inbox.models import Conversation, Mention, Message
from chatdesk.inbox.services.ownership import conversation_take
from tests.e2e.conftest import row
from tests.factories import QueueFactory, QueueMemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Records the oscillator frequencies the page starts (static/js/sounds.js: pop is 420 Hz).
OBSERVE_SOUND = """
window.__tones = [];
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const osc = createOscillator.call(this);
  const setValueAtTime = osc.frequency.setValueAtTime.bind(osc.frequency);
  osc.frequency.setValueAtTime = (value, time) => {
    window.__tones.push(value);
    return setValueAtTime(value, time);
  };
  return osc;
};
"""


@pytest.fixture
def alices_chat(customer_writes, alice, off_loop):
    conversation = off_loop(
        customer_writes, "My refund never arrived", name="Rita Refund", address="4791000077"
    ).conversation
    off_loop(conversation_take, conversation_id=conversation.pk, agent=alice)
    return conversation


def test_a_note_with_a_mention_reaches_the_colleague_who_may_only_read(
    sign_in, alice, oscar, alices_chat
):
    AgentSettings.objects.update_or_create(
        user=oscar, defaults={"show_toaster": True, "play_sound": True, "sound": "pop"}
    )
    oscar_page = sign_in(oscar, init_script=OBSERVE_SOUND)
    expect(row(oscar_page, "Rita Refund")).to_have_count(0)  # not his chat

    page = sign_in(alice)
    row(page, "Rita Refund").click()
    reply = page.get_by_label("Reply", exact=True)
    expect(page.locator("#conv-title")).to_have_text("Rita Refund")
    expect(page.locator("#mode-note")).to_be_visible()  # shown once the chat is loaded
    expect(page.locator("#mode-reply")).to_have_attribute("aria-pressed", "true")
    reply.press("Alt+n")  # the keyboard switch to note mode
    expect(page.locator("#mode-note")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#composer")).to_have_class("composer note-mode")

    reply.type("@osc")
    options = page.get_by_role("listbox", name="Mention a colleague").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("@oscar")
    reply.press("Enter")  # picks the colleague, does not send
    expect(reply).to_have_value("@oscar ")
    reply.type("did you promise her a refund?")
    reply.press("Enter")

    note = page.locator("#message-log .msg.note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Private note")
    expect(note.locator(".mention")).to_have_text("@oscar")
    expect(reply).to_have_value("")
    stored = Message.objects.get(kind="note")
    assert stored.body == "@oscar did you promise her a refund?"
    assert Mention.objects.get().agent_id == oscar.pk
    # The customer's side is untouched: still alice's, nothing queued to send.
    chat = Conversation.objects.get(pk=alices_chat.pk)
    assert chat.owner_id == alice.pk
    assert not Message.objects.filter(delivery_status="pending").exists()

    toast = oscar_page.locator("#toasts .toast", has_text="mentioned you")
    expect(toast).to_contain_text("Alice")
    expect(toast).to_contain_text("did you promise her a refund?")
    oscar_page.wait_for_function("window.__tones.length > 0")
    assert oscar_page.evaluate("window.__tones")[0] == 420
    toast.get_by_role("button", name="Open").click()

    expect(oscar_page.locator("#conv-title")).to_have_text("Rita Refund")
    expect(oscar_page.locator("#message-log .msg.note")).to_contain_text(
        "did you promise her a refund?"
    )
    expect(oscar_page.locator("#message-log .msg.in")).to_contain_text("My refund never arrived")
    # Read only: no take, no transfer; the reply box is shut, a note is what he can add.
    toolbar = oscar_page.get_by_role("toolbar")
    expect(toolbar.get_by_role("button", name="Take")).to_have_count(0)
    expect(toolbar.get_by_role("button", name="Transfer")).to_have_count(0)
    expect(oscar_page.locator("#mode-note")).to_have_attribute("aria-pressed", "true")
    oscar_page.locator("#mode-reply").click()
    expect(oscar_page.get_by_label("Reply", exact=True)).to_be_disabled()
    oscar_page.locator("#mode-note").click()
    oscar_page.get_by_label("Reply", exact=True).fill("No, she must have misread the mail.")
    oscar_page.get_by_label("Reply", exact=True).press("Enter")
    expect(page.locator("#message-log .msg.note")).to_have_count(2)
    assert Conversation.objects.get(pk=alices_chat.pk).owner_id == alice.pk

    # Dealt with: the chat leaves oscar's view.
    page.get_by_role("toolbar").get_by_role("button", name="Dealt with").click()
    expect(oscar_page.locator("#conv-notice")).to_be_visible()
    expect(row(oscar_page, "Rita Refund")).to_have_count(0)


def test_the_transfer_dialog_sends_a_chat_to_a_queue_with_a_note(
    sign_in, alice, oscar, alices_chat
):
    billing = QueueFactory(name="Billing", strategy="ring_all")
    QueueMemberFactory(queue=billing, agent=oscar, priority=1)
    oscar_page = sign_in(oscar)
    page = sign_in(alice)
    row(page, "Rita Refund").click()
    page.get_by_role("toolbar").get_by_role("button", name="Transfer").click()
    dialog = page.get_by_role("dialog", name="Transfer to a colleague")
    dialog.get_by_label("Or back to a queue").select_option(label="Billing")
    dialog.get_by_label("Handover note").fill("Refund approved by Carol; please pay out.")
    dialog.get_by_role("button", name="Transfer to queue").click()

    expect(page.locator("#toasts .toast", has_text="Sent back to Billing")).to_be_visible()
    expect(row(page, "Rita Refund")).to_have_count(0)
    expect(row(oscar_page, "Rita Refund")).to_be_visible()
    row(oscar_page, "Rita Refund").click()
    expect(oscar_page.locator("#message-log .msg.note")).to_contain_text("Refund approved by Carol")
    expect(oscar_page.locator("#message-log .event-line").last).to_contain_text(
        "transferred the chat to the queue Billing"
    )
    chat = Conversation.objects.get(pk=alices_chat.pk)
    assert (chat.queue_id, chat.owner_id, chat.status) == (billing.pk, None, "unassigned")
