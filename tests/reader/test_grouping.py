"""The reader tests share one built demo site: under ``make test`` (``--dist loadgroup``) they
must all run on one worker, or each worker builds and serves the site again."""

from __future__ import annotations

import pytest


def test_reader_tests_run_in_the_demo_site_group(request: pytest.FixtureRequest) -> None:
    # xdist sets "loadgroup" on its workers under --dist loadgroup.
    if not request.config.getoption("loadgroup", False):
        return  # not distributed by group: there is nothing to check
    assert request.node.nodeid.endswith("@demo-site"), request.node.nodeid
