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


# --- refusals a vendor owes beyond its algorithm tables -----------------------------------

BASE = dict(BASE_P1, **BASE_P2, version="IKEV1")
FQDN_IDS = {"LocalIdentity": "FQDN", "LocalFqdnName": "vpn.cloud.example",
            "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example"}


@pytest.mark.parametrize("key,change,extra,expected", [
    ("cisco-ios", {}, {"ike": FQDN_IDS},
     "Cisco IOS cannot send or match an arbitrary FQDN identity under IKEv1; choose IKEv2"),
    ("cisco-asa", {"ike_integ": "SHA-256"}, {},
     "Cisco ASA has no IKEv1 hash algorithm SHA-256; choose one of: MD5, SHA1."),
    ("cisco-asa", {}, {"ike": FQDN_IDS}, "Cisco ASA cannot use an FQDN identity per tunnel"),
    ("juniper-srx", {"esp_enc": "NULL"}, {},
     "Juniper SRX (Junos) has no IPsec encryption algorithm NULL;"),
    ("juniper-srx", {}, {"ike": {"IKESaLifetimeSeconds": 604800}},
     "Juniper SRX (Junos) takes an IKE SA lifetime of 180–86400 s, not 604800 s"),
    ("fortigate", {"dh": "GROUP24"}, {},
     "Fortinet FortiGate (FortiOS) has no DH group GROUP24; choose one of: GROUP1,"),
    ("fortigate", {}, {"ipsec": {"IPSECSaLifetimeTraffic": 2560}},
     "takes an IPsec SA traffic lifetime of 5120–4294967295 KB, not 2560 KB"),
    ("paloalto", {"ike_enc": "SM4"}, {},
     "Palo Alto PAN-OS has no IKE encryption algorithm SM4; choose one of: DES-CBC, 3DES-CBC, "
     "AES-CBC-128"),
    ("paloalto", {}, {"ipsec": {"IPSECSaLifetimeSeconds": 65537}},
     "Palo Alto PAN-OS cannot state an IPsec SA lifetime of 65537 s exactly"),
    ("paloalto", {"version": "IKEV1", "ike_enc": "AES128GCM128"}, {},
     "Palo Alto PAN-OS cannot use IKE encryption algorithm AES128GCM128 with IKEv1"),
    ("huawei", {"pfs": "DH-GROUP24"}, {}, "Huawei USG (VRP) has no PFS group DH-GROUP24;"),
    ("h3c", {"version": "IKEV2", "esp_integ": "SM3"}, {},
     "H3C Comware cannot use IPsec integrity algorithm SM3 with IKEv2"),
    ("libreswan", {"ike_enc": "DES-CBC"}, {},
     "Libreswan has no IKE encryption algorithm DES-CBC; choose one of: 3DES-CBC,"),
    ("libreswan", {"pfs": "DH-GROUP19"}, {}, "Libreswan has no IKEv1 PFS group DH-GROUP19;"),
    ("libreswan", {}, {"ike": {"IKESaLifetimeSeconds": 86401}},
     "Libreswan takes an IKE SA lifetime of 1–86400 s, not 86401 s"),
    ("strongswan", {"esp_enc": "SM4"}, {}, "The IPsec encryption algorithm SM4 cannot run on "
     "the strongSwan dataplane: SM4 is not implemented by strongSwan."),
])
def test_vendor_refusal_names_the_choice_and_the_vendor(key, change, extra, expected):
    extra = dict(extra)
    ipsec = extra.pop("ipsec", {})
    c = dict(BASE, **change)
    conn = connection(c, **extra)
    conn["IPSECOptionsSpecification"].update(ipsec)
    vendor = dc.by_name(key)
    with pytest.raises(UnsupportedChoice) as err:
        dc.render(vendor, GW, CGW, conn, vendor.interface)
    assert expected in str(err.value)
    assert PSK not in str(err.value)


@pytest.mark.parametrize("key", ["cisco-ios", "cisco-asa", "juniper-srx", "fortigate",
                                 "paloalto", "huawei", "h3c"])
