"""Libreswan: an ipsec.conf with one conn per SPD policy (``leftsubnets`` expands to one
SA per pair) and its ipsec.secrets line, as two files in one text."""

from __future__ import annotations

import base64
import re

from .model import Tunnel
from .vendor import Vendor, check_range, header, is_aead, pick, require_ikev2_for_aead

TITLE = "Libreswan"
# Libreswan 4.10's algparse rejects DES, MODP768/1024 and group 24 (results in
# reference/vendor-configs.md §11.2); they are left out so the refusal names them.
ENCRYPTION = {"3DES-CBC": "3des", "AES-CBC-128": "aes128", "AES-CBC-192": "aes192",
              "AES-CBC-256": "aes256", "AES128GCM128": "aes_gcm128",
              "AES192GCM128": "aes_gcm192", "AES256GCM128": "aes_gcm256"}
ESP_ENCRYPTION = {**ENCRYPTION, "NULL": "null"}
INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha2_256", "SHA-384": "sha2_384",
             "SHA-512": "sha2_512"}
GROUPS = {"GROUP5": "modp1536", "GROUP14": "modp2048", "GROUP15": "modp3072",
          "GROUP16": "modp4096", "GROUP19": "dh19", "GROUP20": "dh20", "GROUP21": "dh21"}
MAX_LIFETIME = 86400  # ikelifetime and salifetime: at most 24h
# Libreswan 4.10's algparse: "ESP DH algorithm 'dh19' is not supported by IKEv1".
IKEV1_PFS_GROUPS = {k: v for k, v in GROUPS.items() if not v.startswith("dh")}
FILE_MARK = "# file: "


def _id(kind: str, value: str) -> str:
    return f"@{value}" if kind == "FQDN" else value


def _secret(psk: str) -> str:
    # A quoted PSK cannot hold a double quote or a newline; 0s<base64> holds any key.
    if re.fullmatch(r'[^"\n\r\\]+', psk):
        return f'"{psk}"'
    return "0s" + base64.b64encode(psk.encode()).decode()


def split_files(text: str) -> dict[str, str]:
    """The files of a rendered text: ``{path: content}``, cut at its ``# file:`` lines."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(FILE_MARK):
            current = files.setdefault(line[len(FILE_MARK):].strip(), [])
        elif current is not None:
            current.append(line)
    return {path: "\n".join(lines) + "\n" for path, lines in files.items()}


def render(t: Tunnel) -> str:
    require_ikev2_for_aead(t, TITLE)
    name = f"tc-{t.connection_id}"
    ike_parts = [pick(ENCRYPTION, t.ike.encryption, "IKE encryption algorithm", TITLE)]
    if not is_aead(t.ike.encryption) or t.ike_version == 2:
        # An IKEv2 AEAD proposal still names its PRF in this slot.
        ike_parts.append(pick(INTEGRITY, t.ike.integrity, "IKE integrity algorithm", TITLE))
    ike = "-".join(ike_parts) + ";" + pick(GROUPS, t.ike.dh_group, "DH group", TITLE)
    esp = pick(ESP_ENCRYPTION, t.ipsec.encryption, "IPsec encryption algorithm", TITLE)
    if not is_aead(t.ipsec.encryption):
        esp += "-" + pick(INTEGRITY, t.ipsec.integrity, "IPsec integrity algorithm", TITLE)
    if t.ipsec.pfs_group:
        pfs_groups = GROUPS if t.ike_version == 2 else IKEV1_PFS_GROUPS
        esp += ";" + pick(pfs_groups, t.ipsec.pfs_group, f"IKEv{t.ike_version} PFS group",
                          TITLE, f"DH-{t.ipsec.pfs_group}")
    ike_life = check_range(t.ike.lifetime_seconds, 1, MAX_LIFETIME, "IKE SA lifetime", TITLE)
    sa_life = check_range(t.ipsec.lifetime_seconds, 1, MAX_LIFETIME, "IPsec SA lifetime", TITLE)
    conf = [f"{FILE_MARK}/etc/ipsec.d/{name}.conf"]
    conf += header(t, TITLE, "#", (f"Two files: save each part under the path its "
                                   f"'{FILE_MARK.strip()}' line names, then: ipsec auto "
                                   "--rereadall.",))
    conf += [f"conn {name}", "    authby=secret", f"    left={t.local_ip}",
             f"    leftid={_id(t.local_id.kind, t.local_id.value)}", f"    right={t.peer_ip}",
             f"    rightid={_id(t.peer_id.kind, t.peer_id.value)}",
             f"    ikev2={'yes' if t.ike_version == 2 else 'no'}"]
    if t.ike_version == 1:
        conf.append(f"    aggressive={'yes' if t.aggressive else 'no'}")
    conf += [f"    ike={ike}", f"    esp={esp}", f"    pfs={'yes' if t.ipsec.pfs_group else 'no'}",
             f"    ikelifetime={ike_life}s", f"    salifetime={sa_life}s"]
    if t.ipsec.lifetime_kilobytes:
        conf.append(f"    ipsec-max-bytes={t.ipsec.lifetime_kilobytes}KiB")
    if t.dpd.enabled:
        conf += [f"    dpddelay={t.dpd.interval}", f"    dpdtimeout={t.dpd.timeout}",
                 f"    dpdaction={'restart' if t.dpd.action == 'restart' else 'clear'}"]
    for n, policy in enumerate(t.spd, 1):
        locals_ = " ".join(map(str, policy.locals))
        conf += ["", f"conn {name}-spd{n}", f"    also={name}",
                 (f"    leftsubnets={{{locals_}}}" if len(policy.locals) > 1
                  else f"    leftsubnet={locals_}"),
                 f"    rightsubnet={policy.remote}",
                 f"    auto={'start' if t.device_initiates else 'add'}"]
    secrets = [f"{FILE_MARK}/etc/ipsec.d/{name}.secrets",
               f"{_id(t.local_id.kind, t.local_id.value)} "
               f"{_id(t.peer_id.kind, t.peer_id.value)} : PSK {_secret(t.psk)}"]
    return "\n".join(conf + [""] + secrets) + "\n"


VENDOR = Vendor("libreswan", TITLE, "libreswan", "linux", "4.10", "eth0", render)
