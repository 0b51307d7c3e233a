"""Amazon MWAA (signing name ``airflow``, API 2020-07-01) for the local emulator.

moto has no MWAA backend. This one follows the botocore service model for routing,
shapes and constraints, adds the service-side rules the model cannot express
(environment classes, supported Airflow versions, capacity ranges, references to the
role, bucket, subnets and security groups), keeps state in memory and moves statuses
on after configurable delays. Transitions are evaluated lazily on every access, so no
timer thread is needed and tests stay deterministic.
"""

import base64
import copy
import datetime
import ipaddress
import json
import re
import secrets
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import uuid

from botocore.loaders import Loader
from botocore.model import ServiceModel

from .airflow_proxy import AirflowTarget
from .journal import RestResolver, raw_path
from .validation import ApiError, ValidationError, validate_input

# The one list of accepted versions (flags, settings and CreateEnvironment/UpdateEnvironment use it).
# botocore's docs list up to 3.0.6; 2.11.2 is in the MWAA user guide's "Apache Airflow versions" table.
SUPPORTED_AIRFLOW_VERSIONS = ("2.7.2", "2.8.1", "2.9.2", "2.10.1", "2.10.3", "2.11.0", "2.11.2", "3.0.6")
# The API reference: "If no value is specified, it defaults to the latest version."
DEFAULT_AIRFLOW_VERSION = "3.0.6"
ENVIRONMENT_CLASSES = ("mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge")
DEFAULT_ENVIRONMENT_CLASS = "mw1.small"
# AWS picks a window when none is given; a fixed one keeps the emulator deterministic.
DEFAULT_MAINTENANCE_WINDOW = "SUN:03:00"
MAX_WORKERS_LIMIT = 25
LOG_MODULES = {
    "DagProcessingLogs": "DAGProcessing",
    "SchedulerLogs": "Scheduler",
    "TaskLogs": "Task",
    "WebserverLogs": "WebServer",
    "WorkerLogs": "Worker",
}
CONFIG_FIELDS = (
    "ExecutionRoleArn", "AirflowConfigurationOptions", "AirflowVersion", "DagS3Path", "EnvironmentClass",
    "LoggingConfiguration", "MaxWorkers", "MinWorkers", "MaxWebservers", "MinWebservers",
    "NetworkConfiguration", "PluginsS3Path", "PluginsS3ObjectVersion", "RequirementsS3Path",
    "RequirementsS3ObjectVersion", "Schedulers", "SourceBucketArn", "StartupScriptS3Path",
    "StartupScriptS3ObjectVersion", "WebserverAccessMode", "WeeklyMaintenanceWindowStart",
    "IdentityCenterConfiguration", "Teams", "WebserverUrl",
)
DEFAULT_FAILURE = {
    "create": (
        "INCORRECT_CONFIGURATION",
        "You may need to check the execution role permissions policy for your environment, and that each of "
        "the VPC networking components required by the environment are configured to allow traffic. "
        "Troubleshooting: https://docs.aws.amazon.com/mwaa/latest/userguide/troubleshooting.html",
    ),
    "update": (
        "INCORRECT_CONFIGURATION",
        "The update failed and the environment was rolled back to its previous configuration.",
    ),
}
UPDATABLE_STATES = frozenset({"AVAILABLE", "UPDATE_FAILED"})
DELETE_BLOCKED_STATES = frozenset({"CREATING", "UPDATING", "DELETING", "ROLLING_BACK", "CREATING_SNAPSHOT"})
WEBSERVER_UP_STATES = frozenset({"AVAILABLE", "UPDATING", "UPDATE_FAILED", "MAINTENANCE"})
STATUSES = (
    "CREATING", "CREATE_FAILED", "AVAILABLE", "UPDATING", "DELETING", "DELETED", "UNAVAILABLE",
    "UPDATE_FAILED", "ROLLING_BACK", "CREATING_SNAPSHOT", "PENDING", "MAINTENANCE",
)
ARN_RE = re.compile(r"^arn:(aws[a-z-]*):airflow:([a-z0-9-]+):(\d{12}):environment/(.+)$")
AIRFLOW_TRUST_PRINCIPAL = "airflow-env.amazonaws.com"
# The one user report of the answer (issue 11); the AWS user guide documents the refusal itself.
PRIVATE_INVOKE_DENIED = "Private webserver environments can only call InvokeRestApi within a VPC"
# (label in messages, path member, version member) of the files MWAA reads from the source bucket.
S3_FILES = (
    ("requirements file", "RequirementsS3Path", "RequirementsS3ObjectVersion"),
    ("plugins file", "PluginsS3Path", "PluginsS3ObjectVersion"),
    ("startup script", "StartupScriptS3Path", "StartupScriptS3ObjectVersion"),
)


def partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _major(version):
    return version.split(".", 1)[0]


def _version_tuple(version):
    return tuple(int(p) for p in re.findall(r"\d+", version))


def version_change_error(current, wanted):
    """Why MWAA refuses an in-place change from ``current`` to ``wanted``, or None.

    MWAA user guide, "Changing the Apache Airflow version": minor upgrades and downgrades in
    place; 2.x -> 3.x only from 2.11.x (2.10.3 and older need a new environment); 3.x -> 2.11.x.
    """
    if _major(current) == _major(wanted):
        return None
    if _major(current) == "2" and _major(wanted) == "3":
        if _version_tuple(current)[:2] == (2, 11):
            return None
        return (
            f"AirflowVersion {wanted}: an environment on Apache Airflow {current} cannot be upgraded to "
            "Apache Airflow 3 in place. Upgrade to the latest 2.11.x version first, or create a new environment "
            "and migrate."
        )
    if _major(current) == "3" and _major(wanted) == "2":
        if _version_tuple(wanted)[:2] == (2, 11):
            return None
        return (
            f"AirflowVersion {wanted}: an environment on Apache Airflow {current} can only be downgraded in place "
            "to a 2.11.x version."
        )
    return f"AirflowVersion cannot change from {current} to {wanted} in place; create a new environment and migrate."


