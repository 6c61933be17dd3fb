"""Event recipients have no foreign-key constraints in the database (models: why), so
deleting what they point at must still delete them, through Django's cascade."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Event, EventRecipient

pytestmark = pytest.mark.django_db


def test_deleting_an_agent_or_an_event_deletes_their_recipient_rows(customer_writes, alice, bob):
    conversation = customer_writes("Hi").conversation
    events = list(Event.objects.filter(conversation=conversation).values_list("pk", flat=True))
    assert EventRecipient.objects.filter(agent=bob).exists()
    bob_id = bob.pk
    bob.delete()
    assert not EventRecipient.objects.filter(agent_id=bob_id).exists()
    assert EventRecipient.objects.filter(agent=alice, event_id__in=events).count() == len(events)
    Event.objects.filter(pk__in=events).delete()  # Django cascades; the database would not
    assert not EventRecipient.objects.filter(event_id__in=events).exists()
