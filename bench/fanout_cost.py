"""Query count and group_send count of one inbound message, by queue size.

Run: .venv/bin/python -m pytest bench/fanout_cost.py -s -p no:cacheprovider
(it uses the test database; not part of `make test`).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatdesk.inbox import ports
from chatdesk.inbox.services.receive import Inbound, message_receive
from tests.factories import ChannelAccountFactory, QueueFactory, QueueMemberFactory, UserFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("agents", [5, 50])
def test_cost_of_one_inbound_message(agents):
    queue = QueueFactory()
    for i in range(agents):
        QueueMemberFactory(queue=queue, agent=UserFactory(username=f"b{agents}-{i}"))
    account = ChannelAccountFactory(route_queue=queue)
    sends: list[int] = []
    ports.register_fan_out(
        lambda events, recipients: sends.extend(len(recipients[e["id"]]) for e in events)
    )

    def deliver(n: int, address: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            message_receive(
                inbound=Inbound(
                    channel="whatsapp",
                    channel_account_id=account.pk,
                    route_queue_id=queue.pk,
                    route_agent_id=None,
                    sender_address=address,
                    sender_name="",
                    body="hi",
                    provider_message_id=f"wamid.bench{agents}-{n}",
                )
            )
        return len(captured)

    first = deliver(1, "14155550001")
    sends_first = sum(sends)
    sends.clear()
    follow_up = deliver(2, "14155550001")
    print(
        f"\nagents={agents}: new chat {first} queries, {sends_first} group_sends; "
        f"next message {follow_up} queries, {sum(sends)} group_sends"
    )
