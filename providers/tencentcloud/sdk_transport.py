"""The HTTP transport: VPC API calls through the official SDK (tencentcloud-sdk-python), to a
served emulator or the real cloud, behind the client seam of client.py.

The SDK signs (TC3-HMAC-SHA256) and sends each call; this module turns its outcomes into
what the seam expects: the ``Response`` body, an error envelope for a cloud error code (so
``VpcClient``'s retry rules apply), or ``CloudTransportError`` when no answer came.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import urlsplit

import requests
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from engine.version import VERSION

from .client import CloudTransportError, CloudUnreachable
from .connection import DEFAULT_DOMAIN, Endpoint

VPC_SERVICE = ("vpc", "2017-03-12")
# Actions of another service that vpnform calls: (service, version).
MONITOR_ACTIONS = ("GetMonitorData", "DescribeBaseMetrics", "CreateAlarmNotice",
                   "ModifyAlarmNotice", "DescribeAlarmNotices", "DeleteAlarmNotices",
                   "CreateAlarmPolicy", "DescribeAlarmPolicy", "DescribeAlarmPolicies",
                   "ModifyAlarmPolicyCondition", "ModifyAlarmPolicyInfo",
                   "ModifyAlarmPolicyStatus", "ModifyAlarmPolicyNotice", "DeleteAlarmPolicy",
                   "BindingPolicyObject", "DescribeBindingPolicyObjectList",
                   "UnBindingPolicyObject", "UnBindingAllPolicyObject",
                   "DescribeAlarmHistories")
OTHER_SERVICES = {"ModifyResourceTags": ("tag", "2018-08-13"),
                  **{a: ("monitor", "2018-07-24") for a in MONITOR_ACTIONS}}
# Codes the SDK makes up itself when no answer from the cloud was read: the cloud's own
# codes come with a RequestId.
SDK_SIDE_CODES = frozenset({"ClientNetworkError", "ServerNetworkError", "ClientError",
                            "ClientParamsError", "InvalidCredential"})
# The SDK hands certifi's CA bundle to requests, which then ignores REQUESTS_CA_BUNDLE: read
# here, so that a served emulator's self-signed certificate can be trusted through it.
# How the SDK's message says a request never left this machine: the connection was refused,
# or the host has no address (the first mark is the refusal).
UNREACHABLE_MARKS = ("connection refused", "name or service not known", "nameresolution",
                     "getaddrinfo", "nodename nor servname")
CA_BUNDLE_ENVS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def service_of(action: str) -> tuple[str, str]:
    """The (service, API version) that answers ``action``."""
    return OTHER_SERVICES.get(action, VPC_SERVICE)


class SdkTransport:
    """Sends each call with the SDK's ``CommonClient.call_json``. Thread-safe: each thread
    has its own SDK clients (and HTTP connections)."""

    def __init__(self, credential: Credential, *, endpoint: Endpoint | None = None,
                 domain: str = DEFAULT_DOMAIN, scheme: str = "https", timeout: float = 60,
                 ca_bundle: str | None = None):
        self.credential = credential
        self.endpoint = endpoint
        self.domain = domain
        self.scheme = endpoint.scheme if endpoint else scheme
        self.timeout = timeout
        self.ca_bundle = ca_bundle if ca_bundle is not None else next(
            (os.environ[e] for e in CA_BUNDLE_ENVS if os.environ.get(e)), None)
        self._local = threading.local()

    def url_for(self, action: str) -> str:
        """The URL a call of ``action`` goes to."""
        if self.endpoint is not None:
            return self.endpoint.url
        return f"{self.scheme}://{service_of(action)[0]}.{self.domain}"

    def proxy_for(self, action: str) -> str | None:
        """The proxy a call of ``action`` goes through (HTTP_PROXY or HTTPS_PROXY, unless
        NO_PROXY names the host: the SDK's own rule), without any password in it."""
        host = self.endpoint.host if self.endpoint else f"{service_of(action)[0]}.{self.domain}"
        no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy")
        if no_proxy and host in no_proxy:
            return None
        name = "http_proxy" if self.scheme == "http" else "https_proxy"
        proxy = os.environ.get(name) or os.environ.get(name.upper())
        if not proxy:
            return None
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"

    def _client(self, action: str, region: str) -> CommonClient:
        service, version = service_of(action)
        clients = self._local.__dict__.setdefault("clients", {})
        client = clients.get((service, region))
        if client is None:
            http = HttpProfile(protocol=self.scheme, reqTimeout=self.timeout,
                               rootDomain=self.domain,
                               endpoint=self.endpoint.host if self.endpoint else None,
                               certification=self.ca_bundle)
            profile = ClientProfile(httpProfile=http, language="en-US",
                                    request_client=f"vpnform_{VERSION}")
            client = clients[(service, region)] = CommonClient(
                service, version, self.credential, region, profile)
        return client

    def send(self, action: str, params: dict, region: str) -> dict:
        try:
            body = self._client(action, region).call_json(action, params)
        except TencentCloudSDKException as e:
            code = str(e.code or "")
            if code and code not in SDK_SIDE_CODES and e.requestId:
                return {"Error": {"Code": code, "Message": str(e.message or "")},
                        "RequestId": str(e.requestId)}
            message = self._no_answer(action, code, e.message)
            if self._unreachable(e.message):
                raise CloudUnreachable(message) from None
            raise CloudTransportError(message) from None
        except requests.RequestException as e:  # the body was cut off while being read
            raise CloudTransportError(self._no_answer(action, "ClientNetworkError", e)) from None
        except (ValueError, KeyError, TypeError) as e:  # not the API's JSON
            raise CloudTransportError(
                f"{action}: the answer from {self.url_for(action)} is not a Tencent Cloud API "
                f"response ({type(e).__name__}). Check that the endpoint is a Tencent Cloud "
                "API or a served emulator.") from None
        response = body.get("Response") if isinstance(body, dict) else None
        if not isinstance(response, dict):
            raise CloudTransportError(
                f"{action}: the answer from {self.url_for(action)} has no \"Response\" object. "
                "Check that the endpoint is a Tencent Cloud API or a served emulator.")
        return response

    @staticmethod
    def _unreachable(message: object) -> bool:
        """Whether the SDK's message says the request never left: refused, or no address."""
        low = str(message or "").lower()
        return any(m in low for m in UNREACHABLE_MARKS)

    def _no_answer(self, action: str, code: str, message: object) -> str:
        url = self.url_for(action)
        if code == "ServerNetworkError":
            text = message.decode("utf-8", "replace") if isinstance(message, bytes) \
                else str(message)
            excerpt = self._scrub(" ".join(text.split()))[:200]
            return (f"{action}: {url} answered with an HTTP status other than 200"
                    + (f": {excerpt}" if excerpt else "") + ".")
        text = self._scrub(" ".join(str(message or "").split()))
        low = text.lower()
        if "timed out" in low or "timeout" in low:
            return (f"{action}: no answer from {url} within {self.timeout:g} s. Check that the "
                    "server is up and reachable.")
        if UNREACHABLE_MARKS[0] in low:
            return (f"{action}: {url} refused the connection. Check the endpoint, and that "
                    "the server (such as vpnform cloud serve) is running.")
        if any(m in low for m in UNREACHABLE_MARKS[1:]):
            return (f"{action}: the host of {url} could not be resolved. Check the endpoint "
                    "or domain, and the network's DNS.")
        return f"{action}: no answer from {url}: {text}"

    def _scrub(self, text: str) -> str:
        """``text`` without the credential's secrets (a proxy URL may carry one, too)."""
        for secret in (self.credential.secret_key, self.credential.token):
            if secret:
                text = text.replace(secret, "***")
        return text


def credential(secret_id: str, secret_key: str, token: str | None) -> Credential:
    """The SDK's credential; raises ValueError (with no secret in it) when it refuses one."""
    try:
        return Credential(secret_id, secret_key, token or None)
    except TencentCloudSDKException as e:
        raise ValueError(str(e.message)) from None


__all__ = ["SdkTransport", "credential", "service_of"]
