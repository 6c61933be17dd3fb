from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from chatdesk.celery import app as celery_app
from chatdesk.webhooks.models import EVENT_TYPES, WebhookSubscription
from tests.factories import UserFactory
from tests.webhooks.receiver import Receiver

SECRET = "whsec-integrator-0123456789abcdef"


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver listens on loopback
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.0


@pytest.fixture
def receiver():
    server = Receiver(SECRET)
    yield server
    server.close()


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", role=Role.SYSTEM_OWNER)


@pytest.fixture
def subscribe(db, receiver):
    """subscribe("message.created", ...) -> a stored subscription to the receiver."""

    def make(*events: str, url: str | None = None) -> WebhookSubscription:
        return WebhookSubscription.objects.create(
            url=url or receiver.url, secret=SECRET, events=list(events or EVENT_TYPES)
        )

    return make


@pytest.fixture
def eager():
    """Tasks run in-process when enqueued (after commit); a retry's countdown is not
    waited for, so a retry enqueued finds its delivery not yet due."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
