"""The served cloud's read-only web console at ``/console/``: sign-in with an account's
keys (sessions.py), pages from the API's own answers (app.py), HTML (pages.py)."""

from .app import MAX_FORM, ConsoleApp, Reply, is_console

__all__ = ["MAX_FORM", "ConsoleApp", "Reply", "is_console"]