class Settings:
    """Runtime knobs; the control API changes them, reset restores the start-up values."""

    FIELDS = ("create_delay", "update_delay", "delete_delay", "iam_propagation_delay", "default_airflow_version",
              "reference_checks")

    def __init__(self, create_delay=2.0, update_delay=2.0, delete_delay=1.0, iam_propagation_delay=3.0,
                 default_airflow_version=DEFAULT_AIRFLOW_VERSION, reference_checks=True):
        self.create_delay = float(create_delay)
        self.update_delay = float(update_delay)
        self.delete_delay = float(delete_delay)
        # A role younger than this is refused by CreateEnvironment, as while IAM propagates on AWS.
        self.iam_propagation_delay = float(iam_propagation_delay)
        self.default_airflow_version = default_airflow_version
        self.reference_checks = bool(reference_checks)

    def as_dict(self):
        return {f: getattr(self, f) for f in self.FIELDS}

    def apply(self, changes):
        for key, value in changes.items():
            if key not in self.FIELDS:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(self.FIELDS)}")
            if key.endswith("_delay"):
                value = float(value)
                if value < 0:
                    raise ValueError(f"{key} must be >= 0")
            elif key == "default_airflow_version":
                if value not in SUPPORTED_AIRFLOW_VERSIONS:
                    raise ValueError(f"default_airflow_version must be one of {', '.join(SUPPORTED_AIRFLOW_VERSIONS)}")
            elif key == "reference_checks":
                if not isinstance(value, bool):
                    raise ValueError("reference_checks must be true or false")
            setattr(self, key, value)


class Fault:
    """One injected failure: an asynchronous CREATE_FAILED/UPDATE_FAILED or an API error."""

    TYPES = ("create_failed", "update_failed", "api_error")

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault must be a JSON object")
        self.type = spec.get("type")
        if self.type not in self.TYPES:
            raise ValueError(f"type must be one of {', '.join(self.TYPES)}")
        self.name = spec.get("name")
        self.region = spec.get("region")
        self.count = int(spec.get("count", 1))
        if self.count < 1:
            raise ValueError("count must be >= 1")
        self.operation = spec.get("operation")
        if self.type == "api_error":
            if not self.operation:
                raise ValueError("an api_error fault needs the MWAA operation name, e.g. UpdateEnvironment")
            self.error_code = spec.get("error_code", "InternalServerException")
            self.error_message = spec.get("error_message", "An internal error has occurred.")
            self.http_status = int(spec.get("http_status", 500))
        else:
            code, message = DEFAULT_FAILURE[self.type.split("_")[0]]
            self.error_code = spec.get("error_code", code)
            self.error_message = spec.get("error_message", message)
            self.http_status = None
        self.id = uuid.uuid4().hex[:12]

    def matches(self, fault_type, name, region, operation=None):
        return (
            self.type == fault_type
            and (self.name is None or self.name == name)
            and (self.region is None or self.region == region)
            and (operation is None or self.operation == operation)
        )

    def as_dict(self):
        out = {k: v for k, v in vars(self).items() if v is not None}
        return out


class VpcCallers:
    """Which requests count as coming from inside an environment's VPC (InvokeRestApi on PRIVATE_ONLY).

    On AWS that is the network path (the caller sits in the VPC and reaches MWAA through its
    interface endpoint). Locally every caller shares one host, so a test declares what stands for
    "inside": source addresses (a container on a bridge network) or the access keys of credentials
    that only in-VPC hosts hold (an instance role, assumed through STS). Nothing else does.
    """

    KEYS = ("source_cidrs", "access_keys")

    def __init__(self, config):
        if not isinstance(config, dict):
            raise ValueError("the VPC callers must be a JSON object")
        unknown = set(config) - set(self.KEYS)
        if unknown:
            raise ValueError(f"unknown keys {', '.join(sorted(unknown))}; known: {', '.join(self.KEYS)}")
        for key in self.KEYS:
            value = config.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{key} must be a list of non-empty strings")
        if not any(config.get(key) for key in self.KEYS):
            raise ValueError("give source_cidrs and/or access_keys (DELETE removes the declaration)")
        try:
            self.networks = [ipaddress.ip_network(c, strict=False) for c in config.get("source_cidrs", [])]
        except ValueError as err:
            raise ValueError(f"source_cidrs: {err}") from err
        self.access_keys = frozenset(config.get("access_keys", []))

    def describe(self):
        return {"source_cidrs": [str(n) for n in self.networks], "access_keys": sorted(self.access_keys)}

    def contains(self, source_ip, access_key):
        if access_key and access_key in self.access_keys:
            return True
        try:
            address = ipaddress.ip_address(source_ip or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks if network.version == address.version)


