"""Without Debian's chromium the browser tests skip with one line in pytest's summary
saying how to install it; CI (CHATDESK_REQUIRE_BROWSER=1) makes that a failure."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chatdesk.env import BASE_DIR

pytestmark = pytest.mark.slow

# One browser test outside tests/e2e (1 test), one file of tests/e2e (3 tests).
BROWSER_TESTS = [
    "tests/livechat/test_widget_in_browser.py",
    "tests/e2e/test_livechat_and_access.py",
]


def _pytest(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    child_env = {
        k: v
        for k, v in os.environ.items()
        # The child is a run of its own: not an xdist worker, with chromium missing.
        if not k.startswith(("PYTEST_", "CHATDESK_REQUIRE_BROWSER"))
    }
    child_env.update(
        CHROMIUM_PATH=str(tmp_path / "no-chromium-here"),
        CHATDESK_VAR_DIR=str(tmp_path / "var"),
        **env,
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *BROWSER_TESTS,
        ],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_tests_skip_with_one_loud_line(tmp_path):
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    loud = [line for line in lines if "BROWSER TESTS SKIPPED" in line]
    assert len(loud) == 1, result.stdout
    assert loud[0].startswith("4 BROWSER TESTS SKIPPED: ")
    assert "no-chromium-here is missing" in loud[0]
    assert "apt-get install -y chromium" in loud[0]
    assert "4 skipped" in lines[-1]


def test_ci_turns_the_skip_into_a_failure(tmp_path):
    result = _pytest(tmp_path, CHATDESK_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROWSER TESTS SKIPPED" not in result.stdout
    assert "CHATDESK_REQUIRE_BROWSER is set, so this is a failure" in result.stdout
    assert "4 errors" in result.stdout.splitlines()[-1]
