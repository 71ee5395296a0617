"""A provider's message never carries an object's secret out of the engine: not when
refreshing, not when applying (issue #9)."""

from __future__ import annotations

from eng_fakes import Env, FakeProvider

from engine.diagnostics import Diagnostics
from engine.providers import ApplyResult, ReadResult

SECRET = "Fake-Secret-Value-31"
CONFIG = f'resource "fake_thing" "a" {{\n  name   = "a"\n  secret = "{SECRET}"\n}}\n'


class Quoting(FakeProvider):
    """A provider whose errors quote the object they were given, secret and all."""

    failing: str | None = None

    def read(self, type_name, value):
        if self.failing != "read":
            return super().read(type_name, value)
        d = Diagnostics()
        d.error("Error reading thing", f"The API refused {value}.")
        return ReadResult(None, d)

    def apply(self, request):
        if self.failing != "apply":
            return super().apply(request)
        d = Diagnostics()
        d.error("Error creating thing", f"The API refused {request.planned}.")
        return ApplyResult(None, d)


def _texts(diags) -> str:
    return "\n".join(f"{d.summary}: {d.detail}" for d in diags)


def test_a_refresh_error_does_not_quote_the_recorded_secret(tmp_path):
    env = Env(tmp_path, Quoting())
    env.converge(CONFIG)
    env.fake.failing = "read"
    _, diags = env.plan(CONFIG)
    text = _texts(diags)
    assert "Error reading thing" in text
    assert SECRET not in text and "'secret': (sensitive value)" in text, text


def test_an_apply_error_does_not_quote_a_schema_sensitive_argument(tmp_path):
    """The secret is a literal (no sensitive variable knows it): the schema marks it."""
    env = Env(tmp_path, Quoting())
    p = env.plan_ok(CONFIG)
    env.fake.failing = "apply"
    _, diags = env.apply(p)
    text = _texts(diags)
    assert "Error creating thing" in text
    assert SECRET not in text and "'secret': (sensitive value)" in text, text


class QuotingImport(FakeProvider):
    def import_resource(self, type_name, id):
        result = super().import_resource(type_name, id)
        result.diagnostics.warning("Imported thing is old", f"The API returned {result.value}.")
        return result


def test_an_import_warning_does_not_quote_the_imported_secret(tmp_path):
    env = Env(tmp_path, QuotingImport())
    env.fake.objects["thing-1"] = {"id": "thing-1", "name": "a", "secret": SECRET}
    _, diags = env.plan('import {\n  to = fake_thing.a\n  id = "thing-1"\n}\n' + CONFIG)
    text = _texts(diags)
    assert "Imported thing is old" in text
    assert SECRET not in text and "'secret': (sensitive value)" in text, text
