#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_eip_quota_info
version_added: 0.2.0
short_description: Report the Elastic IP quota of a region and how much of it is used
description:
  - Reads the account's Elastic IP address quota for the region (C(DescribeAccountAttributes),
    attribute C(vpc-max-elastic-ips)) and the addresses allocated in it (C(DescribeAddresses)).
  - Addresses whose tags match I(owned_tags) are counted apart, so a re-run that already holds its
    NAT gateway addresses can tell how many new ones it needs.
  - Reads only; supports check mode.
options:
  owned_tags:
    description:
      - Tags that mark addresses as belonging to the caller (all must match).
      - Empty counts every address as foreign.
    type: dict
    default: {}
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check that the NAT gateways will get their addresses
  dataplatform.mwaa_lineage.ec2_eip_quota_info:
    owned_tags:
      Project: lineage
      Environment: prod
  register: eip

- name: Fail early when the quota is too small
  ansible.builtin.assert:
    that: eip.quota - eip.in_use + eip.owned >= 2
"""

RETURN = r"""
quota:
  description: Maximum number of Elastic IP addresses in the region (C(vpc-max-elastic-ips)).
  returned: always
  type: int
  sample: 5
in_use:
  description: Addresses allocated in the region, the owned ones included.
  returned: always
  type: int
  sample: 3
owned:
  description: Allocated addresses whose tags match I(owned_tags).
  returned: always
  type: int
  sample: 1
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(owned_tags=dict(type="dict", default={})),
        supports_check_mode=True,
    )
    owned_tags = {str(k): str(v) for k, v in module.params["owned_tags"].items()}
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        attributes = client.describe_account_attributes(
            AttributeNames=["vpc-max-elastic-ips"], aws_retry=True
        )["AccountAttributes"]
        addresses = client.describe_addresses(aws_retry=True)["Addresses"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the Elastic IP quota and addresses")

    values = [v["AttributeValue"] for a in attributes if a["AttributeName"] == "vpc-max-elastic-ips"
              for v in a.get("AttributeValues", [])]
    if not values:
        module.fail_json(msg="DescribeAccountAttributes returned no vpc-max-elastic-ips value")

    def is_owned(address):
        tags = boto3_tag_list_to_ansible_dict(address.get("Tags", []))
        return bool(owned_tags) and all(tags.get(k) == v for k, v in owned_tags.items())

    module.exit_json(
        changed=False,
        quota=int(values[0]),
        in_use=len(addresses),
        owned=len([a for a in addresses if is_owned(a)]),
    )


if __name__ == "__main__":
    main()
