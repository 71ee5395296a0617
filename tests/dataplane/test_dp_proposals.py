"""The cloud API's tunnel options mapped to strongSwan's connection model (pure)."""

import pytest
from dp_support import stored_connection

from providers.tencentcloud import rules
from providers.tencentcloud import strongswan_tunnel as proposals
from providers.tencentcloud.strongswan_tunnel import ProposalError


@pytest.mark.parametrize("api, ss", [
    ("3DES-CBC", "3des"), ("DES-CBC", "des"), ("AES-CBC-128", "aes128"),
    ("AES-CBC-192", "aes192"), ("AES-CBC-256", "aes256")])
def test_encryption_names(api, ss):
    conn = stored_connection(IKEOptionsSpecification={"PropoEncryAlgorithm": api},
                             IPSECOptionsSpecification={"EncryptAlgorithm": api})
    assert proposals.ike_proposal(conn["IKEOptionsSpecification"]).startswith(ss + "-")
    assert proposals.esp_proposal(conn["IPSECOptionsSpecification"]).startswith(ss + "-")


@pytest.mark.parametrize("api, ss", [
    ("MD5", "md5"), ("SHA", "sha1"), ("SHA1", "sha1"), ("SHA-256", "sha256"),
    ("SHA-512", "sha512")])
def test_ike_integrity_names(api, ss):
    ike = stored_connection(IKEOptionsSpecification={"PropoAuthenAlgorithm": api})
    assert proposals.ike_proposal(ike["IKEOptionsSpecification"]) == f"3des-{ss}-modp768"


@pytest.mark.parametrize("api, ss", [
    ("GROUP1", "modp768"), ("GROUP2", "modp1024"), ("GROUP5", "modp1536"),
    ("GROUP14", "modp2048"), ("GROUP24", "modp2048s256"), ("GROUP15", "modp3072"),
    ("GROUP16", "modp4096")])
def test_dh_and_pfs_groups(api, ss):
    conn = stored_connection(IKEOptionsSpecification={"DhGroupName": api},
                             IPSECOptionsSpecification={"PfsDhGroup": "DH-" + api})
    assert proposals.ike_proposal(conn["IKEOptionsSpecification"]) == f"3des-md5-{ss}"
    assert proposals.esp_proposal(conn["IPSECOptionsSpecification"]) == f"3des-md5-{ss}"


def test_null_pfs_means_no_dh_in_esp_and_either_integrity_spelling():
    ipsec = {"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorithm": "SHA-256",
             "PfsDhGroup": "NULL", "IPSECSaLifetimeSeconds": 3600}
    assert proposals.esp_proposal(ipsec) == "aes128-sha256"
    assert proposals.esp_proposal({**ipsec, "IntegrityAlgorith": "SHA1"}) == "aes128-sha1"


@pytest.mark.parametrize("spec, field", [
    ({"IKEOptionsSpecification": {"PropoEncryAlgorithm": "SM4"}},
     "IKEOptionsSpecification.PropoEncryAlgorithm"),
    ({"IKEOptionsSpecification": {"PropoEncryAlgorithm": "AES256GCM128"}},
     "IKEOptionsSpecification.PropoEncryAlgorithm"),
    ({"IKEOptionsSpecification": {"DhGroupName": "GROUP19"}},
     "IKEOptionsSpecification.DhGroupName"),
    ({"IPSECOptionsSpecification": {"EncryptAlgorithm": "AES128GCM128"}},
     "IPSECOptionsSpecification.EncryptAlgorithm"),
    ({"IPSECOptionsSpecification": {"IntegrityAlgorith": "SM3"}},
     "IPSECOptionsSpecification.IntegrityAlgorithm"),
    ({"IPSECOptionsSpecification": {"PfsDhGroup": "DH-GROUP21"}},
     "IPSECOptionsSpecification.PfsDhGroup"),
    ({"IPSECOptionsSpecification": {"EncryptAlgorithm": "NULL"}},
     "IPSECOptionsSpecification.EncryptAlgorithm"),
])
def test_what_this_strongswan_cannot_do_is_named(spec, field):
    conn = stored_connection(**spec)
    problems = proposals.problems_of(conn)
    assert [p.field for p in problems] == [field]
    with pytest.raises(ProposalError) as err:
        proposals.connection(conn, gateway_ip="203.195.147.82", customer_ip="202.108.22.5")
    assert "cannot run on the strongSwan dataplane" in str(err.value)


def test_every_value_the_cloud_accepts_is_mapped_or_reported():
    """No API value falls through silently: each maps, or support_problem names it."""
    tables = [("ike_encryption", rules.IKE_ENCRYPTION_ALGORITHMS),
              ("ike_integrity", rules.IKE_AUTHENTICATION_ALGORITHMS),
              ("dh_group", rules.DH_GROUPS), ("esp_encryption", rules.IPSEC_ENCRYPTION_ALGORITHMS),
              ("esp_integrity", rules.IPSEC_INTEGRITY_ALGORITHMS),
              ("pfs_group", rules.PFS_DH_GROUPS)]
    for kind, values in tables:
        for v in values:
            problem = proposals.support_problem(kind, v)
            mapped = v.upper() in {k.upper() for k in proposals.KINDS[kind]}
            assert mapped != (problem is not None), (kind, v)
            if problem:
                assert v in problem.message


