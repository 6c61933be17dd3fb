"""Notification settings honoured live (toast, sound, desktop notification when
the tab is hidden) and the presence switch steering routing, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chatdesk.accounts.models import AgentSettings, Presence
from queues.models import Offer
from tests.e2e.conftest import row

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Records what the page asks of WebAudio and of the Notification API, before
# its own scripts run. Each sound is a set of oscillator frequencies
# (static/js/sounds.js): pop starts at 420 Hz, chime at 880, bell at 1046.5.
OBSERVE = """
window.__tones = [];
window.__notes = [];
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
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) {
    super(title, options);
    window.__notes.push({ title, body: options && options.body });
  }
};
"""
# A tab in the background, as far as the page can tell.
HIDDEN = """
Object.defineProperty(Document.prototype, "visibilityState", { get: () => "hidden" });
Object.defineProperty(Document.prototype, "hidden", { get: () => true });
"""


def _settings(user, **values) -> None:
    AgentSettings.objects.update_or_create(user=user, defaults=values)


def test_toast_and_sound_follow_the_settings_live(sign_in, alice, customer_writes, off_loop):
    _settings(alice, show_toaster=True, web_notifications=True, play_sound=True, sound="pop")
    page = sign_in(alice, init_script=OBSERVE, permissions=["notifications"])

    off_loop(customer_writes, "Is the shop open?", name="Olga Open", address="4791000001")
    expect(page.locator("#toasts .toast", has_text="Olga Open")).to_contain_text("New chat")
    page.wait_for_function("window.__tones.length > 0")
    assert page.evaluate("window.__tones")[0] == 420  # pop, the chosen sound
    # The tab is in front: the toast is enough, no desktop notification.
    assert page.evaluate("window.__notes") == []

    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Notification settings")
    dialog.get_by_label("Show a toast").uncheck()
    expect(dialog.get_by_role("status")).to_have_text("Saved.")
    dialog.get_by_label("Play a sound").uncheck()
    expect(dialog.get_by_label("Sound", exact=True)).to_be_disabled()
    dialog.get_by_role("button", name="Done").click()
    page.evaluate("window.__tones = []")

    # No reload: the next chat arrives quietly.
    off_loop(customer_writes, "Hello again?", name="Quinn Quiet", address="4791000002")
    expect(row(page, "Quinn Quiet")).to_be_visible()
    expect(page.locator("#toasts .toast", has_text="Quinn Quiet")).to_have_count(0)
    assert page.evaluate("window.__tones") == []
    saved = AgentSettings.objects.get(user=alice)
    assert (saved.show_toaster, saved.play_sound) == (False, False)


def test_a_hidden_tab_gets_a_desktop_notification_only_when_wanted(
    sign_in, alice, customer_writes, off_loop
):
    _settings(alice, show_toaster=False, web_notifications=True, play_sound=True, sound="bell")
    page = sign_in(alice, init_script=OBSERVE + HIDDEN, permissions=["notifications"])
    assert page.evaluate("Notification.permission") == "granted"

    off_loop(customer_writes, "Where is my parcel?", name="Petra Parcel", address="4791000003")
    page.wait_for_function("window.__notes.length > 0")
    assert page.evaluate("window.__notes") == [{"title": "New chat", "body": "Petra Parcel"}]
    assert page.evaluate("window.__tones")[0] == 1046.5  # bell
    expect(page.locator("#toasts .toast")).to_have_count(0)

    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Notification settings")
    dialog.get_by_label("Desktop notifications").uncheck()
    expect(dialog.get_by_role("status")).to_have_text("Saved.")
    dialog.get_by_role("button", name="Done").click()

    off_loop(customer_writes, "Still waiting", name="Rolf Waiting", address="4791000004")
    expect(row(page, "Rolf Waiting")).to_be_visible()
    page.wait_for_function("window.__tones.filter((t) => t === 1046.5).length >= 2")  # still rings
    assert [n["body"] for n in page.evaluate("window.__notes")] == ["Petra Parcel"]


def test_the_presence_switch_decides_who_is_offered_a_chat(
    sign_in, alice, bob, customer_writes, off_loop
):
    alice_page, bob_page = sign_in(alice), sign_in(bob)

    bob_page.get_by_label("Your status").select_option("away")
    expect(bob_page.locator(".presence")).to_have_attribute("data-status", "away")
    bob.refresh_from_db()
    assert bob.status == Presence.AWAY

    off_loop(customer_writes, "First in line", name="Astrid Away", address="4791000005")
    expect(row(alice_page, "Astrid Away")).to_be_visible()
    chat = Offer.objects.get(agent=alice).conversation
    assert not Offer.objects.filter(agent=bob, conversation=chat).exists()
    expect(row(bob_page, "Astrid Away")).to_have_count(0)

    bob_page.get_by_label("Your status").select_option("offline")
    expect(bob_page.locator(".presence")).to_have_attribute("data-status", "offline")
    bob_page.get_by_label("Your status").select_option("available")
    expect(bob_page.locator(".presence")).to_have_attribute("data-status", "available")
    off_loop(customer_writes, "Second in line", name="Bernt Back", address="4791000006")
    expect(row(bob_page, "Bernt Back")).to_contain_text("Second in line")
    expect(row(alice_page, "Bernt Back")).to_be_visible()
    bob.refresh_from_db()
    assert bob.status == Presence.AVAILABLE
