"""Reading rendered device configurations back with a real parser of each syntax
(netutils' config parsers), into the tunnel facts a test compares with the input."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Callable

from netutils.config.compliance import parser_map

from providers.tencentcloud.device_config import (cisco_asa, cisco_ios, fortigate, h3c, huawei,
                                                  juniper_srx, paloalto)

FIELDS = ("ike_enc", "ike_integ", "dh", "ike_life", "esp_enc", "esp_integ", "pfs", "esp_life",
          "esp_kb", "peer", "psk")


def flat(parser: str, text: str) -> list[str]:
    """Every line the parser finds, as ``parent > child > line`` (stripped)."""
    rel = parser_map[parser](text).build_config_relationship()
    return [" > ".join([*(p.strip() for p in c.parents), c.config_line.strip()]) for c in rel]


def wildcard_cidr(addr: str, wildcard: str) -> str:
    return str(ipaddress.IPv4Network(f"{addr}/{wildcard}", strict=True))


def netmask_cidr(addr: str, mask: str) -> str:
    return str(ipaddress.IPv4Network(f"{addr}/{mask}", strict=True))


def panos_seconds(text: str) -> int:
    unit, n = text.split()
    return int(n) * {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}[unit]


def panos_kb(text: str) -> int:
    unit, n = text.split()
    return int(n) * {"tb": 1024 ** 3, "gb": 1024 ** 2, "mb": 1024, "kb": 1}[unit]


def inverse(*tables: dict) -> dict[str, set]:
    """keyword → the cloud values that map to it."""
    out: dict[str, set] = {}
    for t in tables:
        for cloud, kw in t.items():
            out.setdefault(kw, set()).add(cloud)
    return out


@dataclass
class Reader:
    """How to read one vendor's text: its netutils parser, one list of patterns per field
    (first group = the value), a pattern for SPD pairs, and the keyword → cloud tables."""

    parser: str
    patterns: dict[str, list[str]]
    pairs: Callable[[list[str]], set[tuple[str, str]]]
    keywords: dict[str, dict[str, set]]
    numbers: dict[str, Callable[[str], int]] = field(default_factory=dict)

    def read(self, text: str) -> dict:
        lines = flat(self.parser, text)
        facts: dict = {"pairs": self.pairs(lines)}
        for name, pats in self.patterns.items():
            found = [m.group(1) for line in lines for p in pats
                     if (m := re.search(p, line))]
            facts[name] = found
        return facts


def _regex_pairs(pattern: str, to_cidr: Callable[[str, str], str] | None):
    def read(lines: list[str]) -> set[tuple[str, str]]:
        out = set()
        for line in lines:
            m = re.search(pattern, line)
            if m and to_cidr:
                out.add((to_cidr(m[1], m[2]), to_cidr(m[3], m[4])))
            elif m:
                out.add((str(ipaddress.IPv4Network(m[1])), str(ipaddress.IPv4Network(m[2]))))
        return out
    return read


def _grouped_pairs(local: str, remote: str, to_cidr: Callable[[str, str], str] | None):
    """Pairs spread over two lines that share a key (first group): Junos traffic selectors,
    FortiOS phase 2 entries."""
    def read(lines: list[str]) -> set[tuple[str, str]]:
        got: dict[str, dict[str, str]] = {}
        for line in lines:
            for side, pat in (("l", local), ("r", remote)):
                m = re.search(pat, line)
                if m:
                    got.setdefault(m[1], {})[side] = (to_cidr(m[2], m[3]) if to_cidr
                                                      else str(ipaddress.IPv4Network(m[2])))
        return {(v["l"], v["r"]) for v in got.values()}
    return read


MAP = r"^crypto map TC-MAP 10 ipsec-isakmp > "
IOS = Reader(
    "cisco_ios",
    {"ike_enc": [r"^crypto isakmp policy 10 > encryption (.+)$",
                 r"^crypto ikev2 proposal \S+ > encryption (.+)$"],
     "ike_integ": [r"^crypto isakmp policy 10 > hash (\S+)$",
                   r"^crypto ikev2 proposal \S+ > (?:integrity|prf) (\S+)$"],
     "dh": [r"^crypto isakmp policy 10 > group (\d+)$", r"^crypto ikev2 proposal \S+ > group (\d+)$"],
     "ike_life": [r"^crypto isakmp policy 10 > lifetime (\d+)$",
                  r"^crypto ikev2 profile \S+ > lifetime (\d+)$"],
     "esp_enc": [r"^crypto ipsec transform-set \S+ (esp-(?:des|3des|null|aes \d+|gcm \d+))"],
     "esp_integ": [r"^crypto ipsec transform-set \S+ .*?(esp-\S+-hmac)$"],
     "pfs": [MAP + r"set pfs group(\d+)$"],
     "esp_life": [MAP + r"set security-association lifetime seconds (\d+)$"],
     "esp_kb": [MAP + r"set security-association lifetime kilobytes (\d+)$"],
     "peer": [MAP + r"set peer (\S+)$"],
     "psk": [r"^crypto isakmp key (\S+) address", r"set aggressive-mode password (\S+)$",
             r"^crypto ikev2 keyring \S+ > peer TC-CLOUD > pre-shared-key (\S+)$"]},
    _regex_pairs(r"^ip access-list extended \S+ > permit ip (\S+) (\S+) (\S+) (\S+)$",
                 wildcard_cidr),
    {"ike_enc": inverse(cisco_ios.IKEV1_ENCRYPTION, cisco_ios.IKEV2_ENCRYPTION),
     "ike_integ": inverse(cisco_ios.IKEV1_HASH, cisco_ios.IKEV2_INTEGRITY),
     "dh": inverse(cisco_ios.GROUPS), "pfs": inverse(cisco_ios.GROUPS),
     "esp_enc": inverse(cisco_ios.ESP_ENCRYPTION), "esp_integ": inverse(cisco_ios.ESP_INTEGRITY)})

AMAP = r"^crypto map TC-MAP 10 "
ASA = Reader(
    "cisco_asa",
    {"ike_enc": [r"^crypto ikev[12] policy 10 > encryption (\S+)$"],
     "ike_integ": [r"^crypto ikev1 policy 10 > hash (\S+)$",
                   r"^crypto ikev2 policy 10 > integrity (\S+)$"],
     "dh": [r"^crypto ikev[12] policy 10 > group (\d+)$"],
     "ike_life": [r"^crypto ikev1 policy 10 > lifetime (\d+)$",
                  r"^crypto ikev2 policy 10 > lifetime seconds (\d+)$"],
     "esp_enc": [r"^crypto ipsec ikev1 transform-set \S+ (\S+) \S+$",
                 r"^crypto ipsec ikev2 ipsec-proposal \S+ > protocol esp encryption (\S+)$"],
     "esp_integ": [r"^crypto ipsec ikev1 transform-set \S+ \S+ (\S+)$",
                   r"^crypto ipsec ikev2 ipsec-proposal \S+ > protocol esp integrity (\S+)$"],
     "pfs": [AMAP + r"set pfs (\S+)$"],
     "esp_life": [AMAP + r"set security-association lifetime seconds (\d+)$"],
     "esp_kb": [AMAP + r"set security-association lifetime kilobytes (\d+)$"],
     "peer": [AMAP + r"set peer (\S+)$"],
     "psk": [r"^tunnel-group \S+ ipsec-attributes > ikev1 pre-shared-key (\S+)$",
             r"^tunnel-group \S+ ipsec-attributes > ikev2 (?:remote|local)-authentication "
             r"pre-shared-key (\S+)$"]},
    _regex_pairs(r"^access-list \S+ extended permit ip (\S+) (\S+) (\S+) (\S+)$", netmask_cidr),
    {"ike_enc": inverse(cisco_asa.IKE_ENCRYPTION),
     "ike_integ": inverse(cisco_asa.IKEV1_HASH, cisco_asa.IKEV2_INTEGRITY),
     "dh": inverse(cisco_asa.IKEV1_GROUPS, cisco_asa.IKEV2_GROUPS),
     "pfs": inverse(cisco_asa.PFS_GROUPS),
     "esp_enc": inverse(cisco_asa.IKEV1_ESP_ENCRYPTION, cisco_asa.IKEV2_ESP_ENCRYPTION),
     "esp_integ": inverse(cisco_asa.IKEV1_ESP_INTEGRITY, cisco_asa.IKEV2_ESP_INTEGRITY)})

JIKE, JIPS = r"^set security ike proposal \S+ ", r"^set security ipsec proposal \S+ "
JUNOS = Reader(
    "juniper_junos",
    {"ike_enc": [JIKE + r"encryption-algorithm (\S+)$"],
     "ike_integ": [JIKE + r"authentication-algorithm (\S+)$"],
     "dh": [JIKE + r"dh-group (\S+)$"], "ike_life": [JIKE + r"lifetime-seconds (\d+)$"],
     "esp_enc": [JIPS + r"encryption-algorithm (\S+)$"],
     "esp_integ": [JIPS + r"authentication-algorithm (\S+)$"],
     "pfs": [r"^set security ipsec policy \S+ perfect-forward-secrecy keys (\S+)$"],
     "esp_life": [JIPS + r"lifetime-seconds (\d+)$"],
     "esp_kb": [JIPS + r"lifetime-kilobytes (\d+)$"],
     "peer": [r"^set security ike gateway \S+ address (\S+)$"],
     "psk": [r'^set security ike policy \S+ pre-shared-key ascii-text "(.+)"$']},
    _grouped_pairs(r"traffic-selector (\S+) local-ip (\S+)$",
                   r"traffic-selector (\S+) remote-ip (\S+)$", None),
    {"ike_enc": inverse(juniper_srx.ENCRYPTION), "ike_integ": inverse(juniper_srx.IKE_INTEGRITY),
     "dh": inverse(juniper_srx.GROUPS), "pfs": inverse(juniper_srx.GROUPS),
     "esp_enc": inverse(juniper_srx.ENCRYPTION),
     "esp_integ": inverse(juniper_srx.ESP_INTEGRITY)})

P1, P2 = r"^config vpn ipsec phase1-interface > edit \S+ > ", \
    r"^config vpn ipsec phase2-interface > edit \S+ > "
FORTI = Reader(
    "fortinet_fortios",
    {"ike_enc": [P1 + r"set proposal ([a-z0-9]+)-"],
     "ike_integ": [P1 + r"set proposal [a-z0-9]+-(?:prf)?(\S+)$"],
     "dh": [P1 + r"set dhgrp (\d+)$"], "ike_life": [P1 + r"set keylife (\d+)$"],
     "esp_enc": [P2 + r"set proposal ([a-z0-9]+)"],
     "esp_integ": [P2 + r"set proposal [a-z0-9]+-(\S+)$"],
     "pfs": [P2 + r"set dhgrp (\d+)$"], "esp_life": [P2 + r"set keylifeseconds (\d+)$"],
     "esp_kb": [P2 + r"set keylifekbs (\d+)$"],
     "peer": [P1 + r"set remote-gw (\S+)$"], "psk": [P1 + r"set psksecret (\S+)$"]},
    _grouped_pairs(r"^config vpn ipsec phase2-interface > (edit \S+) > set src-subnet (\S+) (\S+)$",
                   r"^config vpn ipsec phase2-interface > (edit \S+) > set dst-subnet (\S+) (\S+)$",
                   netmask_cidr),
    {"ike_enc": inverse(fortigate.ENCRYPTION), "ike_integ": inverse(fortigate.INTEGRITY),
     "dh": inverse(fortigate.GROUPS), "pfs": inverse(fortigate.GROUPS),
     "esp_enc": inverse(fortigate.ESP_ENCRYPTION), "esp_integ": inverse(fortigate.INTEGRITY)})

PIKE = r"^set network ike crypto-profiles ike-crypto-profiles \S+ "
PIPS = r"^set network ike crypto-profiles ipsec-crypto-profiles \S+ "
PANOS = Reader(
    "paloalto_panos",
    {"ike_enc": [PIKE + r"encryption (\S+)$"], "ike_integ": [PIKE + r"hash (\S+)$"],
     "dh": [PIKE + r"dh-group (\S+)$"], "ike_life": [PIKE + r"lifetime (\w+ \d+)$"],
     "esp_enc": [PIPS + r"esp encryption (\S+)$"],
     "esp_integ": [PIPS + r"esp authentication ((?!none)\S+)$"],
     "pfs": [PIPS + r"dh-group ((?!no-pfs)\S+)$"], "esp_life": [PIPS + r"lifetime (\w+ \d+)$"],
     "esp_kb": [PIPS + r"lifesize (\w+ \d+)$"],
     "peer": [r"^set network ike gateway \S+ peer-address ip (\S+)$"],
     "psk": [r"^set network ike gateway \S+ authentication pre-shared-key key (\S+)$"]},
    _regex_pairs(r"auto-key proxy-id \S+ local (\S+) remote (\S+) protocol any$", None),
    {"ike_enc": inverse(paloalto.ENCRYPTION), "ike_integ": inverse(paloalto.INTEGRITY),
     "dh": inverse(paloalto.GROUPS), "pfs": inverse(paloalto.GROUPS),
     "esp_enc": inverse(paloalto.ESP_ENCRYPTION), "esp_integ": inverse(paloalto.INTEGRITY)},
    {"ike_life": panos_seconds, "esp_life": panos_seconds, "esp_kb": panos_kb})

HUAWEI = Reader(
    "hp_comware",
    {"ike_enc": [r"^ike proposal 10 > encryption-algorithm (\S+)$"],
     "ike_integ": [r"^ike proposal 10 > (?:authentication|integrity)-algorithm (\S+)$"],
     "dh": [r"^ike proposal 10 > dh (\S+)$"], "ike_life": [r"^ike proposal 10 > sa duration (\d+)$"],
     "esp_enc": [r"^ipsec proposal \S+ > esp encryption-algorithm (\S+)$"],
     "esp_integ": [r"^ipsec proposal \S+ > esp authentication-algorithm (\S+)$"],
     "pfs": [r"^ipsec policy tc-map 10 isakmp > pfs dh-(\S+)$"],
     "esp_life": [r"^ipsec policy tc-map 10 isakmp > sa duration time-based (\d+)$"],
     "esp_kb": [r"^ipsec policy tc-map 10 isakmp > sa duration traffic-based (\d+)$"],
     "peer": [r"^ike peer \S+ > remote-address (\S+)$"],
     "psk": [r"^ike peer \S+ > pre-shared-key (\S+)$"]},
    _regex_pairs(r"^acl number 3000 > rule \d+ permit ip source (\S+) (\S+) destination (\S+) "
                 r"(\S+)$", wildcard_cidr),
    {"ike_enc": inverse(huawei.IKE_ENCRYPTION),
     "ike_integ": inverse(huawei.IKEV1_INTEGRITY, huawei.IKEV2_INTEGRITY),
     "dh": inverse(huawei.GROUPS), "pfs": inverse(huawei.GROUPS),
     "esp_enc": inverse(huawei.ESP_ENCRYPTION), "esp_integ": inverse(huawei.ESP_INTEGRITY)})

H3C = Reader(
    "hp_comware",
    {"ike_enc": [r"^ike proposal 10 > encryption-algorithm (\S+)$",
                 r"^ikev2 proposal \S+ > encryption (\S+)$"],
     "ike_integ": [r"^ike proposal 10 > authentication-algorithm (\S+)$",
                   r"^ikev2 proposal \S+ > integrity (\S+)$"],
     "dh": [r"^ike proposal 10 > dh (\S+)$", r"^ikev2 proposal \S+ > dh (\S+)$"],
     "ike_life": [r"^ike proposal 10 > sa duration (\d+)$",
                  r"^ikev2 profile \S+ > sa duration (\d+)$"],
     "esp_enc": [r"^ipsec transform-set \S+ > esp encryption-algorithm (\S+)$"],
     "esp_integ": [r"^ipsec transform-set \S+ > esp authentication-algorithm (\S+)$"],
     "pfs": [r"^ipsec transform-set \S+ > pfs dh-(\S+)$"],
     "esp_life": [r"^ipsec policy tc-map 10 isakmp > sa duration time-based (\d+)$"],
     "esp_kb": [r"^ipsec policy tc-map 10 isakmp > sa duration traffic-based (\d+)$"],
     "peer": [r"^ipsec policy tc-map 10 isakmp > remote-address (\S+)$"],
     "psk": [r"^ike keychain \S+ > pre-shared-key address \S+ \S+ key simple (\S+)$",
             r"^ikev2 keyring \S+ > peer tc-cloud > pre-shared-key plaintext (\S+)$"]},
    _regex_pairs(r"^acl advanced 3000 > rule \d+ permit ip source (\S+) (\S+) destination (\S+) "
                 r"(\S+)$", wildcard_cidr),
    {"ike_enc": inverse(h3c.ENCRYPTION),
     "ike_integ": inverse(h3c.IKEV1_INTEGRITY, h3c.IKEV2_INTEGRITY),
     "dh": inverse(h3c.GROUPS), "pfs": inverse(h3c.GROUPS),
     "esp_enc": inverse(h3c.ESP_ENCRYPTION), "esp_integ": inverse(h3c.ESP_INTEGRITY)})

READERS = {"cisco-ios": IOS, "cisco-asa": ASA, "juniper-srx": JUNOS, "fortigate": FORTI,
           "paloalto": PANOS, "huawei": HUAWEI, "h3c": H3C}
