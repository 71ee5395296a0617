"""Helpers shared by the tencentcloud tests (a unique module name, imported by path)."""

REGION = "ap-guangzhou"
BASE_PSK = "base-objects-psk-9f3k"  # the base objects' tunnel (conftest.py)


class Api:
    """``api.Action(**params)`` → the response body; errors come back as the body too."""

    def __init__(self, service, region=REGION):
        self.service = service
        self.region = region

    def __getattr__(self, action):
        return lambda **params: self.service.call(action, params, self.region)

    def ok(self, action, **params):
        body = self.service.call(action, params, self.region)
        assert "Error" not in body, body
        return body

    def err(self, action, **params):
        body = self.service.call(action, params, self.region)
        assert "Error" in body, body
        return body["Error"]["Code"]


def blank_config(provider, type_name, **values):
    block = provider.schema().resources[type_name].block
    cfg = {n: None for n in block.attributes}
    cfg.update({n: [] for n in block.block_types})
    cfg.update(values)
    return cfg
