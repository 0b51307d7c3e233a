"""Shared harness for the MWAA module unit tests.

The modules run through their real main() with arguments injected the way
ansible-core does (patch_module_args); AWS is a botocore Stubber, which also
validates every request against the MWAA service model. Time is faked so waits
and backoff run instantly and can be asserted.
"""

import json

import boto3
import pytest
from botocore.stub import Stubber
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import mwaa as mwaa_utils

from mwaa_harness import FakeClock, MWAAStub


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(mwaa_utils, "time", fake)
    monkeypatch.setattr(cloud, "time", fake)  # AWSRetry's backoff sleeps
    return fake


@pytest.fixture
def client_calls():
    return []


@pytest.fixture
def mwaa(monkeypatch, clock, client_calls):
    client = boto3.client(
        "mwaa",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        endpoint_url="https://api.airflow.us-east-1.amazonaws.com",
    )
    stubber = Stubber(client)

    def fake_client(self, service, retry_decorator=None, **kwargs):
        client_calls.append({"service": service, "retry_decorator": retry_decorator, **kwargs})
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    stubber.activate()
    yield MWAAStub(stubber)
    stubber.deactivate()
    # Every queued response was consumed: the module made exactly the expected calls.
    stubber.assert_no_pending_responses()


@pytest.fixture
def run_module(capsys):
    """Run a module's main() and return its JSON result (plus 'rc')."""

    def run(module, args, check_mode=False, diff=False):
        full = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing"}
        full.update(args)
        if check_mode:
            full["_ansible_check_mode"] = True
        if diff:
            full["_ansible_diff"] = True
        with patch_module_args(full):
            with pytest.raises(SystemExit) as exc:
                module.main()
        captured = capsys.readouterr()
        out = captured.out
        result = json.loads(out)
        result["rc"] = exc.value.code
        # ansible-core 2.19 reports warnings as structured summaries; keep the texts. In a
        # process that also loaded controller code (like pytest), core sends them to Display
        # (stderr) instead.
        result["warnings"] = [
            w.get("event", {}).get("msg", "") if isinstance(w, dict) else w for w in result.get("warnings", [])
        ] + [line.split("]: ", 1)[1] for line in captured.err.splitlines() if line.startswith("[WARNING]: ")]
        result["raw"] = out + captured.err
        return result

    return run
