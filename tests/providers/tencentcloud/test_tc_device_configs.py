"""The IDC device's configuration for every vendor: each text read back by a real parser
of its syntax (netutils; Libreswan's own addconn and algparse) for every combination of
algorithms the cloud allows, the refusals each vendor owes, and the download action."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from device_config_support import READERS

from providers.tencentcloud import device_config as dc
from providers.tencentcloud import rules
from providers.tencentcloud.device_config import libreswan
from providers.tencentcloud.device_config.model import UnsupportedChoice

PSK = "Tc-psk.7f3a9!x"
GW = {"VpnGatewayId": "vpngw-11112222", "PublicIpAddress": "203.0.113.10"}
CGW = {"CustomerGatewayId": "cgw-33334444", "IpAddress": "198.51.100.2"}
SPD = [{"LocalCidrBlock": "10.0.0.0/24", "RemoteCidrBlock": ["192.168.10.0/24", "192.168.11.0/24"]},
       {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["192.168.12.0/24"]}]
# The device's view: (IDC range, VPC range) per SPD pair.
PAIRS = {("192.168.10.0/24", "10.0.0.0/24"), ("192.168.11.0/24", "10.0.0.0/24"),
         ("192.168.12.0/24", "10.0.1.0/24")}
GCM = {"AES128GCM128", "AES192GCM128", "AES256GCM128"}
BASE_P1 = {"ike_enc": "AES-CBC-128", "ike_integ": "SHA1", "dh": "GROUP14", "mode": "MAIN"}
BASE_P2 = {"esp_enc": "AES-CBC-128", "esp_integ": "SHA1", "pfs": "DH-GROUP14"}

# Every combination the cloud accepts (rules.py), one phase at a time with the other fixed:
# a vendor maps each phase's options on their own, but both depend on the IKE version.
PHASE1 = [dict(BASE_P2, ike_enc=e, ike_integ=a, dh=g, version=v, mode=m)
          for e, a, g, v, m in itertools.product(
              rules.IKE_ENCRYPTION_ALGORITHMS, rules.IKE_AUTHENTICATION_ALGORITHMS,
              rules.DH_GROUPS, rules.IKE_VERSIONS, rules.IKE_EXCHANGE_MODES)]
PHASE2 = [dict(BASE_P1, esp_enc=e, esp_integ=a, pfs=p, version=v)
          for e, a, p, v in itertools.product(
              rules.IPSEC_ENCRYPTION_ALGORITHMS, rules.IPSEC_INTEGRITY_ALGORITHMS,
              rules.PFS_DH_GROUPS, rules.IKE_VERSIONS)]


def connection(c: dict, **extra) -> dict:
    return {"VpnConnectionId": "vpnx-abcd1234", "VpnConnectionName": "TomVPNConn",
            "PreShareKey": PSK,
            "IKEOptionsSpecification": {
                **rules.IKE_DEFAULTS, "PropoEncryAlgorithm": c["ike_enc"],
                "PropoAuthenAlgorithm": c["ike_integ"], "DhGroupName": c["dh"],
                "IKEVersion": c["version"], "ExchangeMode": c["mode"],
                **extra.pop("ike", {})},
            "IPSECOptionsSpecification": {
                **rules.IPSEC_DEFAULTS, "EncryptAlgorithm": c["esp_enc"],
                "IntegrityAlgorith": c["esp_integ"], "PfsDhGroup": c["pfs"]},
            "SecurityPolicyDatabaseSet": SPD, "DpdEnable": 1, "DpdTimeout": "30",
            "DpdAction": "restart", "NegotiationType": "active", **extra}


def render(key: str, c: dict, **extra) -> str:
    vendor = dc.by_name(key)
    return dc.render(vendor, GW, CGW, connection(c, **extra), vendor.interface)


def refusals(key: str, c: dict) -> set[str]:
    """What the vendor cannot express in combination ``c`` (reference/vendor-configs.md),
    written here independently of the renderers."""
    v1, ike_aead, esp_aead = c["version"] == "IKEV1", c["ike_enc"] in GCM, c["esp_enc"] in GCM
    out: set[str] = set()

    def no(cond: bool, value: str) -> None:
        if cond:
            out.add(value)
    pfs = c["pfs"].removeprefix("DH-")
    if key == "cisco-ios":
        no(c["ike_enc"] == "SM4" or (ike_aead and (v1 or c["ike_enc"] == "AES192GCM128")),
           c["ike_enc"])
        no(c["esp_enc"] in {"SM4", "AES192GCM128"}, c["esp_enc"])
        no(c["esp_integ"] == "SM3" and not esp_aead, "SM3")
    elif key == "cisco-asa":
        no(c["ike_enc"] == "SM4" or ike_aead, c["ike_enc"])
        no(v1 and c["ike_integ"] in {"SHA-256", "SHA-512"}, c["ike_integ"])
        no(v1 and c["dh"] not in {"GROUP1", "GROUP2", "GROUP5", "GROUP14"}, c["dh"])
        no(c["esp_enc"] == "SM4" or esp_aead, c["esp_enc"])
        no(c["esp_integ"] == "SM3" or (v1 and c["esp_integ"].startswith("SHA-")), c["esp_integ"])
    elif key == "juniper-srx":
        no(c["ike_enc"] in {"SM4", "AES192GCM128"} or (ike_aead and v1), c["ike_enc"])
        no(c["esp_enc"] in {"SM4", "NULL", "AES192GCM128"}, c["esp_enc"])
        no(c["esp_integ"] == "SM3" and not esp_aead, "SM3")
    elif key in ("fortigate", "paloalto"):
        no(c["ike_enc"] in {"SM4", "AES192GCM128"} or (ike_aead and v1), c["ike_enc"])
        no(c["dh"] == "GROUP24", "GROUP24")
        no(c["esp_enc"] in {"SM4", "AES192GCM128"}, c["esp_enc"])
        no(c["esp_integ"] == "SM3" and not esp_aead, "SM3")
        no(pfs == "GROUP24", "DH-GROUP24")
    elif key == "huawei":
        no(c["ike_enc"] == "SM4" or ike_aead, c["ike_enc"])
        no(c["dh"] not in {"GROUP1", "GROUP2", "GROUP5", "GROUP14"}, c["dh"])
        no(c["esp_enc"] == "NULL" or esp_aead, c["esp_enc"])
        no(pfs not in {"NULL", "GROUP1", "GROUP2", "GROUP5", "GROUP14"}, c["pfs"])
    elif key == "h3c":
        no(c["ike_enc"] == "SM4" or ike_aead, c["ike_enc"])
        no(c["dh"] in {"GROUP15", "GROUP16", "GROUP19", "GROUP20", "GROUP21"}, c["dh"])
        no(c["esp_enc"] == "SM4" or esp_aead, c["esp_enc"])
        no(c["esp_integ"] == "SM3" and not v1, "SM3")
        no(pfs in {"GROUP15", "GROUP16", "GROUP19", "GROUP20", "GROUP21"}, c["pfs"])
    elif key == "libreswan":
        no(c["ike_enc"] in {"DES-CBC", "SM4"} or (ike_aead and v1), c["ike_enc"])
        no(c["dh"] in {"GROUP1", "GROUP2", "GROUP24"}, c["dh"])
        no(c["esp_enc"] in {"DES-CBC", "SM4"}, c["esp_enc"])
        no(c["esp_integ"] == "SM3" and not esp_aead, "SM3")
        no(pfs in {"GROUP1", "GROUP2", "GROUP24"} or (v1 and pfs in {"GROUP19", "GROUP20", "GROUP21"}),
           c["pfs"])
    return out


def check_refused(key: str, c: dict, refused: set[str]) -> None:
    with pytest.raises(UnsupportedChoice) as err:
        render(key, c)
    message = str(err.value)
    assert dc.by_name(key).title in message, message
    assert any(re.search(rf"\b{re.escape(v)}\b", message) for v in refused), (c, message)
    assert PSK not in message


def check_parsed(key: str, c: dict) -> None:
    reader = READERS[key]
    facts = reader.read(render(key, c))
    assert facts["pairs"] == PAIRS, c
    assert facts["peer"] and set(facts["peer"]) == {GW["PublicIpAddress"]}
    assert facts["psk"] and set(facts["psk"]) == {PSK}
    want = {"ike_enc": c["ike_enc"], "ike_integ": "SHA1" if c["ike_integ"] == "SHA" else
            c["ike_integ"], "dh": c["dh"], "esp_enc": c["esp_enc"], "esp_integ": c["esp_integ"],
            "pfs": None if c["pfs"] == "NULL" else c["pfs"].removeprefix("DH-")}
    for name, value in want.items():
        found = set(facts[name])
        if not found:
            # Absent only where the vendor writes nothing: an AEAD cipher's integrity, no PFS.
            assert (value is None or (name == "ike_integ" and c["ike_enc"] in GCM)
                    or (name == "esp_integ" and c["esp_enc"] in GCM)), (name, c)
            continue
        assert value is not None and len(found) == 1, (name, found, c)
        assert value in reader.keywords[name][found.pop()], (name, c)
    for name, value in (("ike_life", 86400), ("esp_life", 3600), ("esp_kb", 1843200)):
        number = reader.numbers.get(name, int)
        assert {number(v) for v in facts[name]} == {value}, (name, facts[name])


@pytest.mark.parametrize("phase", ["phase1", "phase2"])
@pytest.mark.parametrize("key", sorted(READERS))
def test_every_allowed_combination_parses_or_is_refused_by_name(key, phase):
    combos = PHASE1 if phase == "phase1" else PHASE2
    rendered = 0
    for c in combos:
        refused = refusals(key, c)
        if refused:
            check_refused(key, c, refused)
        else:
            check_parsed(key, c)
            rendered += 1
    assert rendered >= len(combos) // 10  # a refusal is the exception, not the rule


# --- Libreswan: its own checker ----------------------------------------------------------

LIBRESWAN_DIRS = [os.environ.get("VPNFORM_LIBRESWAN_DIR", ""), "/var/cache/vpnform/libreswan",
                  str(Path.home() / ".cache/vpnform/libreswan")]
TOOLS = "usr/libexec/ipsec"


def _fetch_libreswan(into: Path) -> str | None:
    """Debian's libreswan conflicts with strongSwan, so it is never installed: its .deb is
    downloaded and unpacked into ``into``. None when done, else why not."""
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        return "apt-get and dpkg are needed to fetch Debian's libreswan"
    into.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["apt-get", "download", "libreswan"], cwd=into, check=True,
                       capture_output=True, timeout=120)
        deb = sorted(into.glob("libreswan_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", str(deb), str(into / "root")], check=True,
                       capture_output=True, timeout=120)
    except (subprocess.SubprocessError, IndexError) as err:
        return f"apt-get download libreswan failed: {err}"
    return None


@pytest.fixture(scope="session")
def libreswan_tools() -> Path:
    for d in filter(None, LIBRESWAN_DIRS):
        tools = Path(d) / "root" / TOOLS
        if (tools / "addconn").exists():
            return tools
    cache = Path(LIBRESWAN_DIRS[-1])
    why = _fetch_libreswan(cache)
    if why:
        pytest.skip(f"Libreswan's checker is unavailable: {why}")
    return cache / "root" / TOOLS


def _conf(text: str) -> str:
    [conf] = [v for k, v in libreswan.split_files(text).items() if k.endswith(".conf")]
    return conf


def _run(tools: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(tools / args[0]), *args[1:]], capture_output=True, text=True,
                          timeout=30)


def test_libreswan_algorithms_pass_algparse_for_every_allowed_combination(libreswan_tools):
    checked: set[tuple[str, str, str]] = set()
    for c in PHASE1 + PHASE2:
        refused = refusals("libreswan", c)
        if refused:
            check_refused("libreswan", c, refused)
            continue
        conf = _conf(render("libreswan", c))
        ike = re.search(r"^\s+ike=(\S+)$", conf, re.M)[1]
        esp = re.search(r"^\s+esp=(\S+)$", conf, re.M)[1]
        checked.add(("-v2" if "ikev2=yes" in conf else "-v1", ike, esp))
    assert len(checked) > 50
    for version, ike, esp in sorted(checked):
        got = _run(libreswan_tools, "algparse", version, "-pfs", f"ike={ike}", f"esp={esp}")
        assert got.returncode == 0 and "ERROR" not in got.stdout, (version, ike, esp, got.stdout)


LIBRESWAN_VARIANTS = {
    "ikev1-main": {},
    "ikev1-aggressive-fqdn": {"ike": {"ExchangeMode": "AGGRESSIVE", "LocalIdentity": "FQDN",
                                      "LocalFqdnName": "vpn.cloud.example",
                                      "RemoteIdentity": "FQDN",
                                      "RemoteFqdnName": "idc.example"}},
    "ikev2-passive-no-dpd": {"ike": {"IKEVersion": "IKEV2"}, "NegotiationType": "passive",
                             "DpdEnable": 0},
}


@pytest.mark.parametrize("variant", sorted(LIBRESWAN_VARIANTS))
def test_libreswan_conf_passes_addconn(libreswan_tools, tmp_path, variant):
    extra = dict(LIBRESWAN_VARIANTS[variant])
    text = render("libreswan", dict(BASE_P1, **BASE_P2, version="IKEV1"), **extra)
    conf = tmp_path / "tc.conf"
    conf.write_text(_conf(text))
    check = _run(libreswan_tools, "addconn", "--checkconfig", "--config", str(conf))
    assert check.returncode == 0, check.stderr
    listed = _run(libreswan_tools, "addconn", "--config", str(conf), "--listall")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr  # no duplicate keys
    assert listed.stdout.split() == ["tc-vpnx-abcd1234", "tc-vpnx-abcd1234-spd1",
                                     "tc-vpnx-abcd1234-spd2"]
    loaded = _run(libreswan_tools, "readwriteconf", "--config", str(conf)).stdout
    assert "rightsubnet=10.0.0.0/24" in loaded and "rightsubnet=10.0.1.0/24" in loaded
    assert "leftsubnets=" in loaded and "192.168.11.0/24" in loaded
    assert "right=203.0.113.10" in loaded and "ipsec-max-bytes=1887436800" in loaded
    secrets = [v for k, v in libreswan.split_files(text).items() if k.endswith(".secrets")]
    assert secrets and f'PSK "{PSK}"' in secrets[0]
    if variant == "ikev1-aggressive-fqdn":
        assert "aggressive=yes" in loaded and "@idc.example" in loaded
        assert secrets[0].startswith("@idc.example @vpn.cloud.example : PSK")
    if variant == "ikev2-passive-no-dpd":
        assert "auto=start" in text and "dpddelay" not in text
