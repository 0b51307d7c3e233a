# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IPv4 CIDR helpers for the network role (pure Python ``ipaddress``, no netaddr).

Each filter is documented in a sidecar YAML file named after the filter
(``subnet_cidrs.yml``, ``cidr_is_valid.yml``, ...), as ansible-doc expects for
files that hold more than one filter.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

# AWS subnets (and VPCs) are /28 at the smallest.
AWS_MAX_PREFIX = 28
# ipaddress also takes netmasks and bare addresses; AWS wants address/prefix.
_CIDR_SHAPE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}")


def _network(value, what="value"):
    """Parse a strict IPv4 network or raise AnsibleFilterError naming ``what``."""
    if not isinstance(value, str):
        raise AnsibleFilterError(f"{what} must be a string in CIDR notation, got {type(value).__name__} {value!r}")
    if not _CIDR_SHAPE.fullmatch(value):
        raise AnsibleFilterError(f"{what} must be in CIDR notation (a.b.c.d/prefix), got {value!r}")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as e:
        raise AnsibleFilterError(f"{what} is not a valid IPv4 network: {value!r} ({e})") from e


def _networks(values, what="value"):
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        raise AnsibleFilterError(f"{what} must be a list of CIDR strings, got {type(values).__name__}")
    return [_network(v, what) for v in values]


def cidr_is_valid(value):
    """True when ``value`` is an IPv4 network in CIDR notation with its host bits zero."""
    try:
        _network(value)
    except AnsibleFilterError:
        return False
    return True


def cidr_prefix(value):
    """Prefix length of an IPv4 CIDR."""
    return _network(value).prefixlen


def cidr_subnet_of(value, supernet):
    """True when network ``value`` lies entirely inside network ``supernet``."""
    return _network(value).subnet_of(_network(supernet, "supernet"))


def cidr_overlaps(values):
    """Every pair of overlapping networks in ``values``, as ``[a, b]`` lists in input order."""
    nets = _networks(values)
    pairs = []
    for i, left in enumerate(nets):
        for j in range(i + 1, len(nets)):
            if left.overlaps(nets[j]):
                pairs.append([values[i], values[j]])
    return pairs


def subnet_cidrs(vpc_cidr, count=4, new_prefix=None):
    """The first ``count`` equal subnets of ``vpc_cidr``.

    By default each subnet is 1/16 of the VPC (prefix + 4, at most /28) so the
    address space keeps room for more subnets later.
    """
    vpc = _network(vpc_cidr, "vpc_cidr")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise AnsibleFilterError(f"count must be a positive integer, got {count!r}")
    if new_prefix is None:
        new_prefix = min(vpc.prefixlen + 4, AWS_MAX_PREFIX)
    if isinstance(new_prefix, bool) or not isinstance(new_prefix, int):
        raise AnsibleFilterError(f"new_prefix must be an integer, got {new_prefix!r}")
    if not vpc.prefixlen < new_prefix <= AWS_MAX_PREFIX:
        raise AnsibleFilterError(
            f"new_prefix /{new_prefix} must be longer than the VPC prefix /{vpc.prefixlen} and at most /{AWS_MAX_PREFIX}"
        )
    available = 2 ** (new_prefix - vpc.prefixlen)
    if available < count:
        raise AnsibleFilterError(
            f"{vpc_cidr} holds only {available} subnet(s) of /{new_prefix}, {count} needed"
            f" (AWS subnets are /{AWS_MAX_PREFIX} at the smallest)"
        )
    return [str(subnet) for subnet in itertools.islice(vpc.subnets(new_prefix=new_prefix), count)]


class FilterModule:
    """IPv4 CIDR filters."""

    def filters(self):
        return {
            "cidr_is_valid": cidr_is_valid,
            "cidr_prefix": cidr_prefix,
            "cidr_subnet_of": cidr_subnet_of,
            "cidr_overlaps": cidr_overlaps,
            "subnet_cidrs": subnet_cidrs,
        }
