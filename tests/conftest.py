"""Shared pytest fixtures: a private local AWS emulator (moto + MWAA) per test session.

``local_aws`` starts ``python -m local_aws`` from tools/ on a free 127.0.0.1 port and
stops it at the end of the session. Tests talk to it through ``local_aws.client(name)``
and read the request journal with ``local_aws.calls()``.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
START_TIMEOUT = 30
REGION = "us-east-1"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalAws:
    """Handle on a running emulator: endpoint, boto3 clients and the control API."""

    def __init__(self, port, process, log_path):
        self.host = "127.0.0.1"
        self.port = port
        self.endpoint_url = f"http://{self.host}:{port}"
        self.process = process
        self.log_path = log_path

    # -- control API -------------------------------------------------------------
    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint_url}/_local_aws/{path.lstrip('/')}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            raise AssertionError(f"local_aws control {method} {path} -> {err.code}: {err.read().decode()}") from err

    def calls(self, service=None, mutating=None):
        """Journal of AWS requests: dicts with service, operation, method, path, mutating, status."""
        query = []
        if service is not None:
            query.append(f"service={service}")
        if mutating is not None:
            query.append(f"mutating={'true' if mutating else 'false'}")
        return self.control("GET", "calls" + ("?" + "&".join(query) if query else ""))

    def clear_calls(self):
        self.control("DELETE", "calls")

    def reset(self):
        """Empty moto, the MWAA backend (faults, targets, settings) and the journal."""
        self.control("POST", "reset")

    def inject_fault(self, fault_type="create_failed", name=None, error_code=None, error_message=None,
                     count=1, operation=None, http_status=None, region=None):
        """create_failed / update_failed (async, LastUpdate.Error filled) or api_error (immediate)."""
        spec = {"type": fault_type, "count": count}
        for key, value in (("name", name), ("error_code", error_code), ("error_message", error_message),
                           ("operation", operation), ("http_status", http_status), ("region", region)):
            if value is not None:
                spec[key] = value
        return self.control("POST", "mwaa/faults", spec)

    def clear_faults(self):
        self.control("DELETE", "mwaa/faults")

    def mwaa_settings(self, **changes):
        """Read or change create_delay/update_delay/delete_delay/iam_propagation_delay/default_airflow_version/
        reference_checks."""
        if changes:
            return self.control("POST", "mwaa/config", changes)
        return self.control("GET", "mwaa/config")

    def set_mwaa_status(self, name, status, **extra):
        return self.control("POST", f"mwaa/environments/{name}/status", {"status": status, **extra})

    def set_airflow_target(self, name, **config):
        """Where InvokeRestApi goes: base_url=http://127.0.0.1:PORT (forward) or responses={...} (canned)."""
        return self.control("PUT", f"mwaa/environments/{name}/airflow", config)

    def set_vpc_callers(self, name, source_cidrs=(), access_keys=(), region=None):
        """Declare which callers count as inside the VPC of environment ``name`` (InvokeRestApi on a
        PRIVATE_ONLY web server): source addresses (CIDRs) and/or access key ids. Default: none."""
        query = f"?region={region}" if region else ""
        return self.control("PUT", f"mwaa/environments/{name}/vpc-callers{query}",
                            {"source_cidrs": list(source_cidrs), "access_keys": list(access_keys)})

    # -- boto3 -------------------------------------------------------------------
    def client(self, service, region=REGION, **config):
        import boto3
        from botocore.config import Config

        # Host prefixes (api./env. for MWAA, <account>. for s3control) cannot resolve locally.
        config.setdefault("inject_host_prefix", False)
        return boto3.client(
            service, endpoint_url=self.endpoint_url, region_name=region,
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(**config),
        )

    def create_mwaa_environment(self, region=REGION, timeout=30, **request):
        """CreateEnvironment, repeated (bounded) while a just-created execution role is refused as too new
        (the emulator's IAM propagation delay, as AWS refuses it right after CreateRole)."""
        mwaa = self.client("mwaa", region)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return mwaa.create_environment(**request)
            except mwaa.exceptions.ValidationException as e:
                if "assume role" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def mwaa_prerequisites(self, prefix="mwaa", region=REGION, cidr="10.42.0.0/16"):
        """Create what CreateEnvironment references: VPC, 2 subnets in 2 AZs, SG, role, bucket.

        The bucket is versioned with all public access blocked, as MWAA requires. Use a
        distinct ``prefix`` (and ``cidr``) per call, or ``reset()`` in between.

        Returns keyword arguments for ``create_environment`` minus ``Name``.
        """
        ec2 = self.client("ec2", region)
        vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        base = cidr.split("/")[0].rsplit(".", 2)[0]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.{i}.0/24", AvailabilityZone=f"{region}{az}")
            ["Subnet"]["SubnetId"]
            for i, az in ((1, "a"), (2, "b"))
        ]
        group = ec2.create_security_group(GroupName=f"{prefix}-sg", Description="MWAA", VpcId=vpc)["GroupId"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }],
        }
        role = self.client("iam", region).create_role(
            RoleName=f"{prefix}-execution", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        bucket = f"{prefix}-dags-{self.port}"
        s3 = self.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        })
        return {
            "ExecutionRoleArn": role,
            "SourceBucketArn": f"arn:aws:s3:::{bucket}",
            "DagS3Path": "dags",
            "NetworkConfiguration": {"SubnetIds": subnets, "SecurityGroupIds": [group]},
        }

    # -- lifecycle -----------------------------------------------------------------
    def healthy(self):
        try:
            self.control("GET", "health")
            return True
        except (OSError, AssertionError):
            return False

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_local_aws(log_path, extra_args=(), env=None):
    """Start a private emulator on a free loopback port and wait (bounded) until it answers."""
    port = _free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    child_env["PYTHONPATH"] = str(ROOT / "tools") + os.pathsep + child_env.get("PYTHONPATH", "")
    child_env.update(env or {})
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "local_aws", "--host", "127.0.0.1", "--port", str(port), *extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=child_env, cwd=ROOT,
        )
    handle = LocalAws(port, process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local_aws exited with {process.returncode}; see {log_path}")
        if handle.healthy():
            return handle
        time.sleep(0.1)
    handle.stop()
    raise RuntimeError(f"local_aws did not answer within {START_TIMEOUT}s; see {log_path}")


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    """A private emulator for the whole session (MWAA delays from LOCAL_AWS_MWAA_*_DELAY)."""
    handle = start_local_aws(tmp_path_factory.mktemp("local_aws") / "local-aws.log")
    yield handle
    handle.stop()
