"""End and Block on a live chat nobody has taken: spam stops without claiming it."""

from __future__ import annotations

import pytest

from channels_ingest.livechat import services
from channels_ingest.livechat.models import VisitorSession, token_digest
from chatdesk.inbox.models import VisitorBlock

pytestmark = pytest.mark.django_db(transaction=True)


def _untaken_chat(start_session) -> tuple[VisitorSession, int]:
    token = start_session(name="Spammer").json()["session_token"]
    session = VisitorSession.objects.get(token_hash=token_digest(token))
    message = services.visitor_message_send(session_id=session.pk, body="BUY NOW")
    assert message.conversation.owner_id is None
    return session, message.conversation_id


def test_an_agent_it_is_offered_to_ends_it_without_taking_it(start_session, alice, api):
    session, chat_id = _untaken_chat(start_session)
    response = api(alice).post(f"/api/v1/conversations/{chat_id}/end/")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["owner"]) == ("ended", None)
    session.refresh_from_db()
    assert session.ended_at is not None


def test_an_agent_it_is_offered_to_blocks_the_visitor(start_session, alice, api):
    token = start_session(name="Spammer").json()["session_token"]
    session = VisitorSession.objects.get(token_hash=token_digest(token))
    chat_id = services.visitor_message_send(session_id=session.pk, body="BUY NOW").conversation_id
    response = api(alice).post(f"/api/v1/conversations/{chat_id}/block/", {"reason": "spam"})
    assert response.status_code == 200, response.content
    assert response.json()["blocked"] is True and response.json()["status"] == "ended"
    assert VisitorBlock.objects.filter(identity__address=session.visitor_id).exists()
    # The blocked visitor cannot come back with their token.
    assert start_session(session_token=token).status_code == 403


def test_a_manager_ends_it_and_an_outsider_gets_404(start_session, carol, oscar, api):
    _, chat_id = _untaken_chat(start_session)
    for action in ("end", "block"):
        assert api(oscar).post(f"/api/v1/conversations/{chat_id}/{action}/").status_code == 404
    assert api(carol).post(f"/api/v1/conversations/{chat_id}/end/").status_code == 200
