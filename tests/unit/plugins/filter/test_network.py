"""Unit tests for the dataplatform.mwaa_lineage network CIDR filters."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dataplatform.mwaa_lineage.plugins.filter.network import (
    FilterModule,
    cidr_is_valid,
    cidr_overlaps,
    cidr_prefix,
    cidr_subnet_of,
    subnet_cidrs,
)


def test_filter_module_exposes_every_filter():
    assert set(FilterModule().filters()) == {
        "cidr_is_valid",
        "cidr_prefix",
        "cidr_subnet_of",
        "cidr_overlaps",
        "subnet_cidrs",
    }


@pytest.mark.parametrize("value", ["10.0.0.0/16", "192.168.1.0/24", "10.0.0.16/28", "0.0.0.0/0", "10.0.0.1/32"])
def test_cidr_is_valid_accepts_networks(value):
    assert cidr_is_valid(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.1/16",  # host bits set
        "10.0.0.0",  # no prefix
        "10.0.0.0/33",
        "10.0.0.0/255.255.0.0",  # netmask form, not CIDR
        "256.0.0.0/16",
        "10.0.0/16",
        "fd00::/8",  # IPv6
        " 10.0.0.0/16",
        "10.0.0.0/16\n",
        "",
        None,
        16,
        ["10.0.0.0/16"],
    ],
)
def test_cidr_is_valid_rejects_malformed(value):
    assert cidr_is_valid(value) is False


def test_cidr_prefix():
    assert cidr_prefix("10.0.0.0/16") == 16
    assert cidr_prefix("10.0.0.16/28") == 28


def test_cidr_prefix_fails_on_bad_input():
    with pytest.raises(AnsibleFilterError, match="not a valid IPv4 network"):
        cidr_prefix("10.0.0.1/16")


@pytest.mark.parametrize(
    ("subnet", "supernet", "expected"),
    [
        ("10.0.16.0/20", "10.0.0.0/16", True),
        ("10.0.0.0/16", "10.0.0.0/16", True),
        ("10.0.255.240/28", "10.0.0.0/16", True),
        ("10.1.0.0/24", "10.0.0.0/16", False),
        ("10.0.0.0/15", "10.0.0.0/16", False),  # larger than the VPC
        ("9.255.255.0/24", "10.0.0.0/16", False),
    ],
)
def test_cidr_subnet_of(subnet, supernet, expected):
    assert cidr_subnet_of(subnet, supernet) is expected


def test_cidr_subnet_of_names_the_bad_supernet():
    with pytest.raises(AnsibleFilterError, match="supernet"):
        cidr_subnet_of("10.0.0.0/24", "10.0.0.0/")


def test_cidr_overlaps_none():
    assert cidr_overlaps(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]) == []


def test_cidr_overlaps_reports_every_pair_in_input_order():
    values = ["10.0.0.0/24", "10.0.1.0/24", "10.0.0.128/25", "10.0.1.0/24"]
    assert cidr_overlaps(values) == [
        ["10.0.0.0/24", "10.0.0.128/25"],
        ["10.0.1.0/24", "10.0.1.0/24"],
    ]


@pytest.mark.parametrize("values", ["10.0.0.0/24", {"a": "10.0.0.0/24"}, None])
def test_cidr_overlaps_wants_a_list(values):
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        cidr_overlaps(values)


def test_cidr_overlaps_fails_on_malformed_element():
    with pytest.raises(AnsibleFilterError, match="10.0.0.1/24"):
        cidr_overlaps(["10.0.0.0/24", "10.0.0.1/24"])


def test_subnet_cidrs_default_layout_of_a_slash_16():
    assert subnet_cidrs("10.0.0.0/16") == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]


def test_subnet_cidrs_follow_the_vpc_base_address():
    assert subnet_cidrs("10.20.0.0/16", 2) == ["10.20.0.0/20", "10.20.16.0/20"]


def test_subnet_cidrs_cap_at_slash_28():
    # /25 + 4 would be /29, smaller than AWS allows: capped at /28.
    assert subnet_cidrs("10.0.0.0/25") == ["10.0.0.0/28", "10.0.0.16/28", "10.0.0.32/28", "10.0.0.48/28"]
    assert subnet_cidrs("10.0.0.0/26") == ["10.0.0.0/28", "10.0.0.16/28", "10.0.0.32/28", "10.0.0.48/28"]


def test_subnet_cidrs_explicit_prefix():
    assert subnet_cidrs("10.1.0.0/16", 2, new_prefix=24) == ["10.1.0.0/24", "10.1.1.0/24"]


def test_subnet_cidrs_results_are_inside_and_disjoint():
    vpc = "172.16.0.0/18"
    subnets = subnet_cidrs(vpc, 4)
    assert all(cidr_subnet_of(s, vpc) for s in subnets)
    assert cidr_overlaps(subnets) == []


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("10.0.0.0/27",), {}, "holds only 2 subnet"),  # /27 -> two /28 only
        (("10.0.0.0/28",), {}, "must be longer than the VPC prefix"),
        (("10.0.0.0/16", 4), {"new_prefix": 16}, "must be longer than the VPC prefix"),
        (("10.0.0.0/16", 4), {"new_prefix": 29}, "at most /28"),
        (("10.0.0.0/16", 4), {"new_prefix": "20"}, "new_prefix must be an integer"),
        (("10.0.0.0/16", 0), {}, "count must be a positive integer"),
        (("10.0.0.0/16", True), {}, "count must be a positive integer"),
        (("10.0.0.1/16",), {}, "vpc_cidr is not a valid IPv4 network"),
        (("not-a-cidr",), {}, "vpc_cidr must be in CIDR notation"),
    ],
)
def test_subnet_cidrs_rejects_impossible_layouts(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        subnet_cidrs(*args, **kwargs)
