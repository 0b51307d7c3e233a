# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared helpers for the Amazon MWAA modules of dataplatform.mwaa_lineage.

Client creation, retries, status sets, snake/camel conversion, secret masking
and a bounded wait loop. Used by mwaa_environment, mwaa_environment_info and
any later module that needs an environment's state (blue/green switch).
"""

from __future__ import annotations

import datetime
import json
import re
import time

try:
    from botocore.config import Config
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.cloud import BackoffIterator
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# --- statuses -----------------------------------------------------------------

CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
AVAILABLE = "AVAILABLE"
UPDATING = "UPDATING"
DELETING = "DELETING"
DELETED = "DELETED"
UNAVAILABLE = "UNAVAILABLE"
UPDATE_FAILED = "UPDATE_FAILED"
ROLLING_BACK = "ROLLING_BACK"
CREATING_SNAPSHOT = "CREATING_SNAPSHOT"
PENDING = "PENDING"
MAINTENANCE = "MAINTENANCE"

ALL_STATUSES = frozenset(
    (
        CREATING,
        CREATE_FAILED,
        AVAILABLE,
        UPDATING,
        DELETING,
        DELETED,
        UNAVAILABLE,
        UPDATE_FAILED,
        ROLLING_BACK,
        CREATING_SNAPSHOT,
        PENDING,
        MAINTENANCE,
    )
)
# MWAA is working on the environment; it will leave this status by itself.
TRANSITIONAL_STATUSES = frozenset((CREATING, UPDATING, DELETING, ROLLING_BACK, CREATING_SNAPSHOT, MAINTENANCE))
# The last operation failed. UPDATE_FAILED environments were rolled back and still run.
FAILED_STATUSES = frozenset((CREATE_FAILED, UPDATE_FAILED, UNAVAILABLE))
# Airflow is running and the environment accepts updates.
STABLE_STATUSES = frozenset((AVAILABLE, UPDATE_FAILED))
# Creation is paused until the customer creates the VPC endpoints (EndpointManagement=CUSTOMER).
WAITING_ON_CUSTOMER_STATUSES = frozenset((PENDING,))
# Anything MWAA will not move away from without someone acting.
SETTLED_STATUSES = ALL_STATUSES - TRANSITIONAL_STATUSES

# Errors worth retrying: throttling and the service's own transient failures.
RETRY_ERROR_CODES = ["ThrottlingException", "InternalServerException", "ServiceUnavailableException"]

# Right after its execution role (or the role's policy) is created, CreateEnvironment fails with
# a ValidationException until IAM has propagated ("Failed to assume role arn:... Please ensure
# your role is assumable by 'airflow-env.amazonaws.com'", or "Provided role does not have
# sufficient permissions for s3 location ..."). MWAA cannot tell propagation from a wrong role
# (hashicorp/terraform-provider-aws#26429), and its texts are not documented, so the codes are
# matched, not the message, as the Terraform provider does (PR #27031).
IAM_PROPAGATION_ERROR_CODES = ("ValidationException", "InternalServerException")
IAM_PROPAGATION_DELAY = 5
IAM_PROPAGATION_MAX_DELAY = 30

# AirflowConfigurationOptions key rule from the MWAA API model.
CONFIG_KEY_RE = re.compile(r"^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$")
CONFIG_KEY_MAX_LEN = 64
CONFIG_VALUE_MAX_LEN = 65536
CONFIG_VALUE_RE = re.compile(r"^[ -~]+$")

# Option names (last dotted part) and JSON field names whose values are credentials.
_SECRET_NAME_RE = re.compile(r"(password|passwd|secret|secret_key|fernet_key|token|api_?key|credentials?)$", re.IGNORECASE)
# Shorter values would mask unrelated text everywhere in the output.
_SECRET_MIN_LEN = 4


# --- client and retries ---------------------------------------------------------


def mwaa_retry(retries=10, delay=3, max_delay=60):
    """AWSRetry.jittered_backoff that also retries MWAA's throttling and 5xx errors."""
    return AWSRetry.jittered_backoff(
        retries=retries, delay=delay, max_delay=max_delay, catch_extra_error_codes=RETRY_ERROR_CODES
    )


def get_mwaa_client(module):
    """MWAA client with retries (pass aws_retry=True on calls).

    botocore prefixes MWAA hosts with api./env.; a custom endpoint (emulator,
    VPC endpoint DNS name) has no such sub-domains, so the prefix is turned off
    only when endpoint_url is set.
    """
    extra = {}
    if module.params.get("endpoint_url"):
        extra["config"] = Config(inject_host_prefix=False)
    return module.client("mwaa", retry_decorator=mwaa_retry(), **extra)