def test_cloud_side_connection():
    conn = stored_connection(
        SecurityPolicyDatabaseSet=[
            {"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["10.0.1.0/24", "10.0.2.0/24"]},
            {"LocalCidrBlock": "192.168.2.0/24", "RemoteCidrBlock": ["10.0.3.0/24"]}],
        IKEOptionsSpecification={"PropoEncryAlgorithm": "AES-CBC-128",
                                 "PropoAuthenAlgorithm": "SHA", "DhGroupName": "GROUP2",
                                 "IKESaLifetimeSeconds": 3600},
        IPSECOptionsSpecification={"EncryptAlgorithm": "AES-CBC-256", "PfsDhGroup": "DH-GROUP14",
                                   "IPSECSaLifetimeSeconds": 1800,
                                   "IPSECSaLifetimeTraffic": 2560},
        DpdEnable=1, DpdTimeout="45", DpdAction="restart")
    reqids = {"vpnx-tom00001-192-168-1-0-24": 7, "vpnx-tom00001-192-168-2-0-24": 8}
    model = proposals.connection(conn, gateway_ip="203.195.147.82", customer_ip="202.108.22.5",
                                 reqids=reqids)
    body = model["vpnx-tom00001"]
    assert body["version"] == "1" and body["aggressive"] == "no"
    assert body["local_addrs"] == ["203.195.147.82"] and body["remote_addrs"] == ["202.108.22.5"]
    assert body["proposals"] == ["aes128-sha1-modp1024"]
    assert body["encap"] == "yes"
    assert (body["rekey_time"], body["over_time"]) == ("3240s", "360s")  # 90 % + the rest
    assert (body["dpd_delay"], body["dpd_timeout"]) == ("15s", "45s")
    assert body["local-1"] == {"auth": "psk", "id": "203.195.147.82"}
    assert body["remote-1"] == {"auth": "psk", "id": "202.108.22.5"}
    children = body["children"]
    assert list(children) == list(reqids)  # one child per SPD policy
    first = children["vpnx-tom00001-192-168-1-0-24"]
    assert first["local_ts"] == ["192.168.1.0/24"]
    assert first["remote_ts"] == ["10.0.1.0/24", "10.0.2.0/24"]
    assert first["esp_proposals"] == ["aes256-md5-modp2048"]
    assert first["start_action"] == "trap" and first["reqid"] == "7"
    assert (first["rekey_time"], first["life_time"]) == ("1620s", "1800s")
    assert first["life_bytes"] == str(2560 * 1024)
    assert first["dpd_action"] == "restart"
    assert children["vpnx-tom00001-192-168-2-0-24"]["reqid"] == "8"


def test_ikev2_fqdn_identities_and_the_mirror():
    conn = stored_connection(IKEOptionsSpecification={
        "IKEVersion": "IKEV2", "LocalIdentity": "FQDN", "LocalFqdnName": "cloud.example",
        "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example", "ExchangeMode": "AGGRESSIVE"})
    cloud = proposals.connection(conn, gateway_ip="203.195.147.82",
                                 customer_ip="202.108.22.5")["vpnx-tom00001"]
    assert cloud["version"] == "2" and "aggressive" not in cloud
    assert cloud["local-1"]["id"] == "fqdn:cloud.example"
    assert cloud["remote-1"]["id"] == "fqdn:idc.example"
    assert cloud["dpd_delay"] == "0s" and "dpd_timeout" not in cloud
    idc = proposals.connection(conn, gateway_ip="203.195.147.82", customer_ip="202.108.22.5",
                               mirror=True, start_action="none")["vpnx-tom00001"]
    assert idc["local_addrs"] == ["202.108.22.5"] and idc["remote_addrs"] == ["203.195.147.82"]
    assert idc["local-1"]["id"] == "fqdn:idc.example"
    assert idc["remote-1"]["id"] == "fqdn:cloud.example"
    child = next(iter(idc["children"].values()))
    assert child["local_ts"] == ["10.0.1.0/24"] and child["remote_ts"] == ["192.168.1.0/24"]
    assert child["start_action"] == "none" and "reqid" not in child
    v1_aggressive = stored_connection(IKEOptionsSpecification={"ExchangeMode": "AGGRESSIVE"})
    assert proposals.connection(v1_aggressive, gateway_ip="1.2.3.4", customer_ip="5.6.7.8")[
        "vpnx-tom00001"]["aggressive"] == "yes"


def test_shared_secret_belongs_to_both_ends():
    secret = proposals.shared_secret(stored_connection(), gateway_ip="203.195.147.82",
                                     customer_ip="202.108.22.5")
    assert secret == {"id": "psk-vpnx-tom00001", "type": "IKE", "data": "TomVPN-demo-key-2019",
                      "owners": ["203.195.147.82", "202.108.22.5"]}


def test_the_mapping_speaks_swankits_keywords():
    """One strongSwan vocabulary: every keyword the cloud's options map to is one swankit
    parses, of the right kind, and one the installed plugins provide (when they can be
    read)."""
    from providers.swankit.proposals import DH, ENCR, INTEG, KEYWORDS, AlgorithmSupport
    kinds = {"ike_encryption": ENCR, "esp_encryption": ENCR, "ike_integrity": INTEG,
             "esp_integrity": INTEG, "dh_group": DH, "pfs_group": DH}
    support = AlgorithmSupport.from_plugin_dir()
    for kind, table in proposals.KINDS.items():
        for api, keyword in table.items():
            if not keyword:
                continue  # PFS NULL: no DH group in the ESP proposal
            transform = KEYWORDS.get(keyword)
            assert transform is not None and transform.kind == kinds[kind], (api, keyword)
            assert support.provides(transform.alg) is not False, (api, keyword)
