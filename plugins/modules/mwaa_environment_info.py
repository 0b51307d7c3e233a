#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: mwaa_environment_info
version_added: 0.1.0
short_description: Describe Amazon MWAA environments
description:
  - Returns one Amazon MWAA environment by name, or every environment in the region.
  - Each environment comes from C(GetEnvironment), with its status and keys in snake_case.
  - This module belongs to the C(group/dataplatform.mwaa_lineage.mwaa) action group. To set
    credentials, region and endpoint once, add that group to C(module_defaults).
options:
  name:
    description:
      - Name of the environment to describe.
      - When unset, all environments are listed (C(ListEnvironments), all pages) and described.
      - A name that does not exist returns an empty list.
    type: str
notes:
  - Credential values in Airflow configuration options are masked, as in
    M(dataplatform.mwaa_lineage.mwaa_environment).
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Describe one environment
  dataplatform.mwaa_lineage.mwaa_environment_info:
    name: lineage-prod
  register: mwaa_info

- name: Show its status
  ansible.builtin.debug:
    msg: "{{ mwaa_info.environments[0].status | default('absent') }}"

- name: Poll a create started with wait=false and report progress on every check
  dataplatform.mwaa_lineage.mwaa_environment_info:
    name: lineage-prod
  register: mwaa_poll
  until: mwaa_poll.environments[0].status not in ['CREATING', 'UPDATING']
  retries: 120
  delay: 60

- name: List every environment in the region
  dataplatform.mwaa_lineage.mwaa_environment_info:
  register: all_mwaa
"""

RETURN = r"""
environments:
  description:
    - The environments found, with keys in snake_case (Airflow option keys, tag keys and team
      names verbatim). See M(dataplatform.mwaa_lineage.mwaa_environment) for every field.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Environment name.
      returned: always
      type: str
      sample: lineage-prod
    arn:
      description: Environment ARN.
      returned: always
      type: str
      sample: arn:aws:airflow:us-east-1:123456789012:environment/lineage-prod
    status:
      description: Environment status.
      returned: always
      type: str
      sample: AVAILABLE
    webserver_url:
      description: Host name of the Airflow web server.
      returned: when available
      type: str
    airflow_version:
      description: Apache Airflow version.
      returned: always
      type: str
      sample: 3.0.6
    last_update:
      description: Status, time, source and (on failure) C(error) of the last create or update.
      returned: when available
      type: dict
    tags:
      description: Tags, keys verbatim.
      returned: always
      type: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import mwaa as mwaa_utils


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str")),
        supports_check_mode=True,
    )
    client = mwaa_utils.get_mwaa_client(module)
    name = module.params["name"]
    try:
        names = [name] if name else mwaa_utils.list_environment_names(client)
        environments = []
        for env_name in names:
            environment = mwaa_utils.get_environment(client, env_name)
            # Listed environments can vanish between the two calls.
            if environment is not None:
                environments.append(environment)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to describe MWAA environments")

    for environment in environments:
        module.no_log_values.update(mwaa_utils.secret_values(environment.get("AirflowConfigurationOptions")))
    module.exit_json(changed=False, environments=[mwaa_utils.environment_to_snake(e) for e in environments])


if __name__ == "__main__":
    main()