class MwaaBackend:
    def __init__(self, settings=None):
        self.initial_settings = settings or Settings()
        self.settings = copy.deepcopy(self.initial_settings)
        self.model = ServiceModel(Loader().load_service_model("mwaa", "service-2"), "mwaa")
        self.resolver = RestResolver(self.model)
        self.lock = threading.RLock()
        self.envs = {}  # (account, region, name) -> {"env": {...}, "pending": {...} | None}
        self.faults = []
        self.targets = {}  # (region or "*", name) -> AirflowTarget
        self.vpc_callers = {}  # (region or "*", name) -> VpcCallers

    # ----------------------------------------------------------------- control side
    def reset(self):
        with self.lock:
            self.envs.clear()
            self.faults.clear()
            self.targets.clear()
            self.vpc_callers.clear()
            self.settings = copy.deepcopy(self.initial_settings)

    def add_fault(self, spec):
        fault = Fault(spec)
        with self.lock:
            self.faults.append(fault)
        return fault.as_dict()

    def list_faults(self):
        with self.lock:
            return [f.as_dict() for f in self.faults]

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def _take_fault(self, fault_type, name, region, operation=None):
        for fault in self.faults:
            if fault.matches(fault_type, name, region, operation):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _find(self, name, region=None, account=None):
        matches = [
            key for key in self.envs
            if key[2] == name and (region is None or key[1] == region) and (account is None or key[0] == account)
        ]
        if not matches:
            raise LookupError(f"no environment named {name!r}" + (f" in {region}" if region else ""))
        if len(matches) > 1:
            raise LookupError(f"environment {name!r} exists in several regions/accounts; give region (and account)")
        return matches[0]

    def set_status(self, name, spec):
        status = spec.get("status")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self.lock:
            self._tick_all()
            key = self._find(name, spec.get("region"), spec.get("account"))
            record = self.envs[key]
            record["pending"] = None
            env = record["env"]
            env["Status"] = status
            if "error_code" in spec or "error_message" in spec or "source" in spec:
                last = env.setdefault("LastUpdate", {})
                last["CreatedAt"] = time.time()
                last["Status"] = "FAILED" if "error_code" in spec else "SUCCESS"
                if "error_code" in spec:
                    last["Error"] = {"ErrorCode": spec["error_code"], "ErrorMessage": spec.get("error_message", "")}
                else:
                    last.pop("Error", None)
                if "source" in spec:
                    last["Source"] = spec["source"]
            return copy.deepcopy(env)

    def set_target(self, name, config, region=None):
        target = AirflowTarget(config)
        with self.lock:
            self.targets[(region or "*", name)] = target
        return target.describe()

    def get_target(self, name, region=None):
        with self.lock:
            return self.targets.get((region, name)) or self.targets.get(("*", name)) or self.targets.get(("*", "*"))

    def delete_target(self, name, region=None):
        with self.lock:
            return self.targets.pop((region or "*", name), None) is not None

    def set_vpc_callers(self, name, config, region=None):
        callers = VpcCallers(config)
        with self.lock:
            self.vpc_callers[(region or "*", name)] = callers
        return callers.describe()

    def get_vpc_callers(self, name, region=None):
        with self.lock:
            return (self.vpc_callers.get((region, name)) or self.vpc_callers.get(("*", name))
                    or self.vpc_callers.get(("*", "*")))

    def delete_vpc_callers(self, name, region=None):
        with self.lock:
            return self.vpc_callers.pop((region or "*", name), None) is not None

    def dump(self):
        with self.lock:
            self._tick_all()
            out = []
            for (account, region, _), record in self.envs.items():
                pending = record["pending"]
                out.append({
                    "account": account, "region": region, "environment": copy.deepcopy(record["env"]),
                    "pending": None if pending is None else {
                        "kind": pending["kind"], "seconds_left": max(0.0, pending["due"] - time.monotonic()),
                        "fault": pending["fault"].as_dict() if pending["fault"] else None,
                    },
                })
            return out

    # ----------------------------------------------------------------- transitions
    def _tick_all(self):
        now = time.monotonic()
        for key in list(self.envs):
            self._tick(key, now)

    def _tick(self, key, now=None):
        record = self.envs.get(key)
        if record is None or record["pending"] is None:
            return
        pending = record["pending"]
        if (now if now is not None else time.monotonic()) < pending["due"]:
            return
        record["pending"] = None
        env = record["env"]
        if pending["kind"] == "delete":
            del self.envs[key]
            return
        last = env["LastUpdate"]
        fault = pending["fault"]
        if fault is not None:
            if pending["kind"] == "create":
                env["Status"] = "CREATE_FAILED"
            else:
                env.update(copy.deepcopy(pending["previous"]))
                env["Status"] = "UPDATE_FAILED"
            last["Status"] = "FAILED"
            last["Error"] = {"ErrorCode": fault.error_code, "ErrorMessage": fault.error_message}
        else:
            env["Status"] = "AVAILABLE"
            last["Status"] = "SUCCESS"
            last.pop("Error", None)
            self._ensure_log_groups(key[0], key[1], env)

    def _ensure_log_groups(self, account, region, env):
        # Real MWAA creates one log group per enabled module (and leaves them behind on delete).
        try:
            from moto.logs.models import logs_backends

            backend = logs_backends[account][region]
            for module, suffix in LOG_MODULES.items():
                if env["LoggingConfiguration"][module]["Enabled"]:
                    name = f"airflow-{env['Name']}-{suffix}"
                    if name not in backend.groups:
                        backend.create_log_group(name, tags={})
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)

    # ----------------------------------------------------------------- HTTP entry
    def handle(self, environ, account, region, access_key):
        """(HTTP status, body dict or None, journal hints)."""
        hints = {}
        try:
            method = environ.get("REQUEST_METHOD", "GET")
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            operation, labels = self.resolver.resolve(method, raw_path(environ), query, environ)
            if operation is None:
                raise ApiError("UnknownOperationException", f"No MWAA operation matches {method} "
                               f"{environ.get('PATH_INFO', '')}", 404)
            hints["operation"] = operation
            params = self._params(operation, environ, labels, query)
            validate_input(self.model.operation_model(operation).input_shape, params)
            ctx = {"account": account, "region": region, "access_key": access_key, "hints": hints,
                   "source_ip": environ.get("REMOTE_ADDR")}
            with self.lock:
                self._tick_all()
                name = params.get("Name") or self._name_from_arn(params.get("ResourceArn"))
                fault = self._take_fault("api_error", name, region, operation)
                if fault is not None:
                    raise ApiError(fault.error_code, fault.error_message, fault.http_status)
                handler = getattr(self, "op_" + operation, None)
                if handler is None:
                    raise ApiError("InternalServerException", f"{operation} is not emulated", 500)
                if operation == "InvokeRestApi":
                    # Forwarding may take long: resolve under the lock, call outside it.
                    call = handler(params, ctx)
                else:
                    return 200, handler(params, ctx), hints
            return 200, call(), hints
        except ApiError as err:
            body = {"message": err.message, **err.members}
            if err.code == "AccessDeniedException":
                body["Message"] = err.message
            hints["error"] = err.code
            return err.status, body, hints
        except Exception as err:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            hints["error"] = "InternalServerException"
            return 500, {"message": f"local_aws MWAA backend error: {err!r}"}, hints

    @staticmethod
    def _name_from_arn(arn):
        match = ARN_RE.match(arn or "")
        return match.group(4) if match else None

    def _params(self, operation, environ, labels, query):
        shape = self.model.operation_model(operation).input_shape
        if shape is None:
            return {}
        body = {}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as err:
                raise ApiError("SerializationException", f"Malformed JSON request body: {err}") from err
            if not isinstance(body, dict):
                raise ApiError("SerializationException", "The request body must be a JSON object")
        params = {}
        for member, member_shape in shape.members.items():
            location = member_shape.serialization.get("location")
            wire = member_shape.serialization.get("name", member)
            if location == "uri":
                if wire in labels:
                    params[member] = labels[wire]
            elif location == "querystring":
                if wire not in query:
                    continue
                values = query[wire]
                if member_shape.type_name == "list":
                    params[member] = values
                elif member_shape.type_name in ("integer", "long"):
                    try:
                        params[member] = int(values[0])
                    except ValueError as err:
                        raise ApiError("SerializationException", f"{member} must be an integer") from err
                else:
                    params[member] = values[0]
            elif location == "header":
                value = environ.get("HTTP_" + wire.upper().replace("-", "_"))
                if value is not None:
                    params[member] = value
            elif member in body:
                params[member] = body[member]
        return params

    # ----------------------------------------------------------------- helpers
    def _key(self, ctx, name):
        return (ctx["account"], ctx["region"], name)

    def _record(self, ctx, name):
        key = self._key(ctx, name)
        record = self.envs.get(key)
        if record is None:
            raise ApiError("ResourceNotFoundException", f"Environment {name} not found.", 404)
        return key, record

    def _record_by_arn(self, ctx, arn):
        match = ARN_RE.match(arn)
        # Each regional endpoint knows only its own region's environments.
        if (not match or match.group(3) != ctx["account"] or match.group(2) != ctx["region"]
                or match.group(1) != partition(ctx["region"])):
            raise ApiError("ResourceNotFoundException", f"Resource {arn} not found.", 404)
        key = (ctx["account"], ctx["region"], match.group(4))
        record = self.envs.get(key)
        if record is None:
            raise ApiError("ResourceNotFoundException", f"Resource {arn} not found.", 404)
        return key, record

    @staticmethod
    def _check_tags(tags):
        for key in tags:
            if key.lower().startswith("aws:"):
                raise ValidationError(f"Tag keys starting with 'aws:' are reserved for AWS use (tags key '{key}').")

    def _logging(self, given, current, name, region, account):
        out = {}
        for module, suffix in LOG_MODULES.items():
            if given and module in given:
                cfg = {"Enabled": given[module]["Enabled"], "LogLevel": given[module]["LogLevel"]}
            elif current:
                cfg = {"Enabled": current[module]["Enabled"], "LogLevel": current[module]["LogLevel"]}
            else:
                cfg = {"Enabled": module == "TaskLogs", "LogLevel": "INFO"}
            if cfg["Enabled"]:
                cfg["CloudWatchLogGroupArn"] = (
                    f"arn:{partition(region)}:logs:{region}:{account}:log-group:airflow-{name}-{suffix}"
                )
            out[module] = cfg
        return out

    def _check_config(self, env, previous_version=None):
        """Service-side rules on the effective configuration (after defaults / merge)."""
        cls = env["EnvironmentClass"]
        if cls not in ENVIRONMENT_CLASSES:
            raise ValidationError(
                f"Invalid EnvironmentClass '{cls}'. Valid values: {', '.join(ENVIRONMENT_CLASSES)}."
            )
        version = env["AirflowVersion"]
        if version not in SUPPORTED_AIRFLOW_VERSIONS:
            raise ValidationError(
                f"AirflowVersion '{version}' is not supported. Supported versions: "
                f"{', '.join(SUPPORTED_AIRFLOW_VERSIONS)}."
            )
        if previous_version:
            refusal = version_change_error(previous_version, version)
            if refusal:
                raise ValidationError(refusal)
        micro = cls == "mw1.micro"
        max_w, min_w = env["MaxWorkers"], env["MinWorkers"]
        if micro and (max_w != 1 or min_w != 1):
            raise ValidationError("Environment class mw1.micro runs exactly one worker: MinWorkers and MaxWorkers must be 1.")
        for field, value in (("MaxWorkers", max_w), ("MinWorkers", min_w)):
            if not 1 <= value <= MAX_WORKERS_LIMIT:
                raise ValidationError(f"{field} must be between 1 and {MAX_WORKERS_LIMIT}, got {value}.")
        if min_w > max_w:
            raise ValidationError(f"MinWorkers ({min_w}) must be less than or equal to MaxWorkers ({max_w}).")
        low, high = (1, 1) if micro else (2, 5)
        if not low <= env["Schedulers"] <= high:
            raise ValidationError(
                f"Schedulers must be between {low} and {high} for environment class {cls}, got {env['Schedulers']}."
            )
        for field in ("MinWebservers", "MaxWebservers"):
            if not low <= env[field] <= high:
                raise ValidationError(
                    f"{field} must be between {low} and {high} for environment class {cls}, got {env[field]}."
                )
        if env["MinWebservers"] > env["MaxWebservers"]:
            raise ValidationError(
                f"MinWebservers ({env['MinWebservers']}) must be less than or equal to "
                f"MaxWebservers ({env['MaxWebservers']})."
            )
        if env["WebserverAccessMode"] == "PUBLIC_AND_PRIVATE" and _version_tuple(version) < (3, 2):
            raise ValidationError(
                f"WebserverAccessMode PUBLIC_AND_PRIVATE requires Apache Airflow 3.2 or later (AirflowVersion {version})."
            )
        if env.get("Teams") and not env.get("IdentityCenterConfiguration"):
            raise ValidationError("Teams requires IdentityCenterConfiguration to be set.")

    def _check_references(self, ctx, params, s3_files=None, role_min_age=0.0):
        """Like the service: the role must be assumable by MWAA, the bucket private, the key, files and network real.

        ``s3_files`` is ``(bucket ARN, [(label, path member, path, version member, version or None)])``;
        ``role_min_age`` the IAM propagation delay a CreateEnvironment applies to the role.
        """
        if not self.settings.reference_checks:
            return
        account, region = ctx["account"], ctx["region"]
        if "ExecutionRoleArn" in params:
            self._check_role(account, params["ExecutionRoleArn"], role_min_age)
        if "SourceBucketArn" in params:
            self._check_bucket(account, params["SourceBucketArn"])
        if "KmsKey" in params:
            self._check_kms_key(account, region, params["KmsKey"])
        if s3_files and s3_files[1]:
            self._check_s3_files(account, *s3_files)
        network = params.get("NetworkConfiguration")
        if network:
            self._check_network(account, region, network.get("SubnetIds"), network.get("SecurityGroupIds"),
                                ctx.get("vpc_id"))

    @staticmethod
    def _check_role(account, arn, min_age=0.0):
        from moto.iam.models import iam_backends

        unable = (
            f"Failed to assume role {arn}. This could be due to the role's trust policy. Please ensure your role "
            f"is assumable by '{AIRFLOW_TRUST_PRINCIPAL}' Service Principal and try again."
        )
        role_account = arn.split(":")[4]
        try:
            role = iam_backends[role_account][arn.split(":")[1]].get_role_by_arn(arn)
        except Exception as err:  # pylint: disable=broad-except
            raise ValidationError(unable) from err
        if min_age > 0:
            # A new role is not yet assumable everywhere (IAM is eventually consistent); AWS answers
            # exactly as for a role that MWAA may not assume.
            created = role.create_date
            if created.tzinfo is None:  # moto keeps naive UTC
                created = created.replace(tzinfo=datetime.timezone.utc)
            if (datetime.datetime.now(datetime.timezone.utc) - created).total_seconds() < min_age:
                raise ValidationError(unable)
        document = role.assume_role_policy_document
        if isinstance(document, str):
            try:
                document = json.loads(urllib.parse.unquote(document) if document.startswith("%") else document)
            except ValueError as err:
                raise ValidationError(unable) from err
        statements = document.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        for statement in statements:
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            principal = statement.get("Principal", {})
            services = principal.get("Service", []) if isinstance(principal, dict) else []
            services = services if isinstance(services, list) else [services]
            if (
                statement.get("Effect") == "Allow"
                and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions)
                and (principal == "*" or AIRFLOW_TRUST_PRINCIPAL in services)
            ):
                return
        raise ValidationError(unable)

    @staticmethod
    def _check_bucket(account, arn):
        from moto.s3.models import s3_backends

        name = arn.split(":::", 1)[1]
        try:
            bucket = s3_backends[account][arn.split(":")[1]].get_bucket(name)
        except Exception as err:  # pylint: disable=broad-except
            raise ValidationError(f"Unable to access the source bucket {name}: it does not exist in account {account}.") from err
        blocks = [bucket.public_access_block]
        try:
            from moto.s3control.models import s3control_backends

            blocks.append(s3control_backends[account][arn.split(":")[1]].public_access_block)
        except Exception:  # pylint: disable=broad-except
            pass
        if not any(
            block is not None and all((block.block_public_acls, block.ignore_public_acls,
                                       block.block_public_policy, block.restrict_public_buckets))
            for block in blocks
        ):
            raise ValidationError(f"Provided bucket does not have BlockPublicAccess set for s3 bucket {name}")
        # Documented requirement ("must have Versioning Enabled"); enforced here at request time.
        if getattr(bucket, "versioning_status", None) != "Enabled":
            raise ValidationError(f"Provided bucket does not have versioning enabled for s3 bucket {name}")

    @staticmethod
    def _check_kms_key(account, region, key):
        """KmsKey as the model allows it: key id, key/<id>, key ARN, alias/<name> or alias ARN."""
        from moto.kms.models import kms_backends

        key_account, key_region, ident = account, region, key
        match = re.match(r"^arn:[^:]+:kms:([^:]*):(\d*):(.+)$", key)
        if match:
            key_region, key_account, ident = match.groups()
        if key_region != region:
            raise ValidationError(
                f"KmsKey '{key}' is in region {key_region}; the key must be in the environment's region {region}."
            )
        if ident.startswith("key/"):
            ident = ident[len("key/"):]
        backend = kms_backends[key_account][region]
        try:
            key_id = backend.any_id_to_key_id(ident)
        except Exception:  # pylint: disable=broad-except
            key_id = None
        if key_id not in backend.keys:
            raise ValidationError(f"KmsKey '{key}' does not exist in account {key_account}, region {region}.")

    @staticmethod
    def _check_s3_files(account, bucket_arn, files):
        from moto.s3.models import FakeKey, s3_backends

        name = bucket_arn.split(":::", 1)[1]
        try:
            bucket = s3_backends[account][bucket_arn.split(":")[1]].get_bucket(name)
        except Exception as err:  # pylint: disable=broad-except
            raise ValidationError(f"Unable to access the source bucket {name}: it does not exist in account {account}.") from err
        for label, path_member, path, version_member, version in files:
            versions = [k for k in bucket.keys.getlist(path, default=[]) if isinstance(k, FakeKey)]
            if version is None:
                latest = bucket.keys.getlist(path, default=[])[-1:]
                if not latest or not isinstance(latest[0], FakeKey):
                    raise ValidationError(f"{path_member}: the {label} '{path}' does not exist in s3 bucket {name}.")
            elif not any(str(k.version_id) == str(version) for k in versions):
                raise ValidationError(
                    f"{version_member}: version '{version}' of the {label} '{path}' does not exist in s3 bucket {name}."
                )

    @staticmethod
    def _check_network(account, region, subnet_ids, group_ids, vpc_id=None):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[account][region]
        if subnet_ids:
            vpcs, zones = set(), set()
            for subnet_id in subnet_ids:
                try:
                    subnet = ec2.get_subnet(subnet_id)
                except Exception as err:  # pylint: disable=broad-except
                    raise ValidationError(
                        f"NetworkConfiguration.SubnetIds: the subnet ID '{subnet_id}' does not exist in {region}."
                    ) from err
                vpcs.add(subnet.vpc_id)
                zones.add(subnet.availability_zone)
            if len(vpcs) > 1:
                raise ValidationError("NetworkConfiguration.SubnetIds: the subnets must belong to the same VPC.")
            if len(zones) < len(subnet_ids):
                raise ValidationError(
                    "NetworkConfiguration.SubnetIds: the subnets must be in different Availability Zones."
                )
            vpc_id = vpcs.pop()
        for group_id in group_ids or []:
            group = ec2.get_security_group_from_id(group_id)
            if group is None:
                raise ValidationError(
                    f"NetworkConfiguration.SecurityGroupIds: the security group '{group_id}' does not exist in {region}."
                )
            if vpc_id and group.vpc_id != vpc_id:
                raise ValidationError(
                    f"NetworkConfiguration.SecurityGroupIds: security group '{group_id}' is not in the "
                    f"environment's VPC {vpc_id}."
                )

    @staticmethod
    def _webserver_url(region, access_mode):
        host = uuid.uuid4()
        if access_mode == "PRIVATE_ONLY":
            return f"{host}-vpce.c{secrets.randbelow(90) + 10}.{region}.airflow.amazonaws.com"
        return f"{host}.c{secrets.randbelow(90) + 10}.{region}.airflow.amazonaws.com"

    # ----------------------------------------------------------------- operations
    def op_CreateEnvironment(self, params, ctx):  # pylint: disable=invalid-name
        account, region, name = ctx["account"], ctx["region"], params["Name"]
        key = self._key(ctx, name)
        if key in self.envs:
            raise ValidationError(f"Environment {name} already exists (Name must be unique per account and region).")
        self._check_tags(params.get("Tags") or {})
        cls = params.get("EnvironmentClass", DEFAULT_ENVIRONMENT_CLASS)
        micro = cls == "mw1.micro"
        access_mode = params.get("WebserverAccessMode", "PRIVATE_ONLY")
        now = time.time()
        part = partition(region)
        env = {
            "Name": name,
            "Status": "CREATING",
            "Arn": f"arn:{part}:airflow:{region}:{account}:environment/{name}",
            "CreatedAt": now,
            "WebserverUrl": self._webserver_url(region, access_mode),
            "ExecutionRoleArn": params["ExecutionRoleArn"],
            "ServiceRoleArn": (
                f"arn:{part}:iam::{account}:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA"
            ),
            "AirflowVersion": params.get("AirflowVersion", self.settings.default_airflow_version),
            "SourceBucketArn": params["SourceBucketArn"],
            "DagS3Path": params["DagS3Path"],
            "AirflowConfigurationOptions": dict(params.get("AirflowConfigurationOptions") or {}),
            "EnvironmentClass": cls,
            "MaxWorkers": params.get("MaxWorkers", 1 if micro else 10),
            "MinWorkers": params.get("MinWorkers", 1),
            "Schedulers": params.get("Schedulers", 1 if micro else 2),
            "MinWebservers": params.get("MinWebservers", 1 if micro else 2),
            "MaxWebservers": params.get("MaxWebservers", 1 if micro else 2),
            "NetworkConfiguration": {
                "SubnetIds": list(params["NetworkConfiguration"].get("SubnetIds") or []),
                "SecurityGroupIds": list(params["NetworkConfiguration"].get("SecurityGroupIds") or []),
            },
            "LoggingConfiguration": self._logging(params.get("LoggingConfiguration"), None, name, region, account),
            "LastUpdate": {"Status": "PENDING", "CreatedAt": now},
            "WeeklyMaintenanceWindowStart": params.get("WeeklyMaintenanceWindowStart", DEFAULT_MAINTENANCE_WINDOW),
            "Tags": dict(params.get("Tags") or {}),
            "WebserverAccessMode": access_mode,
            "EndpointManagement": params.get("EndpointManagement", "SERVICE"),
            "CeleryExecutorQueue": f"arn:{part}:sqs:{region}:{account}:airflow-celery-{uuid.uuid4()}",
        }
        for optional in ("KmsKey", "PluginsS3Path", "PluginsS3ObjectVersion", "RequirementsS3Path",
                         "RequirementsS3ObjectVersion", "StartupScriptS3Path", "StartupScriptS3ObjectVersion",
                         "IdentityCenterConfiguration", "Teams"):
            if optional in params:
                env[optional] = copy.deepcopy(params[optional])
        subnets = env["NetworkConfiguration"]["SubnetIds"]
        if len(subnets) != 2:
            raise ValidationError("NetworkConfiguration.SubnetIds must contain exactly 2 subnets.")
        if not 1 <= len(env["NetworkConfiguration"]["SecurityGroupIds"]) <= 5:
            raise ValidationError("NetworkConfiguration.SecurityGroupIds must contain 1 to 5 security groups.")
        if env["EndpointManagement"] == "CUSTOMER":
            env["WebserverVpcEndpointService"] = f"com.amazonaws.vpce.{region}.vpce-svc-{secrets.token_hex(9)[:17]}"
            env["DatabaseVpcEndpointService"] = f"com.amazonaws.vpce.{region}.vpce-svc-{secrets.token_hex(9)[:17]}"
        self._check_config(env)
        files = [(label, path_member, params[path_member], version_member, params.get(version_member))
                 for label, path_member, version_member in S3_FILES if params.get(path_member)]
        self._check_references(ctx, params, s3_files=(params["SourceBucketArn"], files),
                               role_min_age=self.settings.iam_propagation_delay)
        fault = self._take_fault("create_failed", name, region)
        self.envs[key] = {
            "env": env,
            "pending": {"kind": "create", "due": time.monotonic() + self.settings.create_delay, "fault": fault},
        }
        self._tick(key)
        return {"Arn": env["Arn"]}

    def op_GetEnvironment(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record(ctx, params["Name"])
        return {"Environment": copy.deepcopy(record["env"])}

    def op_ListEnvironments(self, params, ctx):  # pylint: disable=invalid-name
        names = [k[2] for k in self.envs if k[0] == ctx["account"] and k[1] == ctx["region"]]
        start = 0
        token = params.get("NextToken")
        if token:
            try:
                start = int(base64.urlsafe_b64decode(token.encode()).decode())
            except (ValueError, UnicodeDecodeError) as err:
                raise ValidationError("Invalid NextToken.") from err
            if not 0 <= start <= len(names):
                raise ValidationError("Invalid NextToken.")
        size = params.get("MaxResults", 25)
        page = names[start:start + size]
        out = {"Environments": page}
        if start + size < len(names):
            out["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return out

    def op_UpdateEnvironment(self, params, ctx):  # pylint: disable=invalid-name
        account, region, name = ctx["account"], ctx["region"], params["Name"]
        key, record = self._record(ctx, name)
        env = record["env"]
        if env["Status"] not in UPDATABLE_STATES:
            raise ValidationError(
                f"Environment {name} cannot be updated while its status is {env['Status']}; "
                f"updates are accepted in status {' or '.join(sorted(UPDATABLE_STATES))}."
            )
        previous = {f: copy.deepcopy(env[f]) for f in CONFIG_FIELDS if f in env}
        merged = copy.deepcopy(env)
        for field in CONFIG_FIELDS:
            if field in params and field not in ("LoggingConfiguration", "NetworkConfiguration", "Teams"):
                merged[field] = copy.deepcopy(params[field])
        if "LoggingConfiguration" in params:
            merged["LoggingConfiguration"] = self._logging(
                params["LoggingConfiguration"], env["LoggingConfiguration"], name, region, account)
        if "NetworkConfiguration" in params:
            groups = list(params["NetworkConfiguration"]["SecurityGroupIds"])
            if not 1 <= len(groups) <= 5:
                raise ValidationError("NetworkConfiguration.SecurityGroupIds must contain 1 to 5 security groups.")
            merged["NetworkConfiguration"]["SecurityGroupIds"] = groups
        if "Teams" in params:
            teams = dict(merged.get("Teams") or {})
            teams.update(params["Teams"].get("AddOrUpdate") or {})
            for team in params["Teams"].get("Remove") or []:
                teams.pop(team, None)
            merged["Teams"] = teams
        if "WebserverAccessMode" in params and params["WebserverAccessMode"] != env["WebserverAccessMode"]:
            merged["WebserverUrl"] = self._webserver_url(region, params["WebserverAccessMode"])
        self._check_config(merged, previous_version=env["AirflowVersion"])
        refs = {k: params[k] for k in ("ExecutionRoleArn", "SourceBucketArn") if k in params}
        if "NetworkConfiguration" in params:
            subnets = env["NetworkConfiguration"]["SubnetIds"]
            refs["NetworkConfiguration"] = {"SecurityGroupIds": merged["NetworkConfiguration"]["SecurityGroupIds"]}
            ctx = dict(ctx, vpc_id=self._vpc_of(account, region, subnets))
        # A changed path or version is checked; a path given alone must exist in its latest version.
        files = [(label, path_member, merged[path_member], version_member, params.get(version_member))
                 for label, path_member, version_member in S3_FILES
                 if (path_member in params or version_member in params) and merged.get(path_member)]
        self._check_references(ctx, refs, s3_files=(merged["SourceBucketArn"], files))
        fault = self._take_fault("update_failed", name, region)
        now = time.time()
        merged["Status"] = "UPDATING"
        merged["LastUpdate"] = {"Status": "PENDING", "CreatedAt": now}
        if "WorkerReplacementStrategy" in params:
            merged["LastUpdate"]["WorkerReplacementStrategy"] = params["WorkerReplacementStrategy"]
        record["env"] = merged
        record["pending"] = {
            "kind": "update", "due": time.monotonic() + self.settings.update_delay,
            "fault": fault, "previous": previous,
        }
        self._tick(key)
        return {"Arn": merged["Arn"]}

    def _vpc_of(self, account, region, subnets):
        if not self.settings.reference_checks:
            return None
        try:
            from moto.ec2.models import ec2_backends

            return ec2_backends[account][region].get_subnet(subnets[0]).vpc_id
        except Exception:  # pylint: disable=broad-except
            return None

    def op_DeleteEnvironment(self, params, ctx):  # pylint: disable=invalid-name
        key, record = self._record(ctx, params["Name"])
        status = record["env"]["Status"]
        if status in DELETE_BLOCKED_STATES:
            raise ValidationError(
                f"Environment {params['Name']} cannot be deleted while its status is {status}."
            )
        record["env"]["Status"] = "DELETING"
        record["pending"] = {"kind": "delete", "due": time.monotonic() + self.settings.delete_delay, "fault": None}
        self._tick(key)
        return {}

    def op_TagResource(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record_by_arn(ctx, params["ResourceArn"])
        self._check_tags(params["Tags"])
        tags = record["env"]["Tags"]
        merged = {**tags, **params["Tags"]}
        if len(merged) > 50:
            raise ValidationError(f"Tags: an environment can have at most 50 tags, this request would make {len(merged)}.")
        tags.update(params["Tags"])
        return {}

    def op_UntagResource(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record_by_arn(ctx, params["ResourceArn"])
        for tag_key in params["tagKeys"]:
            record["env"]["Tags"].pop(tag_key, None)
        return {}

    def op_ListTagsForResource(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record_by_arn(ctx, params["ResourceArn"])
        return {"Tags": dict(record["env"]["Tags"])}

    def op_CreateCliToken(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record(ctx, params["Name"])
        return {"CliToken": secrets.token_urlsafe(32), "WebServerHostname": record["env"]["WebserverUrl"]}

    def op_CreateWebLoginToken(self, params, ctx):  # pylint: disable=invalid-name
        _, record = self._record(ctx, params["Name"])
        identity = f"user/{ctx['access_key'] or 'anonymous'}"
        return {
            "WebToken": secrets.token_urlsafe(32),
            "WebServerHostname": record["env"]["WebserverUrl"],
            "IamIdentity": identity,
            "AirflowIdentity": identity[:64],
        }

    def op_PublishMetrics(self, params, ctx):  # pylint: disable=invalid-name
        self._record(ctx, params["EnvironmentName"])
        return {}

    def op_InvokeRestApi(self, params, ctx):  # pylint: disable=invalid-name
        name = params["Name"]
        _, record = self._record(ctx, name)
        env = record["env"]
        method, path = params["Method"], params["Path"]
        ctx["hints"]["mutating"] = method != "GET"
        ctx["hints"]["detail"] = f"{method} {path}"
        if env["WebserverAccessMode"] == "PRIVATE_ONLY":
            callers = self.get_vpc_callers(name, ctx["region"])
            if callers is None or not callers.contains(ctx.get("source_ip"), ctx.get("access_key")):
                raise ApiError("AccessDeniedException", PRIVATE_INVOKE_DENIED, 403)
        if env["Status"] not in WEBSERVER_UP_STATES:
            raise ValidationError(
                f"Environment {name} has no running web server (status {env['Status']}); InvokeRestApi needs "
                f"status {', '.join(sorted(WEBSERVER_UP_STATES))}."
            )
        target = self.get_target(name, ctx["region"])
        version = env["AirflowVersion"]

        def call():
            if target is None:
                detail = (
                    f"local_aws: no Airflow API is configured for environment '{name}'. Point it at a local "
                    f"api-server with PUT /_local_aws/mwaa/environments/{name}/airflow."
                )
                raise ApiError("RestApiServerException", detail, 400, RestApiStatusCode=503,
                               RestApiResponse={"title": "Service Unavailable", "status": 503, "detail": detail})
            try:
                status, response = target.invoke(version, method, path, params.get("QueryParameters"),
                                                  params.get("Body"))
            except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
                detail = f"local_aws: the Airflow API for '{name}' did not answer: {err}"
                raise ApiError("RestApiServerException", detail, 400, RestApiStatusCode=502,
                               RestApiResponse={"title": "Bad Gateway", "status": 502, "detail": detail}) from err
            members = {"RestApiStatusCode": status}
            if response is not None:
                members["RestApiResponse"] = response
            if 400 <= status < 500:
                raise ApiError("RestApiClientException", f"Airflow API returned {status}", 400, **members)
            if status >= 500:
                raise ApiError("RestApiServerException", f"Airflow API returned {status}", 400, **members)
            return members

        return call