def warn(module, message):
    """Emit a warning through the underlying AnsibleModule.

    AnsibleAWSModule.warn also passes its warnings to exit_json, which ansible-core
    2.19 reports as deprecated on every run; the core warning alone reaches the user.
    """
    getattr(module, "_module", module).warn(message)


def client_supports(client, operation, member):
    """True when the installed botocore knows the request member (newer MWAA fields)."""
    try:
        shape = client.meta.service_model.operation_model(operation).input_shape
    except Exception:  # pylint: disable=broad-except
        return False
    return member in shape.members


# --- API wrappers ----------------------------------------------------------------
# `client` is what get_mwaa_client returns: calls take aws_retry=True.


def get_environment(client, name):
    """The Environment dict from GetEnvironment, or None when it does not exist."""
    try:
        return client.get_environment(Name=name, aws_retry=True)["Environment"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


@AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=RETRY_ERROR_CODES)
def _list_environment_names(client):
    paginator = client.get_paginator("list_environments")
    return paginator.paginate().build_full_result().get("Environments", [])


def list_environment_names(client):
    """Names of all environments in the region (ListEnvironments, all pages)."""
    return list(_list_environment_names(client))


class IAMPropagationRetry:
    """Repeat one write while MWAA may still be waiting for IAM, for at most `timeout` seconds.

    AWSRetry bounds its retries by count, not by time, and does not report how many calls it
    made; this loop does both, with amazon.aws's BackoffIterator for the delays (5 s doubling
    to 30 s). Errors with other codes, and the last error once the time is up, are raised
    unchanged, so the caller reports AWS's own message.
    """

    def __init__(self, timeout, delay=IAM_PROPAGATION_DELAY, max_delay=IAM_PROPAGATION_MAX_DELAY):
        self.timeout = timeout
        self.delay = delay
        self.max_delay = max_delay
        self.attempts = 0
        self.elapsed = 0.0

    def run(self, func, *args, **kwargs):
        started = time.monotonic()
        delays = iter(BackoffIterator(delay=self.delay, backoff=2, max_delay=self.max_delay))
        while True:
            self.attempts += 1
            try:
                return func(*args, **kwargs)
            except is_boto3_error_code(list(IAM_PROPAGATION_ERROR_CODES)):
                self.elapsed = time.monotonic() - started
                remaining = self.timeout - self.elapsed
                if remaining <= 0:
                    raise
                time.sleep(min(next(delays), remaining))
            finally:
                self.elapsed = time.monotonic() - started

    def describe(self):
        """' after N attempts in S s' when the call was repeated, else ''."""
        if self.attempts <= 1:
            return ""
        return f" after {self.attempts} attempts in {int(self.elapsed)} s"


def create_environment(client, request):
    return client.create_environment(aws_retry=True, **request).get("Arn")


def update_environment(client, request):
    return client.update_environment(aws_retry=True, **request).get("Arn")


