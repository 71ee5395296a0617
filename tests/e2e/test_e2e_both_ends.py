"""Both ends of a tunnel through the CLI (examples/site-to-site, validated: no charon
needed): the example's two ends agree; a copy whose IDC end disagrees fails validate with
errors naming both blocks, whatever -lint says, and never shows either key."""

import json

from cli import REPO, copy_config, errors, run

SITE_TO_SITE = REPO / "examples" / "site-to-site"
CONN, IDC = "tencentcloud_vpn_connection.main", "strongswan_connection.to_cloud"
IDC_KEY = "idc-side-key-that-differs-42"


def _site_to_site(tmp_path):
    w = copy_config(SITE_TO_SITE, tmp_path / "s2s")
    assert run(w, "init").code == 0
    return w


def test_the_examples_two_ends_agree_and_hints_name_the_idc_end(tmp_path):
    w = _site_to_site(tmp_path)
    res = run(w, "validate", "-json")
    assert res.code == 0, res
    out = json.loads(res.stdout)
    assert out["valid"] is True and out["error_count"] == 0
    [dh] = [d for d in out["diagnostics"] if d["summary"] == "Weak DH group"]
    assert "modp2048" in dh["detail"] and IDC in dh["detail"]


def test_an_idc_end_that_disagrees_fails_validate_naming_both_blocks(tmp_path):
    w = _site_to_site(tmp_path)
    text = (w / "main.tf").read_text()
    at = text.index('resource "strongswan_connection"')
    idc = (text[at:].replace("psk          = var.psk", f'psk          = "{IDC_KEY}"')
           .replace("ike_version  = 1", "ike_version  = 2")
           .replace("remote_ts     = [var.subnet_cidr]", 'remote_ts     = ["192.168.7.0/24"]'))
    (w / "main.tf").write_text(text[:at] + idc)
    res = run(w, "validate", "-lint=off")
    assert res.code == 1, res
    found = errors(res.output)
    assert [d.summary for d in found] == ["Tunnel ends disagree"] * 3, res
    assert all(d.address == CONN and IDC in d.detail for d in found)
    details = " ".join(d.detail for d in found)
    for phrase in ("IKE versions differ", "pre-shared keys differ", "SPD is not mirrored"):
        assert phrase in details
    assert IDC_KEY not in res.output and "site-to-site-demo-key" not in res.output