def test_a_key_the_command_line_cannot_carry_is_refused_without_showing_it(key):
    secret = 'two words "quoted"'
    conn = connection(BASE)
    conn["PreShareKey"] = secret
    vendor = dc.by_name(key)
    with pytest.raises(UnsupportedChoice) as err:
        dc.render(vendor, GW, CGW, conn, vendor.interface)
    assert "pre-shared key of vpnx-abcd1234" in str(err.value)
    assert "two words" not in str(err.value) and "quoted" not in str(err.value)


def test_libreswan_carries_any_key_as_base64():
    conn = connection(BASE)
    conn["PreShareKey"] = 'two words "quoted"'
    text = dc.render(dc.by_name("libreswan"), GW, CGW, conn, "eth0")
    assert ": PSK 0sdHdvIHdvcmRzICJxdW90ZWQi" in text


# --- the reference's skeletons (reference/vendor-configs.md) ------------------------------

SKELETON = dict(BASE, dh="GROUP14", pfs="DH-GROUP14", ike_integ="SHA")


@pytest.mark.parametrize("key,lines", [
    ("cisco-ios", ["crypto isakmp policy 10", " encryption aes 128", " hash sha", " group 14",
                   " lifetime 86400", "crypto isakmp key {psk} address 203.0.113.10",
                   "crypto isakmp keepalive 10 3 periodic",
                   " permit ip 192.168.11.0 0.0.0.255 10.0.0.0 0.0.0.255",
                   " set pfs group14", " set security-association lifetime kilobytes 1843200",
                   "interface GigabitEthernet0/0", " crypto map TC-MAP"]),
    ("cisco-asa", ["crypto ikev1 enable outside", " isakmp keepalive threshold 10 retry 3",
                   "crypto map TC-MAP 10 set pfs group14", "crypto map TC-MAP interface outside"]),
    ("juniper-srx", ["set security ike gateway TC-GW-abcd1234 dead-peer-detection interval 10 "
                     "threshold 3",
                     "set security ipsec proposal TC-IPSEC-PROP-abcd1234 authentication-algorithm "
                     "hmac-sha1-96",
                     "set security ipsec policy TC-IPSEC-POL-abcd1234 perfect-forward-secrecy keys "
                     "group14"]),
    ("fortigate", ["        set proposal aes128-sha1", "        set dhgrp 14",
                   "        set keylife-type both", "        set keylifekbs 1843200",
                   "        set src-subnet 192.168.10.0 255.255.255.0"]),
    ("paloalto", ["set network ike crypto-profiles ipsec-crypto-profiles TC-IPSEC-abcd1234 "
                  "lifesize mb 1800",
                  "set network ike gateway TC-GW-abcd1234 protocol ikev1 dpd enable yes "
                  "interval 10 retry 3"]),
    ("huawei", [" encryption-algorithm aes-128", " dh group14", " pfs dh-group14",
                " sa duration traffic-based 1843200", " undo version 2"]),
    ("h3c", [" pre-shared-key address 203.0.113.10 255.255.255.255 key simple {psk}",
             " match remote identity address 203.0.113.10 255.255.255.255",
             " dpd interval 10 retry 3 periodic", " esp encryption-algorithm aes-cbc-128",
             " ipsec apply policy tc-map"]),
    ("libreswan", ["    ike=aes128-sha1;modp2048", "    esp=aes128-sha1;modp2048",
                   "    leftsubnets={192.168.10.0/24 192.168.11.0/24}",
                   "    ipsec-max-bytes=1843200KiB", "    dpdaction=restart",
                   '198.51.100.2 203.0.113.10 : PSK "{psk}"']),
])
def test_the_reference_example_renders_as_the_reference_writes_it(key, lines):
    text = render(key, SKELETON).splitlines()
    for line in lines:
        assert line.replace("{psk}", PSK) in text, line


# --- through the emulated cloud's API -----------------------------------------------------