def delete_environment(client, name):
    """DeleteEnvironment; False when the environment was already gone."""
    try:
        client.delete_environment(Name=name, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return False
    return True


def tag_environment(client, arn, tags):
    client.tag_resource(ResourceArn=arn, Tags=tags, aws_retry=True)


def untag_environment(client, arn, tag_keys):
    client.untag_resource(ResourceArn=arn, tagKeys=list(tag_keys), aws_retry=True)


def is_gone(environment):
    return environment is None or environment.get("Status") == DELETED


# --- conversions -------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def environment_to_snake(environment):
    """snake_case copy of an Environment for module output.

    Airflow option keys (core.load_examples) and tag keys are data, not field
    names, so they stay verbatim; team names too (their settings are converted).
    """
    if not environment:
        return {}
    env = _jsonable(environment)
    snake = camel_dict_to_snake_dict(env, ignore_list=["AirflowConfigurationOptions", "Tags", "Teams"])
    if isinstance(snake.get("teams"), dict):
        snake["teams"] = {k: camel_dict_to_snake_dict(v) for k, v in snake["teams"].items()}
    return snake


def snake_to_camel_key(key):
    """dag_s3_path -> DagS3Path (MWAA field names are plain capitalised words)."""
    return "".join(part[:1].upper() + part[1:] for part in key.split("_"))


def airflow_option_value(key, value):
    """Render one AirflowConfigurationOptions value as MWAA stores it (a string).

    Returns (string, warning-or-None). Booleans become lowercase "true"/"false"
    because Airflow 3 only parses those (Python's "False" is rejected); dicts and
    lists become compact JSON (str() would give a Python repr Airflow cannot read).
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
        return text, (
            f"airflow_configuration_options['{key}'] was the boolean {value}; sent as the string "
            f"'{text}'. Quote the value to silence this warning."
        )
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=False), None
    return str(value), None


def validate_airflow_option(key, value):
    """Error message for a key/value MWAA would reject, else None."""
    if not isinstance(key, str) or not CONFIG_KEY_RE.match(key) or len(key) > CONFIG_KEY_MAX_LEN:
        return (
            f"airflow_configuration_options key '{key}' is invalid: MWAA keys are lowercase "
            f"'section.option' names matching {CONFIG_KEY_RE.pattern} and at most {CONFIG_KEY_MAX_LEN} characters"
        )
    if value is None or value == "":
        return f"airflow_configuration_options['{key}'] is empty; MWAA requires a non-empty string value"
    if len(value) > CONFIG_VALUE_MAX_LEN:
        return f"airflow_configuration_options['{key}'] is longer than {CONFIG_VALUE_MAX_LEN} characters"
    if not CONFIG_VALUE_RE.match(value):
        return (
            f"airflow_configuration_options['{key}'] contains characters MWAA rejects: values must be "
            "printable ASCII on one line (no newlines, tabs or non-ASCII characters)"
        )
    return None


def secret_values(options):
    """Credential strings inside AirflowConfigurationOptions, for no_log masking.

    Catches options whose name says secret (core.fernet_key, ...password) and
    credential fields inside JSON values such as openlineage.transport's
    auth.apiKey.
    """
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and isinstance(k, str) and _SECRET_NAME_RE.search(k):
                    if len(v) >= _SECRET_MIN_LEN:
                        found.add(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for key, value in (options or {}).items():
        if not isinstance(value, str) or not value:
            continue
        if _SECRET_NAME_RE.search(str(key).rsplit(".", 1)[-1]):
            if len(value) >= _SECRET_MIN_LEN:
                found.add(value)
            continue
        if value[:1] in "{[":
            try:
                walk(json.loads(value))
            except ValueError:
                pass
    return found


# --- waiting -------------------------------------------------------------------------


class MWAAWaitError(Exception):
    """Waiting for an environment did not end in a target status."""

    def __init__(self, message, environment=None):
        super().__init__(message)
        self.message = message
        self.environment = environment


class MWAAEnvironmentFailed(MWAAWaitError):
    """The environment reached a failure status (CREATE_FAILED, UPDATE_FAILED, UNAVAILABLE)."""


class MWAAWaitTimeout(MWAAWaitError):
    """wait_timeout elapsed first."""


def last_update_error(environment):
    """'ErrorCode: ErrorMessage' from LastUpdate.Error, or None."""
    error = ((environment or {}).get("LastUpdate") or {}).get("Error") or {}
    code = error.get("ErrorCode")
    message = error.get("ErrorMessage")
    if code and message:
        return f"{code}: {message}"
    return code or message or None


def describe_failure(environment):
    name = environment.get("Name")
    status = environment.get("Status")
    detail = last_update_error(environment) or "MWAA reported no error details in LastUpdate"
    return f"MWAA environment '{name}' is {status}: {detail}"


def wait_for_environment(
    client,
    name,
    target_statuses,
    failed_statuses=(),
    timeout=7200,
    progress=None,
    delay=5,
    max_delay=30,
    absent_ok=False,
):
    """Poll GetEnvironment until the status is in target_statuses.

    - failed_statuses raise MWAAEnvironmentFailed carrying LastUpdate.Error;
    - absent_ok: a missing (or DELETED) environment ends the wait and returns
      None; otherwise it raises MWAAWaitError;
    - timeout raises MWAAWaitTimeout with the last status seen;
    - progress(name, status, elapsed_seconds, environment) is called after every
      poll; the poll interval doubles from `delay` up to `max_delay` (keep that
      below a minute so callers can report progress at least once a minute).

    Returns the last Environment dict (or None when absent_ok and gone).
    """
    targets = frozenset(target_statuses)
    failed = frozenset(failed_statuses)
    started = time.monotonic()
    interval = delay
    while True:
        environment = get_environment(client, name)
        elapsed = time.monotonic() - started
        status = None if environment is None else environment.get("Status")
        if progress is not None:
            progress(name, status, elapsed, environment)
        if is_gone(environment):
            if absent_ok:
                return None
            raise MWAAWaitError(
                f"MWAA environment '{name}' disappeared while waiting for {'/'.join(sorted(targets))}",
                environment,
            )
        if status in failed:
            raise MWAAEnvironmentFailed(describe_failure(environment), environment)
        if status in targets:
            return environment
        remaining = timeout - elapsed
        if remaining <= 0:
            wanted = "deletion" if absent_ok and not targets else "/".join(sorted(targets))
            raise MWAAWaitTimeout(
                f"Timed out after {int(elapsed)}s waiting for MWAA environment '{name}' to reach {wanted}; "
                f"it is still {status}. Raise wait_timeout or check the environment in the MWAA console.",
                environment,
            )
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, max_delay)
