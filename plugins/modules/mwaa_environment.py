#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: mwaa_environment
version_added: 0.1.0
short_description: Manage Amazon MWAA (Managed Workflows for Apache Airflow) environments
description:
  - Create, update and delete Amazon MWAA environments.
  - Idempotent. The module compares the options you set with
    C(GetEnvironment) and sends only the changed fields in one C(UpdateEnvironment) call.
    It makes no write call when nothing differs. Options you leave unset are not
    compared, so values MWAA chose (for example the default worker counts) are kept.
  - Some fields cannot change in place (O(kms_key), O(network_configuration.subnet_ids),
    O(endpoint_management)). A different value for an existing environment fails
    before any write call, and the error names the option.
  - MWAA allows an update only when no other operation is running. When the environment is
    C(CREATING), C(UPDATING), C(ROLLING_BACK), C(CREATING_SNAPSHOT) or C(MAINTENANCE) and
    changes are needed, the module first waits for that operation to finish. This wait
    also happens with O(wait=false), and O(wait_timeout) bounds it.
  - Tag values must not be empty, as MWAA requires. A tag whose value is null or empty fails
    before any call, and the error names the tag key.
  - C(CREATE_FAILED) fails with the environment's C(LastUpdate) error. Delete the environment
    with O(state=absent) and create it again.
  - C(UPDATE_FAILED) means MWAA rolled the environment back and it still runs. The update
    is tried again when the settings still differ; otherwise the module warns.
  - C(PENDING) means that MWAA waits for customer-managed VPC endpoints
    (O(endpoint_management=CUSTOMER)). Waiting for a create stops there with a warning, and
    updates are refused until the endpoints exist.
  - C(UNAVAILABLE) environments get the update if one is needed (MWAA's only in-place
    remedy). With nothing to change the module fails when O(wait=true) and warns otherwise.
  - Calls go to the C(api.) host of the MWAA endpoint. When O(endpoint_url) is set
    (emulators, private DNS names), host prefix injection is turned off.
  - This module belongs to the C(group/dataplatform.mwaa_lineage.mwaa) action group. A
    collection cannot join the amazon.aws group, so to set credentials, region and
    endpoint once, add C(group/dataplatform.mwaa_lineage.mwaa) to the play's
    C(module_defaults) next to C(group/amazon.aws.aws).
