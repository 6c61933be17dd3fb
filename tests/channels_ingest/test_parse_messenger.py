"""Every Messenger fixture: messages, echoes as our own "sent", receipts and postbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels_ingest.providers import MalformedPayload, get_adapter

from .support import OUR_MID, PAGE_ID, PSID, raw

messenger = get_adapter("messenger", base_url="http://unused.invalid")


def parse(name: str):
    return messenger.parse(raw(name))


def test_text_from_a_psid_to_the_page():
    (message,), statuses = parse("messenger_text.json")
    assert statuses == []
    assert message.body == "Hola, ¿tienen la talla M en azul?"
    assert message.account_external_id == PAGE_ID
    assert message.sender_address == PSID
    assert message.sent_at == datetime.fromtimestamp(1778594591.402, tz=UTC)
    assert messenger.candidate_account_ids(raw("messenger_text.json")) == [PAGE_ID]


def test_image_attachment_has_the_unescaped_cdn_url():
    (message,), _ = parse("messenger_attachment_image.json")
    (attachment,) = message.attachments
    assert message.kind == "image"
    assert attachment.media_ref.startswith("https://scontent.xx.fbcdn.net/v/t1.15752-9/")
    assert "\\/" not in attachment.media_ref
    assert attachment.content_type == "image/jpeg"
    assert attachment.filename.endswith("_n.jpg")


def test_echo_is_not_an_inbound_message_but_confirms_our_mid_as_sent():
    messages, (status,) = parse("messenger_echo.json")
    assert messages == []
    assert status.provider_message_id == OUR_MID
    assert status.status == "sent"
    assert status.account_external_id == PAGE_ID


def test_delivery_names_our_mid_and_has_a_watermark_but_no_timestamp():
    messages, (status,) = parse("messenger_delivery.json")
    assert messages == []
    assert (status.provider_message_id, status.status) == (OUR_MID, "delivered")
    assert status.at is None
    assert status.watermark == datetime.fromtimestamp(1778594701.2, tz=UTC)


def test_read_without_mids_covers_everything_up_to_the_watermark():
    _, (status,) = parse("messenger_read.json")
    assert status.provider_message_id == ""
    assert status.status == "read"
    assert status.watermark == datetime.fromtimestamp(1778594701.2, tz=UTC)
    assert status.at == datetime.fromtimestamp(1778594760.114, tz=UTC)


def test_postback_becomes_a_message_with_the_button_title():
    (message,), _ = parse("messenger_postback.json")
    assert message.kind == "postback"
    assert message.body == "Talk to an agent"
    assert message.provider_message_id.startswith("m_Tc1pC5")


def _event(**event) -> dict:
    return {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1, **event}


def _body(*entries) -> bytes:
    return json.dumps({"object": "page", "entry": list(entries)}).encode()


def test_batched_entries_and_events_are_all_read():
    body = _body(
        {"id": PAGE_ID, "messaging": [_event(message={"mid": "m_1", "text": "one"})]},
        {
            "id": "200000000000002",
            "messaging": [
                _event(message={"mid": "m_2", "text": "two", "reply_to": {"mid": "m_1"}}),
                _event(optin={"ref": "ignored"}),
                _event(delivery={"watermark": 5}),
            ],
        },
    )
    messages, statuses = messenger.parse(body)
    assert [m.body for m in messages] == ["one", "two"]
    assert messages[1].account_external_id == "200000000000002"
    assert messages[1].reply_to == "m_1"
    assert [(s.provider_message_id, s.status) for s in statuses] == [("", "delivered")]
    assert messenger.candidate_account_ids(body) == [PAGE_ID, "200000000000002"]


def test_shared_links_and_unknown_content_stay_readable():
    body = _body(
        {
            "id": PAGE_ID,
            "messaging": [
                _event(
                    message={
                        "mid": "m_link",
                        "attachments": [
                            {
                                "type": "fallback",
                                "title": "Our shop",
                                "payload": {"url": "https://x"},
                            }
                        ],
                    }
                ),
                _event(message={"mid": "m_odd", "attachments": [{"type": "template"}]}),
                _event(reaction={"mid": "m_1", "action": "react", "emoji": "👍"}),
            ],
        }
    )
    link, odd, reaction = messenger.parse(body)[0]
    assert (link.kind, link.body) == ("text", "Our shop https://x")
    assert (odd.kind, odd.body) == ("unsupported", "Unsupported message (type template)")
    assert (reaction.kind, reaction.body, reaction.reply_to) == (
        "reaction",
        "Reacted 👍 to a message",
        "m_1",
    )


@pytest.mark.parametrize("body", [b"{", b'{"object": "whatsapp_business_account"}', b'"page"'])
def test_a_body_that_is_not_a_page_event_is_malformed(body):
    with pytest.raises(MalformedPayload):
        messenger.parse(body)


def test_parsed_form_params_are_refused_for_a_json_provider():
    with pytest.raises(MalformedPayload):
        messenger.parse({"object": "page"})
