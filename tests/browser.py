"""Which tests drive a browser, and what to do when Debian's chromium is missing.

Without chromium the browser tests are skipped and the run's summary says so in one
line (tests/conftest.py); with CHATDESK_REQUIRE_BROWSER=1 (CI, .ci/run) they fail
instead, so they can never silently stop running there.
"""

from __future__ import annotations

import os
import shutil
import types
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
MISSING = (
    f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
    "Install it with `sudo apt-get install -y chromium` (or set CHROMIUM_PATH)"
)
# Seen by the summary line on the skip reports, which reach it from xdist workers too.
SKIP_PREFIX = "browser test skipped: "


def chromium_missing() -> bool:
    return not os.path.exists(CHROMIUM)


def browser_required() -> bool:
    return os.environ.get("CHATDESK_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def require_chromium() -> None:
    """Skip the calling test (or fail it where the browser is required) without chromium."""
    if not chromium_missing():
        return
    if browser_required():
        pytest.fail(f"{MISSING}; CHATDESK_REQUIRE_BROWSER is set, so this is a failure.")
    pytest.skip(SKIP_PREFIX + MISSING)


def _from_playwright(value: object) -> bool:
    name = (
        value.__name__
        if isinstance(value, types.ModuleType)
        else getattr(value, "__module__", None)
    )
    return isinstance(name, str) and name.split(".")[0] == "playwright"


def drives_a_browser(item: pytest.Item, root: Path) -> bool:
    """A test of tests/e2e, or one whose module uses Playwright."""
    if "e2e" in item.path.relative_to(root).parts or "browser" in getattr(item, "fixturenames", ()):
        return True
    module = getattr(item, "module", None)
    return module is not None and any(_from_playwright(v) for v in vars(module).values())
