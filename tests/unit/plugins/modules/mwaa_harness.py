"""Test doubles shared by the MWAA module unit tests: a fake clock and a Stubber queue."""

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
