#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name
# (plugins/action/mwaa_environment_wait.py), like ansible.builtin.wait_for_connection.

DOCUMENTATION = r"""
---
module: mwaa_environment_wait
version_added: 0.1.0
short_description: Wait for an Amazon MWAA environment and show progress while waiting
description:
  - "Polls an Amazon MWAA environment until it is C(AVAILABLE) (O(state=present)) or gone
    (O(state=absent)), and prints a progress line such as C(mwaa lineage-prod: CREATING, 12m30s elapsed)
    at least every O(progress_interval) seconds and whenever the status changes."
  - Real creates take 30 to 60 minutes or more. Start them with
    M(dataplatform.mwaa_lineage.mwaa_environment) and O(dataplatform.mwaa_lineage.mwaa_environment#module:wait=false),
    then wait with this action, so the play shows progress instead of a long silence. Blue/green
    deployments start both creates first and then wait for each, so the deploy takes one create time.
  - Fails at once when the environment reaches C(CREATE_FAILED), C(UPDATE_FAILED) or C(UNAVAILABLE),
    with the environment's C(LastUpdate) error in the message. With O(state=present) it also fails
    when the environment does not exist.
  - C(PENDING) (customer-managed VPC endpoints, see M(dataplatform.mwaa_lineage.mwaa_environment))
    ends the wait with a warning.
  - Each poll runs M(dataplatform.mwaa_lineage.mwaa_environment_info) on the task's host with the same
    AWS connection options, so credentials, retries and the masking of secret Airflow options are the
    modules' own.
  - This action belongs to the C(group/dataplatform.mwaa_lineage.mwaa) action group, so
    C(module_defaults) for that group set its region, endpoint and credentials.
options:
  name:
    description: Name of the environment.
    type: str
    required: true
  state:
    description:
      - V(present) waits until the environment is C(AVAILABLE) (or C(PENDING)).
      - V(absent) waits until the environment no longer exists.
    type: str
    default: present
    choices: [present, absent]
  timeout:
    description:
      - Maximum number of seconds to wait. The task fails with the last status seen when it elapses.
    type: int
    default: 7200
    aliases: [wait_timeout]
  poll_interval:
    description:
      - Seconds between two status checks. Must not exceed O(progress_interval).
    type: int
    default: 30
  progress_interval:
    description:
      - Longest time, in seconds, between two progress lines. A status change is reported at once.
    type: int
    default: 60
attributes:
  action:
    support: full
    description: The wait loop runs on the controller; the status checks run on the task's host.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    description: In check mode the action reads the status once and does not wait.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The action never changes anything and always reports C(changed=false).
  - Progress lines go through the controller's display (stdout of C(ansible-playbook)); with
    C(-v) nothing more is needed.
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
"""

EXAMPLES = r"""
# In a play with
#   module_defaults:
#     group/dataplatform.mwaa_lineage.mwaa: "{{ aws_module_defaults }}"
- name: Start the create or update of an environment
  dataplatform.mwaa_lineage.mwaa_environment:
    name: lineage-prod
    execution_role_arn: arn:aws:iam::123456789012:role/lineage-prod-mwaa
    source_bucket_arn: arn:aws:s3:::lineage-prod-dags
    dag_s3_path: dags
    network_configuration:
      subnet_ids: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      security_group_ids: [sg-0a1b2c3d4e5f60003]
    wait: false
  register: mwaa_start

- name: Wait until it is AVAILABLE, with a progress line every minute
  dataplatform.mwaa_lineage.mwaa_environment_wait:
    name: lineage-prod
  when: mwaa_start.environment.status | default('') != 'AVAILABLE'
  register: mwaa_ready

# Both creates run at the same time; the deploy takes one create time, not two.
- name: Wait for the blue and the green environment
  dataplatform.mwaa_lineage.mwaa_environment_wait:
    name: "{{ item }}"
    timeout: 5400
  loop: [lineage-blue-prod, lineage-green-prod]

- name: Wait until a deleted environment is gone
  dataplatform.mwaa_lineage.mwaa_environment_wait:
    name: lineage-old
    state: absent
"""

RETURN = r"""
environment:
  description:
    - The environment as M(dataplatform.mwaa_lineage.mwaa_environment_info) returns it (snake_case
      keys, credential option values masked), from the last status check.
    - Empty when the environment is gone (O(state=absent)) or does not exist.
  returned: always
  type: dict
  sample: {"name": "lineage-prod", "status": "AVAILABLE", "webserver_url": "0123abcd.c10.us-east-1.airflow.amazonaws.com"}
status:
  description: Last status seen; C(null) when the environment does not exist.
  returned: always
  type: str
  sample: AVAILABLE
elapsed:
  description: Seconds the action waited.
  returned: always
  type: int
  sample: 1830
polls:
  description: Number of status checks made.
  returned: always
  type: int
  sample: 62
last_update_error:
  description: "C(ErrorCode: ErrorMessage) of the environment's last update, when it failed."
  returned: on failure states
  type: str
  sample: "INCORRECT_CONFIGURATION: You may need to check the execution role permissions policy"
"""