options:
  name:
    description:
      - Name of the environment. Letters, digits, V(-) and V(_), starting with a letter,
        at most 80 characters.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the environment, V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  airflow_version:
    description:
      - Apache Airflow version, for example V(3.0.6) or V(2.10.3).
      - A different version on an existing environment is an in-place upgrade or downgrade,
        and MWAA decides whether it allows that.
      - Default on create V(3.0.6). MWAA itself would pick its latest version, so the module sends
        this one explicitly. When unset, the version of an existing environment is not compared
        and never changed.
    type: str
  environment_class:
    description:
      - Environment class.
      - MWAA's default is V(mw1.small).
    type: str
    choices: [mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge]
  execution_role_arn:
    description:
      - ARN of the IAM execution role the environment assumes.
      - Required to create an environment.
    type: str
  source_bucket_arn:
    description:
      - ARN (not the name) of the S3 bucket that holds DAGs, requirements, plugins and the
        startup script, for example V(arn:aws:s3:::my-airflow-bucket).
      - Required to create an environment.
    type: str
  dag_s3_path:
    description:
      - Path of the DAGs folder relative to the bucket, for example V(dags).
      - Required to create an environment.
    type: str
  requirements_s3_path:
    description:
      - Path of C(requirements.txt) relative to the bucket.
    type: str
  requirements_s3_object_version:
    description:
      - S3 object version of O(requirements_s3_path). A new version triggers an update that
        installs the new requirements.
    type: str
  plugins_s3_path:
    description:
      - Path of C(plugins.zip) relative to the bucket.
    type: str
  plugins_s3_object_version:
    description:
      - S3 object version of O(plugins_s3_path).
    type: str
  startup_script_s3_path:
    description:
      - Path of the startup shell script relative to the bucket.
    type: str
  startup_script_s3_object_version:
    description:
      - S3 object version of O(startup_script_s3_path).
    type: str
  network_configuration:
    description:
      - VPC networking of the environment.
      - Required to create an environment, with both suboptions.
    type: dict
    suboptions:
      subnet_ids:
        description:
          - Exactly two private subnet IDs in different Availability Zones.
          - Cannot change after creation. Order does not matter.
        type: list
        elements: str
      security_group_ids:
        description:
          - One to five security group IDs. Can change in place. Order does not matter.
        type: list
        elements: str
  logging_configuration:
    description:
      - CloudWatch Logs settings per Airflow component. Only the components you list are
        compared. When one changes, the module sends the full logging configuration
        (unlisted components keep their current settings).
    type: dict
    suboptions:
      dag_processing_logs:
        description: DAG processing logs.
        type: dict
        suboptions: &log_type
          enabled:
            description: Whether to send these logs to CloudWatch Logs.
            type: bool
            default: true
          log_level:
            description: Minimum level sent. Only compared when C(enabled=true).
            type: str
            default: INFO
            choices: [CRITICAL, ERROR, WARNING, INFO, DEBUG]
      scheduler_logs:
        description: Scheduler logs.
        type: dict
        suboptions: *log_type
      webserver_logs:
        description: Web server logs.
        type: dict
        suboptions: *log_type
      worker_logs:
        description: Worker logs.
        type: dict
        suboptions: *log_type
      task_logs:
        description: Task logs.
        type: dict
        suboptions: *log_type
  airflow_configuration_options:
    description:
      - Airflow configuration options as C(section.option) keys, for example
        C(core.load_examples) or C(openlineage.transport).
      - This is the complete set. Options the environment has but this dictionary lacks are
        removed, as C(UpdateEnvironment) replaces the whole map. Leave this option unset to
        keep the current options.
      - MWAA stores only strings. Booleans become lowercase V(true)/V(false), with a
        warning naming the key (Airflow 3 rejects Python's V(False)). Dictionaries and lists
        become compact JSON. Other values are converted with Python's C(str).
      - Keys are lowercase C(section.option) names of letters, digits, C(.) and C(_), at most 64
        characters, as MWAA requires. Values
        must be printable ASCII on one line.
      - Credential values are masked in the module's output and diff. These are options whose
        name ends in C(password), C(secret), C(secret_key), C(fernet_key), C(token) or
        C(api_key), and fields with such names inside JSON values, such as the C(apiKey) of
        C(openlineage.transport).
    type: dict
  min_workers:
    description: Minimum number of Celery workers.
    type: int
  max_workers:
    description: Maximum number of Celery workers. Must not be below O(min_workers).
    type: int
  schedulers:
    description: Number of schedulers, V(1) to V(5) (V(2) to V(5) for classes above V(mw1.micro)).
    type: int
  min_webservers:
    description: Minimum number of web servers.
    type: int
  max_webservers:
    description: Maximum number of web servers. Must not be below O(min_webservers).
    type: int
  webserver_access_mode:
    description:
      - Who can reach the Airflow UI. V(PRIVATE_ONLY) (from inside the VPC) is the secure
        default, and V(PUBLIC_ONLY) exposes the UI to the internet (behind IAM login).
        MWAA supports V(PUBLIC_AND_PRIVATE) only for Airflow 3.2 and later.
      - Default on create V(PRIVATE_ONLY). When unset, the access mode of an existing environment
        is not compared and never changed.
      - MWAA refuses C(InvokeRestApi) calls made from outside the VPC for V(PRIVATE_ONLY)
        environments.
    type: str
    choices: [PRIVATE_ONLY, PUBLIC_ONLY, PUBLIC_AND_PRIVATE]
  endpoint_management:
    description:
      - Who creates the VPC endpoints. V(SERVICE) (MWAA's default) means MWAA does.
        V(CUSTOMER) (shared VPCs) means you do, and the environment stays C(PENDING)
        until the endpoints exist.
      - Cannot change after creation.
    type: str
    choices: [CUSTOMER, SERVICE]
  weekly_maintenance_window_start:
    description:
      - Start of the weekly maintenance window in UTC as C(DAY:HH:MM) with MM V(00) or V(30),
        for example V(TUE:03:30).
    type: str
  kms_key:
    description:
      - Customer managed KMS key (key ID, key ARN, alias name or alias ARN) that encrypts
        the environment's data. Without it, MWAA uses an AWS owned key.
      - Cannot change after creation. When you give an alias and MWAA reports the key ARN
        it resolved to, the module cannot compare the two and warns instead.
    type: str
  identity_center_configuration:
    description:
      - IAM Identity Center settings for the Airflow UI login.
      - Requires a botocore release that knows this MWAA field.
    type: dict
    suboptions:
      start_url:
        description: AWS access portal URL of the Identity Center instance.
        type: str
      identity_store_id:
        description: Identity store ID, for example V(d-1234567890).
        type: str
  teams:
    description:
      - Airflow multi-team configuration as a dictionary from team name to a dictionary with
        C(source_bucket_arn) and C(dag_s3_path).
      - This is the complete set. Teams the environment has but this dictionary lacks are removed.
      - Requires O(identity_center_configuration), Airflow 3.2 or later and a botocore release
        that knows this MWAA field.
    type: dict
  worker_replacement_strategy:
    description:
      - How workers are replaced when this run updates the environment. V(GRACEFUL) lets
        running tasks finish (up to 12 hours) and V(FORCED) stops them.
      - Only sent with an update. It is not compared, so it alone never causes a change.
    type: str
    choices: [FORCED, GRACEFUL]
  iam_propagation_timeout:
    description:
      - How many seconds C(CreateEnvironment) is repeated while it fails with
        C(ValidationException) or C(InternalServerException). The same applies to
        C(UpdateEnvironment) when it changes O(execution_role_arn).
      - Right after the execution role or its policy is created, MWAA refuses it (for example
        C(Failed to assume role ...)) until IAM has propagated the change. MWAA cannot tell this
        from a role that is really wrong, so every C(ValidationException) is retried. An input
        that MWAA rejects for good therefore fails only after this time, with MWAA's last message
        and the number of attempts. The module checks its own inputs before any call, which
        catches most such mistakes early.
      - The delay between attempts starts at 5 seconds and doubles up to 30 seconds. RV(attempts)
        reports how many calls were made.
      - V(0) makes one attempt only.
    type: int
    default: 120
    version_added: 0.2.0
  wait:
    description:
      - Wait until a create, update or delete this module started has finished.
        For a create or update that means C(AVAILABLE) (or C(PENDING), see above), and for
        a delete, until the environment is gone.
      - With O(wait=true) and nothing to change, the module still waits for an operation that
        is already running, for example a create started earlier with O(wait=false).
      - Real creates take 30 to 60 minutes or more.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds this run may wait in total, for the final wait and for an operation
        that must finish before an update or delete.
    type: int
    default: 7200
notes:
  - Polling starts every 2 seconds and backs off to every 30 seconds. Throttling and MWAA's
    transient errors (C(ThrottlingException), C(InternalServerException),
    C(ServiceUnavailableException)) are retried with jittered backoff.
  - In check mode the module makes no write call and returns the current environment (an empty
    dictionary when it would create one). With C(--diff), the diff holds only the fields that
    would change.
  - To show progress during a long create, run the module with O(wait=false) and then
    M(dataplatform.mwaa_lineage.mwaa_environment_wait), which prints the status and elapsed time
    at least once a minute.
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint are set once for the whole play, in its module_defaults.
# A collection cannot join the amazon.aws group, so name this collection's group too:
#   module_defaults:
#     group/amazon.aws.aws: "{{ aws_module_defaults }}"
#     group/dataplatform.mwaa_lineage.mwaa: "{{ aws_module_defaults }}"
- name: Create or update an Airflow 3 environment with OpenLineage
  dataplatform.mwaa_lineage.mwaa_environment:
    name: lineage-prod
    execution_role_arn: arn:aws:iam::123456789012:role/lineage-prod-mwaa
    source_bucket_arn: arn:aws:s3:::lineage-prod-dags
    dag_s3_path: dags
    requirements_s3_path: requirements.txt
    requirements_s3_object_version: "{{ requirements_upload.version_id }}"
    environment_class: mw1.small
    min_workers: 1
    max_workers: 5
    network_configuration:
      subnet_ids: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      security_group_ids: [sg-0a1b2c3d4e5f60003]
    logging_configuration:
      task_logs: {enabled: true, log_level: INFO}
      scheduler_logs: {enabled: true, log_level: WARNING}
      dag_processing_logs: {enabled: true, log_level: WARNING}
      webserver_logs: {enabled: true, log_level: WARNING}
      worker_logs: {enabled: true, log_level: WARNING}
    airflow_configuration_options: >-
      {{ 'http://marquez.internal:5000'
         | dataplatform.mwaa_lineage.openlineage_airflow_options(namespace='lineage-prod') }}
    weekly_maintenance_window_start: "SUN:03:00"
    tags:
      Project: lineage
      Environment: prod
  register: mwaa

- name: Start the create without waiting, then wait in a second task
  dataplatform.mwaa_lineage.mwaa_environment:
    name: lineage-blue-prod
    execution_role_arn: arn:aws:iam::123456789012:role/lineage-prod-mwaa
    source_bucket_arn: arn:aws:s3:::lineage-prod-dags
    dag_s3_path: blue/dags
    network_configuration:
      subnet_ids: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      security_group_ids: [sg-0a1b2c3d4e5f60003]
    wait: false

- name: Wait for it, printing the status and elapsed time at least once a minute
  dataplatform.mwaa_lineage.mwaa_environment_wait:
    name: lineage-blue-prod

- name: Preview a change (no write call)
  dataplatform.mwaa_lineage.mwaa_environment:
    name: lineage-prod
    max_workers: 10
  check_mode: true
  diff: true

- name: Delete an environment and wait until it is gone
  dataplatform.mwaa_lineage.mwaa_environment:
    name: lineage-prod
    state: absent
"""

RETURN = r"""
attempts:
  description:
    - How many C(CreateEnvironment) or C(UpdateEnvironment) calls this run made. More than V(1)
      when MWAA refused the execution role while IAM propagated and the call was repeated
      (see O(iam_propagation_timeout)).
    - V(0) when nothing was created or updated, and in check mode.
  returned: always
  type: int
  sample: 1
  version_added: 0.2.0
environment:
  description:
    - The environment as C(GetEnvironment) reports it, with keys in snake_case.
    - Airflow option keys, tag keys and team names are kept as they are.
    - Empty after a delete, or in check mode when the environment would be created.
  returned: always
  type: dict
  contains:
    name:
      description: Environment name.
      returned: when the environment exists
      type: str
      sample: lineage-prod
    arn:
      description: Environment ARN.
      returned: when the environment exists
      type: str
      sample: arn:aws:airflow:us-east-1:123456789012:environment/lineage-prod
    status:
      description: Environment status, for example C(AVAILABLE), C(CREATING) or C(UPDATE_FAILED).
      returned: when the environment exists
      type: str
      sample: AVAILABLE
    webserver_url:
      description: Host name of the Airflow web server.
      returned: when available
      type: str
      sample: 0123abcd-1234-5678-9abc-0123456789ab.c10.us-east-1.airflow.amazonaws.com
    airflow_version:
      description: Apache Airflow version.
      returned: when the environment exists
      type: str
      sample: 3.0.6
    environment_class:
      description: Environment class.
      returned: when the environment exists
      type: str
      sample: mw1.small
    execution_role_arn:
      description: Execution role ARN.
      returned: when the environment exists
      type: str
    service_role_arn:
      description: ARN of MWAA's service-linked role.
      returned: when available
      type: str
    kms_key:
      description: KMS key that encrypts the environment's data.
      returned: when a customer managed key is used
      type: str
    source_bucket_arn:
      description: ARN of the S3 bucket.
      returned: when the environment exists
      type: str
    dag_s3_path:
      description: Relative path of the DAGs folder.
      returned: when the environment exists
      type: str
      sample: dags
    requirements_s3_path:
      description: Relative path of requirements.txt.
      returned: when set
      type: str
    requirements_s3_object_version:
      description: S3 version of requirements.txt.
      returned: when set
      type: str
    plugins_s3_path:
      description: Relative path of plugins.zip.
      returned: when set
      type: str
    plugins_s3_object_version:
      description: S3 version of plugins.zip.
      returned: when set
      type: str
    startup_script_s3_path:
      description: Relative path of the startup script.
      returned: when set
      type: str
    startup_script_s3_object_version:
      description: S3 version of the startup script.
      returned: when set
      type: str
    airflow_configuration_options:
      description: Airflow configuration options, keys verbatim. Credential values are masked.
      returned: when set
      type: dict
      sample: {"core.load_examples": "false", "openlineage.namespace": "lineage-prod"}
    network_configuration:
      description: Subnets and security groups.
      returned: when the environment exists
      type: dict
      sample: {"subnet_ids": ["subnet-01", "subnet-02"], "security_group_ids": ["sg-01"]}
    logging_configuration:
      description: CloudWatch Logs settings per component, with C(enabled), C(log_level) and C(cloud_watch_log_group_arn).
      returned: when the environment exists
      type: dict
    last_update:
      description: Status, time, source and (on failure) C(error) of the last create or update.
      returned: when available
      type: dict
      sample: {"status": "FAILED", "error": {"error_code": "INCORRECT_CONFIGURATION", "error_message": "..."}}
    min_workers:
      description: Minimum number of workers.
      returned: when the environment exists
      type: int
    max_workers:
      description: Maximum number of workers.
      returned: when the environment exists
      type: int
    schedulers:
      description: Number of schedulers.
      returned: when the environment exists
      type: int
    min_webservers:
      description: Minimum number of web servers.
      returned: when available
      type: int
    max_webservers:
      description: Maximum number of web servers.
      returned: when available
      type: int
    webserver_access_mode:
      description: Web server access mode.
      returned: when the environment exists
      type: str
      sample: PRIVATE_ONLY
    endpoint_management:
      description: Who manages the VPC endpoints.
      returned: when available
      type: str
      sample: SERVICE
    webserver_vpc_endpoint_service:
      description: VPC endpoint service of the web server (needed when O(endpoint_management=CUSTOMER)).
      returned: when available
      type: str
    database_vpc_endpoint_service:
      description: VPC endpoint service of the metadata database (needed when O(endpoint_management=CUSTOMER)).
      returned: when available
      type: str
    celery_executor_queue:
      description: ARN of the Celery executor's SQS queue.
      returned: when available
      type: str
    weekly_maintenance_window_start:
      description: Start of the weekly maintenance window (UTC).
      returned: when the environment exists
      type: str
      sample: SUN:03:00
    created_at:
      description: Creation time (ISO 8601).
      returned: when the environment exists
      type: str
    tags:
      description: Tags, keys verbatim.
      returned: when the environment exists
      type: dict
      sample: {"Project": "lineage", "Environment": "prod"}
    identity_center_configuration:
      description: IAM Identity Center settings.
      returned: when set
      type: dict
    teams:
      description: Multi-team configuration, team names verbatim.
      returned: when set
      type: dict
"""

import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import mwaa as mwaa_utils

ENVIRONMENT_CLASSES = ["mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge"]
LOG_TYPES = ["dag_processing_logs", "scheduler_logs", "webserver_logs", "worker_logs", "task_logs"]
LOG_LEVELS = ["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]

# Plain fields that UpdateEnvironment can change, option name -> API name.
MUTABLE_SCALARS = {
    "airflow_version": "AirflowVersion",
    "environment_class": "EnvironmentClass",
    "execution_role_arn": "ExecutionRoleArn",
    "source_bucket_arn": "SourceBucketArn",
    "dag_s3_path": "DagS3Path",
    "requirements_s3_path": "RequirementsS3Path",
    "requirements_s3_object_version": "RequirementsS3ObjectVersion",
    "plugins_s3_path": "PluginsS3Path",
    "plugins_s3_object_version": "PluginsS3ObjectVersion",
    "startup_script_s3_path": "StartupScriptS3Path",
    "startup_script_s3_object_version": "StartupScriptS3ObjectVersion",
    "min_workers": "MinWorkers",
    "max_workers": "MaxWorkers",
    "schedulers": "Schedulers",
    "min_webservers": "MinWebservers",
    "max_webservers": "MaxWebservers",
    "webserver_access_mode": "WebserverAccessMode",
    "weekly_maintenance_window_start": "WeeklyMaintenanceWindowStart",
}
# CreateEnvironment fields missing from UpdateEnvironment (besides Name and Tags).
IMMUTABLE_SCALARS = {
    "kms_key": "KmsKey",
    "endpoint_management": "EndpointManagement",
}
# Sent with CreateEnvironment when the task leaves them unset. Not argument_spec defaults:
# those would be compared on every run, and an unset airflow_version would then upgrade
# (or downgrade) an existing environment nobody asked to change.
CREATE_DEFAULTS = {
    "airflow_version": "3.0.6",
    "webserver_access_mode": "PRIVATE_ONLY",
}
REQUIRED_FOR_CREATE = ["execution_role_arn", "source_bucket_arn", "dag_s3_path", "network_configuration"]

NAME_RE = re.compile(r"^[a-zA-Z][0-9a-zA-Z\-_]*$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-/]+$")
BUCKET_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)?:s3:::[a-z0-9.\-]+$")
SUBNET_RE = re.compile(r"^subnet-[a-zA-Z0-9\-._]+$")
SG_RE = re.compile(r"^sg-[a-zA-Z0-9\-._]+$")
WINDOW_RE = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\d|2[0-3]):(00|30)$")
TEAM_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_\-]{2,49}$")

# Poll every 2 s at first (emulator, quick updates), then back off to 30 s.
WAIT_DELAY = 2
WAIT_MAX_DELAY = 30


# --- input -------------------------------------------------------------------------------


def validate_params(module):
    """Check what AWS would reject (and what emulators accept) before any call."""
    p = module.params
    errors = []
    name = p["name"]
    if not NAME_RE.match(name) or len(name) > 80:
        errors.append(
            f"name '{name}' is invalid: use letters, digits, '-' and '_', start with a letter, at most 80 characters"
        )
    if p["state"] == "absent":
        if errors:
            module.fail_json(msg="; ".join(errors))
        return

    if p["execution_role_arn"] is not None and not ROLE_ARN_RE.match(p["execution_role_arn"]):
        errors.append(
            f"execution_role_arn '{p['execution_role_arn']}' is not an IAM role ARN "
            "(arn:aws:iam::<account>:role/<name>)"
        )
    if p["source_bucket_arn"] is not None and not BUCKET_ARN_RE.match(p["source_bucket_arn"]):
        errors.append(
            f"source_bucket_arn '{p['source_bucket_arn']}' is not an S3 bucket ARN "
            "(arn:aws:s3:::<bucket>); pass the ARN, not the bucket name"
        )
    network = p["network_configuration"]
    if network:
        subnets = network.get("subnet_ids")
        groups = network.get("security_group_ids")
        if subnets is not None:
            if len(subnets) != 2 or len(set(subnets)) != 2:
                errors.append(
                    "network_configuration.subnet_ids must list exactly 2 different private subnets "
                    f"(in different Availability Zones); got {subnets}"
                )
            bad = [s for s in subnets if not SUBNET_RE.match(s)]
            if bad:
                errors.append(f"network_configuration.subnet_ids contains invalid subnet IDs: {bad}")
        if groups is not None:
            if not 1 <= len(groups) <= 5 or len(set(groups)) != len(groups):
                errors.append(
                    f"network_configuration.security_group_ids must list 1 to 5 different security groups; got {groups}"
                )
            bad = [g for g in groups if not SG_RE.match(g)]
            if bad:
                errors.append(f"network_configuration.security_group_ids contains invalid security group IDs: {bad}")
    for low, high in (("min_workers", "max_workers"), ("min_webservers", "max_webservers")):
        for opt in (low, high):
            if p[opt] is not None and p[opt] < 1:
                errors.append(f"{opt} must be at least 1; got {p[opt]}")
        if p[low] is not None and p[high] is not None and p[low] > p[high]:
            errors.append(f"{low} ({p[low]}) must not be greater than {high} ({p[high]})")
    if p["schedulers"] is not None and not 1 <= p["schedulers"] <= 5:
        errors.append(f"schedulers must be between 1 and 5; got {p['schedulers']}")
    window = p["weekly_maintenance_window_start"]
    if window is not None and not WINDOW_RE.match(window):
        errors.append(
            f"weekly_maintenance_window_start '{window}' must be DAY:HH:MM in UTC with MM 00 or 30, e.g. TUE:03:30"
        )
    if p["wait_timeout"] < 0:
        errors.append("wait_timeout must not be negative")
    if p["iam_propagation_timeout"] < 0:
        errors.append(f"iam_propagation_timeout must not be negative; got {p['iam_propagation_timeout']}")
    teams = p["teams"]
    if teams is not None:
        for team, settings in teams.items():
            if not TEAM_RE.match(str(team)):
                errors.append(f"teams key '{team}' is not a valid team name (3-50 letters, digits, '-', '_')")
            if not isinstance(settings, dict) or not settings.get("source_bucket_arn") or not settings.get("dag_s3_path"):
                errors.append(f"teams['{team}'] needs source_bucket_arn and dag_s3_path")
            elif not BUCKET_ARN_RE.match(settings["source_bucket_arn"]):
                errors.append(f"teams['{team}'].source_bucket_arn is not an S3 bucket ARN")
        if len(teams) > 20:
            errors.append("teams allows at most 20 teams")
    # MWAA's TagValue has a minimum length of 1. A null value used to be sent as "" and failed
    # only at the API; dropping it instead would let purge_tags delete the existing tag.
    for key, value in (p["tags"] or {}).items():
        if value is None or str(value) == "":
            errors.append(
                f"tags['{key}'] is {'null' if value is None else 'empty'}; MWAA requires a non-empty tag value. "
                "Give the tag a value, or remove the key (with purge_tags=true that removes the tag)"
            )
    if errors:
        module.fail_json(msg="; ".join(errors))


def desired_airflow_options(module):
    """The options as MWAA will store them (all strings), validated, with warnings."""
    options = module.params["airflow_configuration_options"]
    if options is None:
        return None
    rendered = {}
    errors = []
    for key, value in options.items():
        if value is None:
            errors.append(f"airflow_configuration_options['{key}'] is null; MWAA requires a non-empty string value")
            continue
        text, warning = mwaa_utils.airflow_option_value(key, value)
        if warning:
            mwaa_utils.warn(module, warning)
        error = mwaa_utils.validate_airflow_option(key, text)
        if error:
            errors.append(error)
        rendered[key] = text
    if errors:
        module.fail_json(msg="; ".join(errors))
    return rendered


def desired_tags(module):
    tags = module.params["tags"]
    if tags is None:
        return None
    return {str(k): str(v) for k, v in tags.items()}


# --- comparison ---------------------------------------------------------------------------


def _same_scalar(current, desired):
    if isinstance(desired, str) or isinstance(current, str):
        return (current or "") == (desired or "")
    return current == desired


def _kms_matches(module, current, desired):
    if not current:
        return False
    if current == desired or current.endswith("/" + desired) or current.endswith(":" + desired):
        return True
    if desired.startswith("alias/") or ":alias/" in desired:
        if ":key/" in current:
            mwaa_utils.warn(
                module,
                f"kms_key '{desired}' is an alias and MWAA reports the key ARN '{current}'; "
                "the module cannot tell whether they are the same key, so kms_key is not compared"
            )
            return True
    return False


def _log_settings(current_logging, log_type):
    api = mwaa_utils.snake_to_camel_key(log_type)
    settings = (current_logging or {}).get(api) or {}
    return {"enabled": bool(settings.get("Enabled")), "log_level": settings.get("LogLevel")}


class Plan:
    """Changed fields: UpdateEnvironment request plus before/after for --diff."""

    def __init__(self):
        self.request = {}
        self.before = {}
        self.after = {}
        self.immutable = []

    def change(self, option, api_key, before, after, request_value):
        self.before[option] = before
        self.after[option] = after
        self.request[api_key] = request_value


def plan_update(module, environment, airflow_options, client):
    """Compare what the user set with the environment; never looks at unset options."""
    p = module.params
    plan = Plan()

    for option, api_key in MUTABLE_SCALARS.items():
        desired = p[option]
        if desired is None:
            continue
        current = environment.get(api_key)
        if not _same_scalar(current, desired):
            plan.change(option, api_key, current, desired, desired)

    if p["kms_key"] is not None and not _kms_matches(module, environment.get("KmsKey"), p["kms_key"]):
        plan.immutable.append(("kms_key", environment.get("KmsKey") or "(AWS owned key)", p["kms_key"]))
    if p["endpoint_management"] is not None:
        current = environment.get("EndpointManagement") or "SERVICE"
        if current != p["endpoint_management"]:
            plan.immutable.append(("endpoint_management", current, p["endpoint_management"]))

    network = p["network_configuration"] or {}
    current_network = environment.get("NetworkConfiguration") or {}
    if network.get("subnet_ids") is not None:
        current_subnets = current_network.get("SubnetIds") or []
        if sorted(current_subnets) != sorted(network["subnet_ids"]):
            plan.immutable.append(("network_configuration.subnet_ids", current_subnets, network["subnet_ids"]))
    if network.get("security_group_ids") is not None:
        current_groups = current_network.get("SecurityGroupIds") or []
        if sorted(current_groups) != sorted(network["security_group_ids"]):
            plan.change(
                "network_configuration",
                "NetworkConfiguration",
                {"security_group_ids": current_groups},
                {"security_group_ids": network["security_group_ids"]},
                {"SecurityGroupIds": network["security_group_ids"]},
            )

    logging_config = p["logging_configuration"]
    if logging_config:
        current_logging = environment.get("LoggingConfiguration") or {}
        before, after = {}, {}
        for log_type in LOG_TYPES:
            wanted = logging_config.get(log_type)
            if wanted is None:
                continue
            have = _log_settings(current_logging, log_type)
            differs = have["enabled"] != wanted["enabled"] or (
                wanted["enabled"] and have["log_level"] != wanted["log_level"]
            )
            if differs:
                before[log_type] = have
                after[log_type] = {"enabled": wanted["enabled"], "log_level": wanted["log_level"]}
        if after:
            # Send every component so an API that replaces the whole block keeps the unlisted ones.
            request = {}
            for log_type in LOG_TYPES:
                wanted = logging_config.get(log_type)
                if wanted is None:
                    have = _log_settings(current_logging, log_type)
                    if mwaa_utils.snake_to_camel_key(log_type) not in current_logging:
                        continue
                    wanted = {"enabled": have["enabled"], "log_level": have["log_level"] or "INFO"}
                request[mwaa_utils.snake_to_camel_key(log_type)] = {
                    "Enabled": wanted["enabled"],
                    "LogLevel": wanted["log_level"],
                }
            plan.change("logging_configuration", "LoggingConfiguration", before, after, request)

    if airflow_options is not None:
        current_options = environment.get("AirflowConfigurationOptions") or {}
        if current_options != airflow_options:
            keys = set(current_options) | set(airflow_options)
            changed_keys = sorted(k for k in keys if current_options.get(k) != airflow_options.get(k))
            plan.change(
                "airflow_configuration_options",
                "AirflowConfigurationOptions",
                {k: current_options[k] for k in changed_keys if k in current_options},
                {k: airflow_options[k] for k in changed_keys if k in airflow_options},
                airflow_options,
            )

    identity = p["identity_center_configuration"]
    if identity is not None:
        current_identity = environment.get("IdentityCenterConfiguration") or {}
        wanted = {"StartUrl": identity.get("start_url"), "IdentityStoreId": identity.get("identity_store_id")}
        wanted = {k: v for k, v in wanted.items() if v is not None}
        if any(current_identity.get(k) != v for k, v in wanted.items()):
            merged = dict(current_identity)
            merged.update(wanted)
            plan.change(
                "identity_center_configuration",
                "IdentityCenterConfiguration",
                mwaa_utils.environment_to_snake(current_identity),
                mwaa_utils.environment_to_snake(merged),
                merged,
            )

    teams = p["teams"]
    if teams is not None:
        current_teams = environment.get("Teams") or {}
        wanted_teams = _api_teams(teams)
        add_or_update = {k: v for k, v in wanted_teams.items() if current_teams.get(k) != v}
        remove = sorted(k for k in current_teams if k not in wanted_teams)
        if add_or_update or remove:
            request = {}
            if add_or_update:
                request["AddOrUpdate"] = add_or_update
            if remove:
                request["Remove"] = remove
            plan.change(
                "teams",
                "Teams",
                {k: _snake_team(current_teams[k]) for k in sorted(set(add_or_update) | set(remove)) if k in current_teams},
                {k: _snake_team(v) for k, v in add_or_update.items()},
                request,
            )

    if plan.immutable:
        name = p["name"]
        details = "; ".join(f"{opt}: current {cur!r}, requested {want!r}" for opt, cur, want in plan.immutable)
        options = ", ".join(opt for opt, _cur, _want in plan.immutable)
        module.fail_json(
            msg=(
                f"Cannot change {options} of the existing MWAA environment '{name}': MWAA does not allow it in "
                f"place ({details}). Set the current value, or delete the environment (state=absent) and create "
                "it again."
            ),
            immutable_options=[opt for opt, _cur, _want in plan.immutable],
        )
    if plan.request:
        _require_botocore_fields(module, client, "UpdateEnvironment", plan.request)
        if p["worker_replacement_strategy"]:
            plan.request["WorkerReplacementStrategy"] = p["worker_replacement_strategy"]
    return plan


def _api_teams(teams):
    return {
        str(k): {"SourceBucketArn": v["source_bucket_arn"], "DagS3Path": v["dag_s3_path"]} for k, v in teams.items()
    }


def _snake_team(team):
    return {"source_bucket_arn": team.get("SourceBucketArn"), "dag_s3_path": team.get("DagS3Path")}


def _require_botocore_fields(module, client, operation, request):
    for field in ("IdentityCenterConfiguration", "Teams"):
        if field in request and not mwaa_utils.client_supports(client, operation, field):
            option = "identity_center_configuration" if field == "IdentityCenterConfiguration" else "teams"
            module.fail_json(
                msg=f"{option} needs a newer botocore: the installed one does not know MWAA's {field} field"
            )


def create_request(module, airflow_options, tags):
    p = module.params
    request = {"Name": p["name"]}
    for option, api_key in list(MUTABLE_SCALARS.items()) + list(IMMUTABLE_SCALARS.items()):
        value = p[option] if p[option] is not None else CREATE_DEFAULTS.get(option)
        if value is not None:
            request[api_key] = value
    network = p["network_configuration"]
    request["NetworkConfiguration"] = {
        "SubnetIds": network["subnet_ids"],
        "SecurityGroupIds": network["security_group_ids"],
    }
    if p["logging_configuration"]:
        request["LoggingConfiguration"] = {
            mwaa_utils.snake_to_camel_key(t): {"Enabled": v["enabled"], "LogLevel": v["log_level"]}
            for t, v in p["logging_configuration"].items()
            if v is not None
        }
    if airflow_options is not None:
        request["AirflowConfigurationOptions"] = airflow_options
    if p["identity_center_configuration"]:
        identity = {
            "StartUrl": p["identity_center_configuration"].get("start_url"),
            "IdentityStoreId": p["identity_center_configuration"].get("identity_store_id"),
        }
        request["IdentityCenterConfiguration"] = {k: v for k, v in identity.items() if v is not None}
    if p["teams"]:
        request["Teams"] = _api_teams(p["teams"])
    if tags:
        request["Tags"] = tags
    return request


def _create_diff(request):
    after = mwaa_utils.environment_to_snake({k: v for k, v in request.items() if k != "Name"})
    after["name"] = request["Name"]
    return {"before": {}, "after": after}


# --- AWS calls with module error handling -------------------------------------------------


class Runner:
    """Holds the client, the deadline shared by all waits, and error reporting."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.name = module.params["name"]
        self.deadline = time.monotonic() + module.params["wait_timeout"]
        self.attempts = 0

    def call(self, description, func, *args):
        try:
            return func(self.client, *args)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to {description} MWAA environment '{self.name}'")

    def write(self, description, func, request, retry_iam):
        """Create or update; repeated while IAM propagates when retry_iam is set."""
        timeout = self.module.params["iam_propagation_timeout"] if retry_iam else 0
        retry = mwaa_utils.IAMPropagationRetry(timeout)
        try:
            return retry.run(func, self.client, request)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            msg = f"Failed to {description} MWAA environment '{self.name}'{retry.describe()}"
            if retry.attempts > 1:
                msg += f" (iam_propagation_timeout={timeout})"
            self.module.fail_json_aws(e, msg=msg, attempts=retry.attempts)
        finally:
            self.attempts += retry.attempts

    def get(self):
        environment = self.call("describe", mwaa_utils.get_environment, self.name)
        if environment:
            self.mask(environment.get("AirflowConfigurationOptions"))
        return environment

    def mask(self, options):
        self.module.no_log_values.update(mwaa_utils.secret_values(options))

    def wait(self, targets, failed=(), absent_ok=False, hint=None):
        remaining = max(0.0, self.deadline - time.monotonic())
        try:
            environment = mwaa_utils.wait_for_environment(
                self.client,
                self.name,
                targets,
                failed_statuses=failed,
                timeout=remaining,
                delay=WAIT_DELAY,
                max_delay=WAIT_MAX_DELAY,
                absent_ok=absent_ok,
            )
        except mwaa_utils.MWAAWaitError as e:
            env = e.environment
            msg = e.message
            if hint and isinstance(e, mwaa_utils.MWAAEnvironmentFailed):
                msg = f"{msg}. {hint}"
            self.module.fail_json(
                msg=msg,
                environment=mwaa_utils.environment_to_snake(env),
                status=(env or {}).get("Status"),
                last_update_error=mwaa_utils.last_update_error(env),
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to describe MWAA environment '{self.name}' while waiting")
        if environment:
            self.mask(environment.get("AirflowConfigurationOptions"))
        return environment

    def exit(self, changed, environment, diff=None):
        result = {
            "changed": changed,
            "environment": mwaa_utils.environment_to_snake(environment),
            "attempts": self.attempts,
        }
        if diff is not None and self.module._diff:
            result["diff"] = diff
        self.module.exit_json(**result)


# --- states ------------------------------------------------------------------------------


def ensure_present(module, runner):
    p = module.params
    airflow_options = desired_airflow_options(module)
    runner.mask(airflow_options)
    tags = desired_tags(module)

    environment = runner.get()
    if environment and environment.get("Status") == mwaa_utils.DELETING:
        if not module.check_mode:
            environment = runner.wait((), absent_ok=True)
        else:
            environment = None
    if mwaa_utils.is_gone(environment):
        return create(module, runner, airflow_options, tags)

    _fail_if_create_failed(module, environment)
    plan = plan_update(module, environment, airflow_options, runner.client)
    status = environment["Status"]
    if plan.request and status in mwaa_utils.TRANSITIONAL_STATUSES and not module.check_mode:
        # MWAA rejects updates while another operation runs; let it finish, then compare again.
        environment = runner.wait(mwaa_utils.SETTLED_STATUSES - {mwaa_utils.DELETED})
        _fail_if_create_failed(module, environment)
        plan = plan_update(module, environment, airflow_options, runner.client)
        status = environment["Status"]

    if plan.request and status == mwaa_utils.PENDING:
        module.fail_json(
            msg=(
                f"MWAA environment '{runner.name}' is PENDING: MWAA waits for the customer-managed VPC endpoints "
                f"(webserver: {environment.get('WebserverVpcEndpointService')}, database: "
                f"{environment.get('DatabaseVpcEndpointService')}). It cannot be updated before they exist."
            ),
            environment=mwaa_utils.environment_to_snake(environment),
        )
    if plan.request and status == mwaa_utils.UNAVAILABLE:
        mwaa_utils.warn(
            module,
            f"MWAA environment '{runner.name}' is UNAVAILABLE ({mwaa_utils.last_update_error(environment)}); "
            "trying the update, which is the only in-place remedy"
        )

    tags_to_set, tags_to_unset = {}, []
    if tags is not None:
        tags_to_set, tags_to_unset = compare_aws_tags(environment.get("Tags") or {}, tags, p["purge_tags"])
    diff = {"before": dict(plan.before), "after": dict(plan.after)}
    if tags_to_set or tags_to_unset:
        current_tags = environment.get("Tags") or {}
        new_tags = {k: v for k, v in current_tags.items() if k not in tags_to_unset}
        new_tags.update(tags_to_set)
        diff["before"]["tags"] = current_tags
        diff["after"]["tags"] = new_tags
    changed = bool(plan.request or tags_to_set or tags_to_unset)

    if module.check_mode:
        runner.exit(changed, environment, diff)

    if plan.request:
        request = dict(plan.request, Name=runner.name)
        # A new execution role meets the same IAM propagation delay as on create.
        runner.write("update", mwaa_utils.update_environment, request, retry_iam="ExecutionRoleArn" in request)
    arn = environment.get("Arn")
    if tags_to_unset:
        runner.call("untag", mwaa_utils.untag_environment, arn, tags_to_unset)
    if tags_to_set:
        runner.call("tag", mwaa_utils.tag_environment, arn, tags_to_set)

    if plan.request:
        if p["wait"]:
            environment = runner.wait(
                {mwaa_utils.AVAILABLE},
                failed=mwaa_utils.FAILED_STATUSES,
                hint="An UPDATE_FAILED environment was rolled back to its previous configuration",
            )
        else:
            environment = runner.get()
    else:
        if p["wait"] and status in mwaa_utils.TRANSITIONAL_STATUSES:
            # An operation started earlier (e.g. a create with wait=false) is still running.
            environment = runner.wait({mwaa_utils.AVAILABLE, mwaa_utils.PENDING}, failed=mwaa_utils.FAILED_STATUSES)
        elif changed:
            environment = runner.get()
        _report_settled_status(module, runner, environment)
    runner.exit(changed, environment, diff)


def _fail_if_create_failed(module, environment):
    if environment and environment.get("Status") == mwaa_utils.CREATE_FAILED:
        module.fail_json(
            msg=(
                f"{mwaa_utils.describe_failure(environment)}. A failed create cannot be updated: delete the "
                "environment (state=absent) and run again."
            ),
            environment=mwaa_utils.environment_to_snake(environment),
            status=mwaa_utils.CREATE_FAILED,
            last_update_error=mwaa_utils.last_update_error(environment),
        )


def _report_settled_status(module, runner, environment):
    status = (environment or {}).get("Status")
    if status == mwaa_utils.UNAVAILABLE:
        msg = (
            f"{mwaa_utils.describe_failure(environment)}. The environment is not stable; change a setting to "
            "trigger an update, or delete and create it again."
        )
        if module.params["wait"]:
            module.fail_json(
                msg=msg,
                environment=mwaa_utils.environment_to_snake(environment),
                status=status,
                last_update_error=mwaa_utils.last_update_error(environment),
            )
        mwaa_utils.warn(module, msg)
    elif status == mwaa_utils.UPDATE_FAILED:
        mwaa_utils.warn(
            module,
            f"{mwaa_utils.describe_failure(environment)}. MWAA rolled it back; its settings match the requested ones."
        )
    elif status == mwaa_utils.PENDING:
        mwaa_utils.warn(
            module,
            f"MWAA environment '{runner.name}' is PENDING until the customer-managed VPC endpoints exist "
            f"(webserver: {environment.get('WebserverVpcEndpointService')}, database: "
            f"{environment.get('DatabaseVpcEndpointService')})"
        )


def create(module, runner, airflow_options, tags):
    missing = [opt for opt in REQUIRED_FOR_CREATE if not module.params[opt]]
    network = module.params["network_configuration"] or {}
    if module.params["network_configuration"]:
        missing += [f"network_configuration.{k}" for k in ("subnet_ids", "security_group_ids") if not network.get(k)]
    if missing:
        module.fail_json(
            msg=f"MWAA environment '{runner.name}' does not exist; to create it set: {', '.join(missing)}",
        )
    request = create_request(module, airflow_options, tags)
    _require_botocore_fields(module, runner.client, "CreateEnvironment", request)
    diff = _create_diff(request)
    if module.check_mode:
        runner.exit(True, {}, diff)
    runner.write("create", mwaa_utils.create_environment, request, retry_iam=True)
    if module.params["wait"]:
        environment = runner.wait(
            {mwaa_utils.AVAILABLE, mwaa_utils.PENDING},
            failed={mwaa_utils.CREATE_FAILED, mwaa_utils.UNAVAILABLE},
            hint="Delete it (state=absent) before creating it again",
        )
        _report_settled_status(module, runner, environment)
    else:
        environment = runner.get()
    runner.exit(True, environment, diff)


def ensure_absent(module, runner):
    environment = runner.get()
    if mwaa_utils.is_gone(environment):
        runner.exit(False, {})
    diff = {"before": mwaa_utils.environment_to_snake(environment), "after": {}}
    if environment["Status"] == mwaa_utils.DELETING:
        if module.params["wait"] and not module.check_mode:
            runner.wait((), absent_ok=True)
        runner.exit(False, {})
    if module.check_mode:
        runner.exit(True, {}, diff)
    if environment["Status"] in mwaa_utils.TRANSITIONAL_STATUSES:
        # MWAA rejects a delete while another operation runs.
        environment = runner.wait(mwaa_utils.SETTLED_STATUSES - {mwaa_utils.DELETED}, absent_ok=True)
        if mwaa_utils.is_gone(environment):
            runner.exit(False, {})
    deleted = runner.call("delete", mwaa_utils.delete_environment, runner.name)
    if deleted and module.params["wait"]:
        runner.wait((), absent_ok=True)
    runner.exit(deleted, {}, diff if deleted else None)


def main():
    log_type_spec = dict(
        type="dict",
        options=dict(
            enabled=dict(type="bool", default=True),
            log_level=dict(type="str", default="INFO", choices=LOG_LEVELS),
        ),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        airflow_version=dict(type="str"),
        environment_class=dict(type="str", choices=ENVIRONMENT_CLASSES),
        execution_role_arn=dict(type="str"),
        source_bucket_arn=dict(type="str"),
        dag_s3_path=dict(type="str"),
        requirements_s3_path=dict(type="str"),
        requirements_s3_object_version=dict(type="str"),
        plugins_s3_path=dict(type="str"),
        plugins_s3_object_version=dict(type="str"),
        startup_script_s3_path=dict(type="str"),
        startup_script_s3_object_version=dict(type="str"),
        network_configuration=dict(
            type="dict",
            options=dict(
                subnet_ids=dict(type="list", elements="str"),
                security_group_ids=dict(type="list", elements="str"),
            ),
        ),
        logging_configuration=dict(
            type="dict",
            options={log_type: dict(log_type_spec) for log_type in LOG_TYPES},
        ),
        airflow_configuration_options=dict(type="dict"),
        min_workers=dict(type="int"),
        max_workers=dict(type="int"),
        schedulers=dict(type="int"),
        min_webservers=dict(type="int"),
        max_webservers=dict(type="int"),
        webserver_access_mode=dict(type="str", choices=["PRIVATE_ONLY", "PUBLIC_ONLY", "PUBLIC_AND_PRIVATE"]),
        endpoint_management=dict(type="str", choices=["CUSTOMER", "SERVICE"]),
        weekly_maintenance_window_start=dict(type="str"),
        kms_key=dict(type="str", no_log=False),
        identity_center_configuration=dict(
            type="dict",
            options=dict(
                start_url=dict(type="str"),
                identity_store_id=dict(type="str"),
            ),
        ),
        teams=dict(type="dict"),
        worker_replacement_strategy=dict(type="str", choices=["FORCED", "GRACEFUL"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        iam_propagation_timeout=dict(type="int", default=120),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=7200),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_by={
            "requirements_s3_object_version": "requirements_s3_path",
            "plugins_s3_object_version": "plugins_s3_path",
            "startup_script_s3_object_version": "startup_script_s3_path",
        },
    )
    validate_params(module)
    runner = Runner(module, mwaa_utils.get_mwaa_client(module))
    if module.params["state"] == "present":
        ensure_present(module, runner)
    else:
        ensure_absent(module, runner)


if __name__ == "__main__":
    main()
