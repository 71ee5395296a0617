"""Fixtures for the strongSwan provider tests. Live tests get ``sites``: two gateways with
charons (and LAN hosts) in network namespaces, torn down after the module whatever happens."""

import pytest
from ss_lab import TwoSites, lab_support_problem


@pytest.fixture(scope="module")
def sites(request, tmp_path_factory):
    problem = lab_support_problem()
    if problem:
        pytest.skip(problem)
    lab = TwoSites(tmp_path_factory.mktemp("sslab"))
    request.addfinalizer(lab.down)  # registered before build: a half-built lab goes too
    return lab.build()
