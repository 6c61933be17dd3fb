"""Browser fixtures: Debian's chromium driven by Playwright against a real daphne.

One chromium and one daphne serve the whole package (starting them per test
would cost most of the time budget); each test gets fresh browser contexts and,
being transactional, a flushed database that daphne reads.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from chatdesk.inbox.models import AgentConnection
from tests.browser import CHROMIUM, require_chromium
from tests.factories import PASSWORD
from tests.live import daphne_server

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
# Assertions wait as long as actions: on a loaded 2-core CI machine an upload's
# answer or a websocket event can take seconds; the assertions stay exact.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package", autouse=True)
def _chromium_is_there() -> None:
    # Before daphne starts: without chromium there is nothing for it to serve.
    require_chromium()


@pytest.fixture(scope="package")
def live_url(django_db_setup) -> Iterator[str]:
    # After django_db_setup, so daphne gets the test database's name.
    with daphne_server() as base:
        yield base


@pytest.fixture(scope="package")
def browser(live_url) -> Iterator:
    # Playwright's sync API keeps an event loop running in this thread; the ORM
    # calls the tests make here are plain synchronous ones, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        driver.stop()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Users are made with a cheap hash: PBKDF2's million rounds cost ~0.3 s per user.

    daphne does not accept MD5, so sign_in() hands the browser a session made
    here instead of typing the password; the keyboard test logs in through the
    form with a real PBKDF2 hash (see login_with_form_password).
    """
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def login_with_form_password(user) -> None:
    """Give `user` the production hash of PASSWORD, so the login form (in daphne) accepts it."""
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])


@pytest.fixture
def sign_in(browser, live_url) -> Iterator[Callable]:
    """sign_in(user) -> a page of a fresh browser context with `user` signed in.

    `init_script` runs before the page's own scripts (to observe sounds or
    notifications), `permissions` are granted to the context (e.g.
    ["notifications"]), `viewport` is (width, height).
    """
    contexts = []

    def open_inbox(
        user,
        *,
        path: str = "/",
        viewport: tuple[int, int] = (1366, 800),
        init_script: str | None = None,
        permissions: list[str] | None = None,
    ):
        context = new_context(browser, viewport=viewport)
        if permissions:
            context.grant_permissions(permissions, origin=live_url)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        # Shown by pytest when the test fails: what the page's scripts said.
        page.on("console", lambda m: print(f"[{user.username} console.{m.type}] {m.text}"))
        page.on("pageerror", lambda e: print(f"[{user.username} page error] {e}"))
        # A session made here, as the login form would make it (the form has its own test).
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_url}]
        )
        page.goto(f"{live_url}{path}")
        page.locator("#connection[data-state=online]").wait_for()
        return page

    yield open_inbox
    for context in contexts:
        context.close()
    _wait_until_server_is_idle()


def new_context(browser, *, viewport: tuple[int, int] = (1366, 800)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def fresh_page(browser) -> Iterator[Callable]:
    """fresh_page() -> a page in a context of its own, signed in as nobody (a visitor, a login)."""
    contexts = []

    def open_page(viewport: tuple[int, int] = (1280, 800)):
        context = new_context(browser, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: print(f"[fresh page error] {e}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    _wait_until_server_is_idle()


def _wait_until_server_is_idle(timeout: float = 10.0) -> None:
    """Let daphne finish requests the closed pages left in flight.

    The test database is then truncated; on PostgreSQL a TRUNCATE racing a
    request's transaction can deadlock, failing the next test's setup.
    """
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    # A closed page's agent socket is counted off by daphne a moment later, in a
    # transaction of its own: wait for those first, then for anything else in flight.
    while time.monotonic() < deadline and AgentConnection.objects.filter(open_sockets__gt=0):
        time.sleep(0.05)
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture
def off_loop() -> Callable:
    """off_loop(func, *args): run code that publishes events in a worker thread.

    Publishing uses async_to_sync, which refuses a thread with a running event
    loop, and Playwright keeps one running in the test's thread.
    """

    def run(func, *args, **kwargs):
        def call():
            try:
                return func(*args, **kwargs)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(call).result()

    return run


def row(page, text: str):
    """The conversation list's row that mentions `text`."""
    return page.locator("#conversation-list .row", has_text=text)


def visitor_starts_chat(visitor, live_url: str, name: str, text: str) -> None:
    """A website visitor opens the demo widget, gives a name and sends a first line."""
    visitor.goto(f"{live_url}/livechat/demo/")
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_label("Your name (optional)").fill(name)
    visitor.get_by_role("button", name="Start chat").click()
    visitor.get_by_label("Write a message").fill(text)
    visitor.get_by_label("Write a message").press("Enter")
