"""`/api/v1/webhook-subscriptions/`, its delivery log and redelivery, and the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from chatdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-subscriptions/"


def _body(receiver, **changes) -> dict:
    return {
        "url": receiver.url,
        "secret": SECRET,
        "events": ["message.created", "conversation.taken"],
        **changes,
    }


def test_the_system_owner_subscribes_and_the_secret_is_never_shown(api, olga, receiver):
    client = api(olga)
    body = _body(receiver, events=["message.created", "conversation.taken", "message.created"])
    created = client.post(URL, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json() == {
        "id": created.json()["id"],
        "url": receiver.url,
        # Each type once, in the documented order.
        "events": ["conversation.taken", "message.created"],
        "active": True,
    }
    stored = WebhookSubscription.objects.get()
    assert stored.secret == SECRET
    listed = client.get(URL).json()["results"]
    assert SECRET not in str(listed)
    # A change without the secret keeps it.
    changed = client.patch(f"{URL}{stored.pk}/", {"active": False}, format="json")
    assert changed.status_code == 200
    stored.refresh_from_db()
    assert (stored.secret, stored.active) == (SECRET, False)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"events": ["message.deleted"]}, "events", "not a valid choice"),
        ({"events": []}, "events", "may not be empty"),
        ({"url": "ftp://example.com/hooks"}, "url", ""),
        ({"secret": "short"}, "secret", "at least 16"),
    ],
)
def test_bad_subscriptions_are_refused_with_a_reason(api, olga, receiver, changes, field, reason):
    response = api(olga).post(URL, _body(receiver, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert reason in str(response.json()[field])
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "https://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
def test_private_receivers_are_refused(api, olga, receiver, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api(olga).post(URL, _body(receiver, url=url), format="json")
    assert response.status_code == 400, response.content
    assert "private, loopback or link-local" in str(response.json()["url"])
    assert WebhookSubscription.objects.count() == 0


def test_a_host_that_does_not_resolve_is_refused(api, olga, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    url = "https://no-such-host.invalid/hooks"
    response = api(olga).post(URL, _body(receiver, url=url), format="json")
    assert response.status_code == 400
    assert "could not be resolved" in str(response.json()["url"])


@pytest.mark.parametrize("role", ["alice", "carol"])
def test_only_the_system_owner_manages_webhooks(api, request, receiver, olga, role):
    user = request.getfixturevalue(role)
    subscription = WebhookSubscription.objects.create(
        url=receiver.url, secret=SECRET, events=["message.created"]
    )
    client = api(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _body(receiver), format="json").status_code == 403
    assert client.get(f"{URL}{subscription.pk}/deliveries/").status_code == 403


def test_the_delivery_log_and_a_redelivery_with_the_same_id(
    api, olga, receiver, subscribe, customer_writes, eager, django_capture_on_commit_callbacks
):
    subscription = subscribe("message.created")
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    client = api(olga)
    log = client.get(f"{URL}{subscription.pk}/deliveries/").json()["results"]
    assert log == [
        {
            "id": delivery.pk,
            "event_id": str(delivery.event_id),
            "type": "message.created",
            "status_code": 500,
            "attempts": 1,
            "last_error": "The receiver answered HTTP 500.",
            "delivered_at": None,
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202
    got = receiver.wait_for(2)
    assert [r.event_id for r in got] == [str(delivery.event_id)] * 2
    assert got[0].body == got[1].body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code) == (WebhookDelivery.State.DELIVERED, 200)
    assert api(olga).post(f"{URL}deliveries/999999/redeliver/").status_code == 404


def test_admin_shows_the_log_and_redelivers(
    olga, receiver, subscribe, customer_writes, eager, django_capture_on_commit_callbacks
):
    subscription = subscribe("message.created")
    with django_capture_on_commit_callbacks(execute=True):
        customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    browser = Client()
    browser.force_login(olga)
    page = browser.get("/admin/webhooks/webhookdelivery/")
    assert page.status_code == 200
    assert str(delivery.event_id) in page.content.decode()
    form = browser.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert "Redeliver" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        button = browser.post(
            f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/", {"_redeliver": "1"}
        )
    assert button.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        action = browser.post(
            "/admin/webhooks/webhookdelivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )
    assert action.status_code == 302
    got = receiver.wait_for(3)
    assert [r.event_id for r in got] == [str(delivery.event_id)] * 3
    # The subscription's form never shows the secret back.
    change = browser.get(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/")
    assert change.status_code == 200
    assert SECRET not in change.content.decode()


def test_admin_subscription_form_checks_the_address(olga, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    browser = Client()
    browser.force_login(olga)
    response = browser.post(
        "/admin/webhooks/webhooksubscription/add/",
        {"url": "http://127.0.0.1/hooks", "secret": SECRET, "events": ["message.created"]},
    )
    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    saved = browser.post(
        "/admin/webhooks/webhooksubscription/add/",
        {
            "url": "http://127.0.0.1/hooks",
            "secret": SECRET,
            "events": ["note.created", "message.created"],
            "active": "on",
        },
    )
    assert saved.status_code == 302
    stored = WebhookSubscription.objects.get()
    assert (stored.secret, stored.events) == (SECRET, ["message.created", "note.created"])
    # Saved again without a secret: the stored one is kept.
    browser.post(
        f"/admin/webhooks/webhooksubscription/{stored.pk}/change/",
        {"url": "http://127.0.0.1/other", "secret": "", "events": ["message.created"]},
    )
    stored.refresh_from_db()
    assert (stored.url, stored.secret, stored.active) == ("http://127.0.0.1/other", SECRET, False)


def test_a_manager_does_not_see_webhooks_in_admin(carol):
    browser = Client()
    browser.force_login(carol)
    assert browser.get("/admin/webhooks/webhookdelivery/").status_code == 403
