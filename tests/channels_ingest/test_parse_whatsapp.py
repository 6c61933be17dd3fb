"""Every WhatsApp fixture becomes readable messages and statuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels_ingest.providers import MalformedPayload, get_adapter

from .support import ALICE_WA_ID, OUR_WAMID, PHONE_NUMBER_ID, raw

whatsapp = get_adapter("whatsapp", base_url="http://unused.invalid")


def parse(name: str):
    return whatsapp.parse(raw(name))


def test_text_keeps_accents_and_emoji_and_knows_the_sender():
    (message,), statuses = parse("whatsapp_text.json")
    assert statuses == []
    assert message.body == "Olá! Is my order #4471 shipped yet? 📦"
    assert message.kind == "text"
    assert message.account_external_id == PHONE_NUMBER_ID
    assert message.sender_address == ALICE_WA_ID  # as given: no "+"
    assert message.sender_name == "Alice Example"
    assert message.provider_message_id.startswith("wamid.")
    assert message.sent_at == datetime.fromtimestamp(1778594591, tz=UTC)


def test_image_is_an_attachment_with_its_caption():
    (message,), _ = parse("whatsapp_image.json")
    (attachment,) = message.attachments
    assert message.kind == "image"
    assert message.body == "The box arrived damaged"
    assert attachment.media_ref == "1266798744318251"
    assert attachment.content_type == "image/jpeg"
    assert attachment.caption == "The box arrived damaged"
    assert attachment.sha256 == "6276c6eb684a8a59882ba1d770f11037a7a15e71300344b0357444b69e58d2b2"


def test_document_keeps_its_filename_and_base64_sha256():
    (message,), _ = parse("whatsapp_document.json")
    (attachment,) = message.attachments
    assert message.kind == "document"
    assert attachment.filename == "invoice-4471.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == "LW+TQqZgurFCC9yb9u9M/iyGVr0P2wsvSmWzOfGbcaM="


def test_misc_types_each_become_a_readable_message():
    messages, statuses = parse("whatsapp_misc_types.json")
    assert statuses == []
    assert [m.kind for m in messages] == [
        "audio",
        "video",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "interactive",
        "button",
        "reaction",
        "text",
        "unsupported",
    ]
    audio, video, sticker, location, contacts, button_reply, list_reply, button = messages[:8]
    reaction, reply, unsupported = messages[8:]
    assert audio.attachments[0].content_type == "audio/ogg; codecs=opus"
    assert video.body == "How it looks" and video.attachments[0].media_ref == "1009483726154732"
    assert sticker.attachments[0].content_type == "image/webp"
    assert location.body == (
        "📍 Example Depot, 350 Example Ave, New York, NY (40.748817, -73.985428)\n"
        "https://maps.google.com/?q=40.748817,-73.985428"
    )
    assert contacts.body == "👤 Carol Example: +1 415-555-0142"
    assert button_reply.body == "Talk to an agent"
    assert list_reply.body == "Returns"
    assert button.body == "Track my order"
    assert reaction.body == "Reacted 👍 to a message"
    assert reaction.reply_to == OUR_WAMID
    assert reply.body == "Replying to your last message" and reply.reply_to == OUR_WAMID
    assert unsupported.body == "Unsupported message (type poll_creation)"
    assert len({m.provider_message_id for m in messages}) == 11


def test_two_entries_give_three_messages_for_two_numbers():
    messages, _ = parse("whatsapp_two_messages_two_entries.json")
    assert len(messages) == 3
    assert [m.sender_name for m in messages] == ["Alice Example", "Bob Example", "Alice Example"]
    assert [m.account_external_id for m in messages] == [
        PHONE_NUMBER_ID,
        PHONE_NUMBER_ID,
        "113355779900357",
    ]
    assert messages[2].body == "Wrong number, sorry — this was meant for support."
    assert whatsapp.candidate_account_ids(raw("whatsapp_two_messages_two_entries.json")) == [
        PHONE_NUMBER_ID,
        "113355779900357",
    ]


def test_delivered_status_for_our_message():
    messages, (status,) = parse("whatsapp_status_delivered.json")
    assert messages == []
    assert status.provider_message_id == OUR_WAMID
    assert status.status == "delivered"
    assert status.account_external_id == PHONE_NUMBER_ID
    assert status.at == datetime.fromtimestamp(1778594912, tz=UTC)
    assert status.error_code == ""


def test_failed_status_carries_the_re_engagement_reason():
    _, (status,) = parse("whatsapp_status_failed.json")
    assert status.status == "failed"
    assert status.error_code == "131047"
    assert status.error_message.startswith("Re-engagement message: Message failed to send")


def _one_message_body(message: dict, **value_extra) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID, "new_field": 1},
        "messages": [message],
        **value_extra,
    }
    body = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    return json.dumps(body).encode()


def test_unknown_types_and_fields_become_a_visible_unsupported_message():
    message = {"from": ALICE_WA_ID, "id": "wamid.X", "timestamp": "1", "type": "hologram", "x": {}}
    (parsed,), _ = whatsapp.parse(_one_message_body(message, surprise=[1, 2]))
    assert parsed.kind == "unsupported"
    assert parsed.body == "Unsupported message (type hologram)"
    assert parsed.sender_name == ""


def test_a_reaction_taken_back_says_so():
    message = {"from": ALICE_WA_ID, "id": "wamid.R", "timestamp": "1", "type": "reaction"}
    message["reaction"] = {"message_id": OUR_WAMID, "emoji": ""}
    (parsed,), _ = whatsapp.parse(_one_message_body(message))
    assert parsed.body == "Removed a reaction from a message"


def test_messages_without_an_id_and_unknown_statuses_are_skipped():
    body = _one_message_body(
        {"from": ALICE_WA_ID, "type": "text", "text": {"body": "no id"}},
        statuses=[{"id": OUR_WAMID, "status": "deleted", "timestamp": "1"}],
    )
    assert whatsapp.parse(body) == ([], [])


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"object": "page", "entry": []}', "text".encode("utf-16")]
)
def test_a_body_that_is_not_a_whatsapp_notification_is_malformed(body):
    with pytest.raises(MalformedPayload):
        whatsapp.parse(body)
    with pytest.raises(MalformedPayload):
        whatsapp.candidate_account_ids(body)
