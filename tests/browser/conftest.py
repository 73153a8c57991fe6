"""The console's world of units and reports (tests/integration/test_console.py), for browser
tests that need the console itself rather than the whole sandbox."""

from tests.integration.test_console import filed, world

__all__ = ["filed", "world"]
