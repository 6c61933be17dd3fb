"""One Graph API error table for both Meta channels, checked through each one's send.

A Graph API stand-in answers every request with the error under test, so what is
checked is the whole path: the adapter's request, the answer, the DeliveryError.
"""

from __future__ import annotations

import httpx
import pytest

from channels_ingest.providers import DeliveryError, OutboundMessage, get_adapter
from channels_ingest.providers.graph_errors import TRANSIENT_CODES

from .support import MESSENGER_CREDENTIALS, PAGE_ID, PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS

GRAPH = "https://graph.test/v25.0"
META_CHANNELS = {
    "whatsapp": ("WhatsApp", WHATSAPP_CREDENTIALS, PHONE_NUMBER_ID, "14155550123"),
    "messenger": ("Messenger", MESSENGER_CREDENTIALS, PAGE_ID, "6543210987654321"),
}
# (code, subcode) -> the DeliveryError code: final whichever channel answers it.
PERMANENT = {
    (131047, None): "131047",  # WhatsApp: outside the 24-hour window
    (10, 2018278): "10/2018278",  # Messenger: outside the 24-hour window
    (551, None): "551",
    (100, 2018001): "100/2018001",
    (190, 463): "190/463",  # an expired token
    (200, None): "200",
    (368, None): "368",
}


def _answering(status: int, body: dict | str, headers: dict | None = None) -> httpx.Client:
    def graph(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "graph.test"
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.Client(transport=httpx.MockTransport(graph))


def _graph_error(code: int, subcode: int | None = None) -> dict:
    error = {"message": f"(#{code}) reason {code}", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _failed_send(kind: str, client: httpx.Client) -> DeliveryError:
    _, credentials, account_id, to = META_CHANNELS[kind]
    adapter = get_adapter(kind, base_url=GRAPH)
    with pytest.raises(DeliveryError) as caught:
        adapter.send(credentials, account_id, OutboundMessage(to=to, body="Hi"), client=client)
    return caught.value


@pytest.fixture(params=sorted(META_CHANNELS))
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.parametrize("code", sorted(TRANSIENT_CODES))
def test_every_transient_code_is_retried_on_both_channels_even_as_http_400(kind, code):
    error = _failed_send(kind, _answering(400, _graph_error(code)))
    assert (error.permanent, error.code) == (False, str(code))
    assert error.retry_after == TRANSIENT_CODES[code].wait
    assert error.message == f"{META_CHANNELS[kind][0]}: (#{code}) reason {code}"


@pytest.mark.parametrize(("code", "subcode"), sorted(PERMANENT, key=str))
def test_every_other_code_is_final_on_both_channels(kind, code, subcode):
    error = _failed_send(kind, _answering(400, _graph_error(code, subcode)))
    assert (error.permanent, error.code) == (True, PERMANENT[(code, subcode)])
    assert error.retry_after is None


def test_retry_after_from_the_answer_wins_over_the_tables_wait(kind):
    pair_rate = 131056
    assert TRANSIENT_CODES[pair_rate].wait == 6.0
    answer = _answering(400, _graph_error(pair_rate), {"Retry-After": "9"})
    assert _failed_send(kind, answer).retry_after == 9.0


@pytest.mark.parametrize(("status", "permanent"), [(502, False), (429, False), (403, True)])
def test_an_answer_without_a_graph_error_goes_by_its_http_status(kind, status, permanent):
    error = _failed_send(kind, _answering(status, "<html>proxy page</html>"))
    assert (error.permanent, error.code) == (permanent, f"http_{status}")
    assert error.message == f"{META_CHANNELS[kind][0]}: HTTP {status}"


def test_whatsapps_media_lookup_reads_errors_with_the_same_table():
    adapter = get_adapter("whatsapp", base_url=GRAPH)
    for code in (4, 190):
        with pytest.raises(DeliveryError) as caught:
            adapter.fetch_media(
                WHATSAPP_CREDENTIALS, "1234567890", client=_answering(400, _graph_error(code))
            )
        assert caught.value.permanent is (code not in TRANSIENT_CODES)
        assert caught.value.code == str(code)
