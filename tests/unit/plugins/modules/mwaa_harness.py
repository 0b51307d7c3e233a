"""Test doubles shared by the MWAA module unit tests: a fake clock and a Stubber queue."""

import contextlib

NAME = "lineage-dev"
ARN = f"arn:aws:airflow:us-east-1:123456789012:environment/{NAME}"


class FakeClock:
    """Stands in for the time module: sleep() advances monotonic() and is recorded."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class MWAAStub:
    """Queue of expected MWAA calls (order matters) with exact expected parameters."""

    def __init__(self, stubber):
        self.stubber = stubber

    def get(self, environment, name=NAME):
        self.stubber.add_response("get_environment", {"Environment": environment}, {"Name": name})

    def get_missing(self, name=NAME):
        self.stubber.add_client_error(
            "get_environment",
            service_error_code="ResourceNotFoundException",
            service_message=f"Environment {name} not found",
            http_status_code=404,
            expected_params={"Name": name},
        )

    def error(self, operation, code, status=400, expected=None, message=None):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message=message or f"{code} from stub",
            http_status_code=status, expected_params=expected,
        )

    def create(self, expected):
        self.stubber.add_response("create_environment", {"Arn": ARN}, expected)

    def update(self, expected):
        self.stubber.add_response("update_environment", {"Arn": ARN}, expected)

    def delete(self, name=NAME):
        self.stubber.add_response("delete_environment", {}, {"Name": name})

    def tag(self, tags):
        self.stubber.add_response("tag_resource", {}, {"ResourceArn": ARN, "Tags": tags})

    def untag(self, keys):
        self.stubber.add_response("untag_resource", {}, {"ResourceArn": ARN, "tagKeys": keys})

    def list(self, names, next_token=None, expected=None):
        response = {"Environments": names}
        if next_token:
            response["NextToken"] = next_token
        self.stubber.add_response("list_environments", response, expected or {})


@contextlib.contextmanager
def stub_clients(monkeypatch, clients, stubbers, created=None):
    """Serve AnsibleAWSModule.client() from `clients` (service -> boto3 client), with the module's retry
    wrapper, while every Stubber in `stubbers` is active. On exit each queue must be empty, so the module
    made exactly the expected calls."""
    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
    from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

    def fake_client(self, service, retry_decorator=None, **kwargs):
        if created is not None:
            created.append(service)
        client = clients[service]
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    for stubber in stubbers.values():
        stubber.activate()
    yield
    for stubber in stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()
