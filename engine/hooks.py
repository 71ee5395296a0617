"""Progress events from the engine. The engine never prints; the CLI's views implement Hooks.

Every method has a no-op default, so a view overrides only what it shows. Hooks may be
called from worker threads; implementations must be thread-safe.
"""

from __future__ import annotations


class Hooks:
    def pre_refresh(self, address: str, id: str | None) -> None: ...

    def post_refresh(self, address: str, id: str | None, gone: bool) -> None: ...

    def pre_apply(self, address: str, action: str, id: str | None) -> None: ...

    def progress_apply(self, address: str, action: str, id: str | None,
                       elapsed: float) -> None: ...

    def post_apply(self, address: str, action: str, id: str | None, elapsed: float,
                   error: bool) -> None: ...

    def state_persisted(self, address: str) -> None: ...

    def interrupted(self) -> None:
        """The user asked to stop (first Ctrl-C): in-flight operations finish, nothing new."""


class MultiHooks(Hooks):
    """Fan out to several hooks."""

    def __init__(self, *hooks: Hooks):
        self.hooks = hooks

    def __getattribute__(self, name: str):
        if name.startswith("_") or name == "hooks":
            return object.__getattribute__(self, name)

        def call(*args, **kwargs):
            for h in object.__getattribute__(self, "hooks"):
                getattr(h, name)(*args, **kwargs)
        return call