def test_download_renders_every_listed_vendor_and_refuses_by_name(api):
    vpc = api.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gw = api.ok("CreateVpnGateway", VpcId=vpc, VpnGatewayName="g",
                InternetMaxBandwidthOut=5)["VpnGateway"]
    cgw = api.ok("CreateCustomerGateway", CustomerGatewayName="idc",
                 IpAddress="198.51.100.2")["CustomerGateway"]
    spd = [{"LocalCidrBlock": "10.0.0.0/24", "RemoteCidrBlock": ["192.168.10.0/24",
                                                                 "192.168.11.0/24"]},
           {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["192.168.12.0/24"]}]
    conn = api.ok("CreateVpnConnection", VpcId=vpc, VpnGatewayId=gw["VpnGatewayId"],
                  CustomerGatewayId=cgw["CustomerGatewayId"], VpnConnectionName="c",
                  PreShareKey=PSK, SecurityPolicyDatabases=spd,
                  IKEOptionsSpecification={"PropoEncryAlgorithm": "AES-CBC-256",
                                           "PropoAuthenAlgorithm": "SHA-256",
                                           "DhGroupName": "GROUP14", "IKEVersion": "IKEV2"},
                  IPSECOptionsSpecification={"EncryptAlgorithm": "AES-CBC-256",
                                             "IntegrityAlgorithm": "SHA-256",
                                             "PfsDhGroup": "DH-GROUP14"})["VpnConnection"]
    vendors = api.ok("DescribeCustomerGatewayVendors")["CustomerGatewayVendorSet"]
    for new in ({"Platform": "asa", "SoftwareVersion": "V9.8", "VendorName": "cisco"},
                {"Platform": "panos", "SoftwareVersion": "V10.2", "VendorName": "paloalto"},
                {"Platform": "linux", "SoftwareVersion": "4.10", "VendorName": "libreswan"}):
        assert new in vendors
    assert len(vendors) == 9

    def download(vendor: dict) -> dict:
        return api.DownloadCustomerGatewayConfiguration(
            VpnGatewayId=gw["VpnGatewayId"], VpnConnectionId=conn["VpnConnectionId"],
            CustomerGatewayVendor=vendor, InterfaceName=dc.by_api(vendor).interface)

    pairs = {("192.168.10.0/24", "10.0.0.0/24"), ("192.168.11.0/24", "10.0.0.0/24"),
             ("192.168.12.0/24", "10.0.1.0/24")}
    for vendor in vendors:
        key = dc.by_api(vendor).key
        body = download(vendor)
        assert "Error" not in body, (key, body)
        text = body["CustomerGatewayConfiguration"]
        assert PSK in text and gw["PublicIpAddress"] in text
        if key in READERS:
            facts = READERS[key].read(text)
            assert facts["pairs"] == pairs, key
            assert set(facts["peer"]) == {gw["PublicIpAddress"]}

    api.ok("ModifyVpnConnectionAttribute", VpnConnectionId=conn["VpnConnectionId"],
           IKEOptionsSpecification={"DhGroupName": "GROUP24"})
    body = download({"Platform": "fortios", "SoftwareVersion": "V5.6", "VendorName": "fortinet"})
    assert body["Error"]["Code"] == "UnsupportedOperation"
    assert body["Error"]["Message"] == (
        f"No Fortinet FortiGate (FortiOS) configuration for {conn['VpnConnectionId']}: "
        "Fortinet FortiGate (FortiOS) has no DH group GROUP24; choose one of: GROUP1, GROUP2, "
        "GROUP5, GROUP14, GROUP15, GROUP16, GROUP19, GROUP20, GROUP21.")
    assert PSK not in body["Error"]["Message"]
    assert api.err("DownloadCustomerGatewayConfiguration", VpnGatewayId=gw["VpnGatewayId"],
                   VpnConnectionId=conn["VpnConnectionId"], InterfaceName="eth0",
                   CustomerGatewayVendor={"Platform": "sros", "SoftwareVersion": "1",
                                          "VendorName": "nokia"}) == "InvalidParameterValue"
