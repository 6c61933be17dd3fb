"""The emulator's own control API and command line, as `make run` and other tests use them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from devtools.emulator import ProviderEmulator
from devtools.emulator.handler import Handler


def test_failures_can_be_ordered_over_http(emulator, client):
    answer = client.post(
        f"{emulator.base_url}/_emulator/fail", json={"provider": "twilio", "mode": "21610"}
    )
    assert answer.status_code == 204
    url = (
        f"{emulator.twilio_api_url}/2010-04-01/Accounts/{emulator.twilio_account_sid}/Messages.json"
    )
    auth = (emulator.twilio_account_sid, emulator.twilio_auth_token)
    form = {"To": "+14155550123", "From": "+15005550006", "Body": "hi"}
    assert client.post(url, data=form, auth=auth).json()["code"] == 21610
    assert client.post(url, data=form, auth=auth).status_code == 201


def test_recorded_requests_can_be_read_and_reset_over_http(emulator, client):
    client.post(f"{emulator.messenger_graph_url}/me/messages", params={"access_token": "x"})
    listed = client.get(f"{emulator.base_url}/_emulator/requests?provider=messenger").json()
    assert [(r["method"], r["path"]) for r in listed] == [("POST", "/messenger/v25.0/me/messages")]
    assert client.post(f"{emulator.base_url}/_emulator/reset").status_code == 204
    assert client.get(f"{emulator.base_url}/_emulator/requests").json() == []


def test_unknown_failure_modes_are_refused(emulator, client):
    answer = client.post(
        f"{emulator.base_url}/_emulator/fail", json={"provider": "messenger", "mode": "21610"}
    )
    assert answer.status_code == 400
    with pytest.raises(ValueError):
        emulator.fail_next("whatsapp", "teapot")


def test_malformed_sends_are_rejected_like_the_graph_api_does(emulator, client):
    answer = client.post(
        f"{emulator.whatsapp_graph_url}/113355779900246/messages",
        headers={"Authorization": f"Bearer {emulator.whatsapp_token}"},
        json={
            "messaging_product": "whatsapp",
            "to": "1",
            "type": "audio",
            "audio": {"caption": "x"},
        },
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, 100)


def test_a_garbled_body_gets_a_400_not_a_hang_up(emulator, client):
    answer = client.post(
        f"{emulator.whatsapp_graph_url}/113355779900246/messages",
        headers={"Authorization": f"Bearer {emulator.whatsapp_token}"},
        content=b"{not json",
    )
    assert answer.status_code == 400


def test_unknown_routes_are_404(emulator, client):
    assert client.get(f"{emulator.base_url}/nowhere").status_code == 404


def test_runs_from_the_command_line_and_prints_its_urls():
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        name, _, url = line.partition("=")
        assert name == "WHATSAPP_GRAPH_URL"
        answer = httpx.get(url.rsplit("/whatsapp", 1)[0] + "/_emulator/requests", timeout=5)
        assert answer.json() == []
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_stop_releases_the_port():
    emulator = ProviderEmulator().start()
    port = emulator.port
    emulator.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/_emulator/requests", timeout=1)


def _twilio_send(emulator: ProviderEmulator, timeout: float) -> httpx.Response:
    url = (
        f"{emulator.twilio_api_url}/2010-04-01/Accounts/{emulator.twilio_account_sid}/Messages.json"
    )
    return httpx.post(
        url,
        data={"To": "+14155550123", "From": "+15005550006", "Body": "slow one"},
        auth=(emulator.twilio_account_sid, emulator.twilio_auth_token),
        timeout=timeout,
    )


def test_a_slow_send_is_accepted_late(emulator):
    emulator.fail_next("twilio", "slow", delay=0.3)
    assert _twilio_send(emulator, timeout=5).status_code == 201
    assert [answer.status for answer in emulator.answers("twilio")] == [201]


def test_a_slow_send_the_client_gave_up_on_is_abandoned_unaccepted(emulator):
    """A worker killed (or timing out) mid-request: the provider never accepted it."""
    emulator.fail_next("twilio", "slow", delay=5)
    with pytest.raises(httpx.ReadTimeout):
        _twilio_send(emulator, timeout=0.3)

    def abandoned() -> bool:
        return [answer.status for answer in emulator.answers("twilio")] == [0]

    deadline = time.monotonic() + 3
    while not abandoned() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert abandoned(), emulator.answers("twilio")
    assert _twilio_send(emulator, timeout=5).status_code == 201  # the next one goes through


def test_answers_are_not_held_back_for_the_clients_delayed_ack():
    """Headers and body go out in two writes; with Nagle's algorithm on the accepted
    socket, the body waited for the client's delayed ACK on every kept-alive
    request, a floor under every delivery the bench measured (scenario 5)."""
    seen: list[int] = []

    class Observed(Handler):
        def setup(self) -> None:
            super().setup()
            seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    with ProviderEmulator() as emulator:
        emulator._server.RequestHandlerClass = Observed
        with httpx.Client() as client:
            for _ in range(2):
                client.get(f"{emulator.base_url}/_emulator/requests")
    assert seen == [1]  # one kept-alive connection, Nagle off
