"""Every MWAA operation against the emulator, through boto3 like the collection uses it."""

import datetime
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError


def _create(mwaa, prereq, name, **extra):
    return mwaa.create_environment(Name=name, **prereq, **extra)


def _code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_create_get_defaults_and_transition(aws, mwaa, prereq, wait):
    arn = _create(mwaa, prereq, "ops-create", Tags={"Project": "lineage"})["Arn"]
    assert arn == "arn:aws:airflow:us-east-1:123456789012:environment/ops-create"
    env = mwaa.get_environment(Name="ops-create")["Environment"]
    assert env["Status"] == "CREATING"
    assert env["LastUpdate"]["Status"] == "PENDING"
    assert wait(mwaa, "ops-create", {"AVAILABLE"}) == "AVAILABLE"
    env = mwaa.get_environment(Name="ops-create")["Environment"]
    assert env["LastUpdate"]["Status"] == "SUCCESS" and "Error" not in env["LastUpdate"]
    assert isinstance(env["CreatedAt"], datetime.datetime)
    # Defaults the service fills in.
    assert env["AirflowVersion"] == "3.0.6"
    assert env["EnvironmentClass"] == "mw1.small"
    assert (env["MinWorkers"], env["MaxWorkers"], env["Schedulers"]) == (1, 10, 2)
    assert (env["MinWebservers"], env["MaxWebservers"]) == (2, 2)
    assert env["WebserverAccessMode"] == "PRIVATE_ONLY"
    assert env["EndpointManagement"] == "SERVICE"
    assert env["WeeklyMaintenanceWindowStart"] == "SUN:03:00"
    assert env["AirflowConfigurationOptions"] == {}
    assert env["Tags"] == {"Project": "lineage"}
    assert env["ServiceRoleArn"].endswith(":role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA")
    assert re.fullmatch(r"[0-9a-f-]{36}-vpce\.c\d+\.us-east-1\.airflow\.amazonaws\.com", env["WebserverUrl"])
    assert env["CeleryExecutorQueue"].startswith("arn:aws:sqs:us-east-1:123456789012:airflow-celery-")
    assert env["NetworkConfiguration"] == prereq["NetworkConfiguration"]
    logging = env["LoggingConfiguration"]
    assert logging["TaskLogs"] == {
        "Enabled": True, "LogLevel": "INFO",
        "CloudWatchLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:airflow-ops-create-Task",
    }
    assert logging["WorkerLogs"] == {"Enabled": False, "LogLevel": "INFO"}
    # Like MWAA, the enabled modules' log groups now exist.
    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix="airflow-ops-create-")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["airflow-ops-create-Task"]


def test_create_with_explicit_settings_round_trips(aws, mwaa, prereq, wait):
    key_arn = aws.client("kms").create_key(Description="ops-explicit")["KeyMetadata"]["Arn"]
    bucket = prereq["SourceBucketArn"].split(":::")[1]
    version = aws.client("s3").put_object(Bucket=bucket, Key="requirements.txt", Body=b"apache-airflow\n")["VersionId"]
    _create(
        mwaa, prereq, "ops-explicit", AirflowVersion="2.10.3", EnvironmentClass="mw1.medium",
        MaxWorkers=4, MinWorkers=2, Schedulers=3, MinWebservers=2, MaxWebservers=4,
        WebserverAccessMode="PUBLIC_ONLY", WeeklyMaintenanceWindowStart="TUE:03:30",
        AirflowConfigurationOptions={"core.load_examples": "false", "openlineage.namespace": "demo"},
        LoggingConfiguration={"WorkerLogs": {"Enabled": True, "LogLevel": "WARNING"}},
        KmsKey=key_arn, RequirementsS3Path="requirements.txt", RequirementsS3ObjectVersion=version,
        EndpointManagement="CUSTOMER",
    )
    env = mwaa.get_environment(Name="ops-explicit")["Environment"]
    assert env["AirflowVersion"] == "2.10.3"
    assert (env["MinWorkers"], env["MaxWorkers"], env["Schedulers"], env["MaxWebservers"]) == (2, 4, 3, 4)
    assert env["AirflowConfigurationOptions"]["openlineage.namespace"] == "demo"
    assert env["LoggingConfiguration"]["WorkerLogs"]["LogLevel"] == "WARNING"
    assert env["LoggingConfiguration"]["WorkerLogs"]["CloudWatchLogGroupArn"].endswith("airflow-ops-explicit-Worker")
    assert env["KmsKey"] == key_arn
    assert env["RequirementsS3ObjectVersion"] == version
    assert ".vpce." not in env["WebserverUrl"] and "-vpce" not in env["WebserverUrl"]
    assert env["WebserverVpcEndpointService"].startswith("com.amazonaws.vpce.us-east-1.vpce-svc-")
    assert env["DatabaseVpcEndpointService"].startswith("com.amazonaws.vpce.us-east-1.vpce-svc-")
    assert wait(mwaa, "ops-explicit", {"AVAILABLE"})


def test_micro_defaults(mwaa, prereq):
    _create(mwaa, prereq, "ops-micro", EnvironmentClass="mw1.micro")
    env = mwaa.get_environment(Name="ops-micro")["Environment"]
    assert (env["MinWorkers"], env["MaxWorkers"], env["Schedulers"]) == (1, 1, 1)
    assert (env["MinWebservers"], env["MaxWebservers"]) == (1, 1)


def test_list_environments_paginates(mwaa, prereq):
    names = [f"ops-page-{i}" for i in range(5)]
    for name in names:
        _create(mwaa, prereq, name)
    first = mwaa.list_environments(MaxResults=2)
    assert len(first["Environments"]) == 2 and "NextToken" in first
    seen = []
    for page in mwaa.get_paginator("list_environments").paginate(PaginationConfig={"PageSize": 2}):
        assert len(page["Environments"]) <= 2
        seen.extend(page["Environments"])
    assert set(names) <= set(seen)
    assert len(seen) == len(set(seen))
    assert mwaa.list_environments()["Environments"] == seen


def test_update_moves_through_updating_and_applies(mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-update", AirflowVersion="2.10.1")
    wait(mwaa, "ops-update", {"AVAILABLE"})
    arn = mwaa.update_environment(
        Name="ops-update", AirflowVersion="2.10.3", MaxWorkers=6,
        AirflowConfigurationOptions={"core.parallelism": "64"},
        LoggingConfiguration={"SchedulerLogs": {"Enabled": True, "LogLevel": "ERROR"}},
        WorkerReplacementStrategy="GRACEFUL",
    )["Arn"]
    assert arn.endswith(":environment/ops-update")
    env = mwaa.get_environment(Name="ops-update")["Environment"]
    assert env["Status"] == "UPDATING"
    assert env["LastUpdate"]["Status"] == "PENDING"
    assert env["LastUpdate"]["WorkerReplacementStrategy"] == "GRACEFUL"
    wait(mwaa, "ops-update", {"AVAILABLE"})
    env = mwaa.get_environment(Name="ops-update")["Environment"]
    assert env["AirflowVersion"] == "2.10.3" and env["MaxWorkers"] == 6
    assert env["AirflowConfigurationOptions"] == {"core.parallelism": "64"}
    assert env["LoggingConfiguration"]["SchedulerLogs"]["LogLevel"] == "ERROR"
    assert env["LoggingConfiguration"]["TaskLogs"]["Enabled"] is True  # untouched module kept
    assert env["LastUpdate"]["Status"] == "SUCCESS"


def test_update_security_groups(aws, mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-sg")
    wait(mwaa, "ops-sg", {"AVAILABLE"})
    vpc = aws.client("ec2").describe_subnets(SubnetIds=prereq["NetworkConfiguration"]["SubnetIds"][:1])
    vpc_id = vpc["Subnets"][0]["VpcId"]
    extra = aws.client("ec2").create_security_group(GroupName="ops-sg-2", Description="x", VpcId=vpc_id)["GroupId"]
    groups = prereq["NetworkConfiguration"]["SecurityGroupIds"] + [extra]
    mwaa.update_environment(Name="ops-sg", NetworkConfiguration={"SecurityGroupIds": groups})
    wait(mwaa, "ops-sg", {"AVAILABLE"})
    env = mwaa.get_environment(Name="ops-sg")["Environment"]
    assert env["NetworkConfiguration"]["SecurityGroupIds"] == groups
    assert env["NetworkConfiguration"]["SubnetIds"] == prereq["NetworkConfiguration"]["SubnetIds"]


def test_changing_the_class_keeps_the_capacity(mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-class", MaxWorkers=4, MinWorkers=2, Schedulers=3, MinWebservers=3, MaxWebservers=4)
    wait(mwaa, "ops-class", {"AVAILABLE"})
    mwaa.update_environment(Name="ops-class", EnvironmentClass="mw1.medium")
    wait(mwaa, "ops-class", {"AVAILABLE"})
    env = mwaa.get_environment(Name="ops-class")["Environment"]
    assert env["EnvironmentClass"] == "mw1.medium"
    assert (env["MinWorkers"], env["MaxWorkers"], env["Schedulers"]) == (2, 4, 3)
    assert (env["MinWebservers"], env["MaxWebservers"]) == (3, 4)
    # The kept values must suit the new class: mw1.micro runs one of each.
    with pytest.raises(ClientError) as excinfo:
        mwaa.update_environment(Name="ops-class", EnvironmentClass="mw1.micro")
    assert _code(excinfo) == "ValidationException"
    assert "mw1.micro" in excinfo.value.response["Error"]["Message"]


def test_delete_goes_through_deleting_then_gone(mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-delete")
    wait(mwaa, "ops-delete", {"AVAILABLE"})
    mwaa.delete_environment(Name="ops-delete")
    assert mwaa.get_environment(Name="ops-delete")["Environment"]["Status"] == "DELETING"
    assert "ops-delete" in mwaa.list_environments()["Environments"]
    assert wait(mwaa, "ops-delete", {None}) is None
    assert "ops-delete" not in mwaa.list_environments()["Environments"]
    with pytest.raises(ClientError) as excinfo:
        mwaa.delete_environment(Name="ops-delete")
    assert _code(excinfo) == "ResourceNotFoundException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_tags(mwaa, prereq):
    arn = _create(mwaa, prereq, "ops-tags", Tags={"a": "1", "b": "2"})["Arn"]
    mwaa.tag_resource(ResourceArn=arn, Tags={"c": "3", "a": "one"})
    mwaa.untag_resource(ResourceArn=arn, tagKeys=["b", "missing"])
    assert mwaa.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "one", "c": "3"}
    assert mwaa.get_environment(Name="ops-tags")["Environment"]["Tags"] == {"a": "one", "c": "3"}
    with pytest.raises(ClientError) as excinfo:
        mwaa.list_tags_for_resource(ResourceArn=arn.replace("ops-tags", "ops-nope"))
    assert _code(excinfo) == "ResourceNotFoundException"


def test_tag_calls_are_scoped_to_the_endpoint_region(aws, mwaa):
    eu_prereq = aws.mwaa_prerequisites(prefix="ops-eu-tags", region="eu-west-1", cidr="10.44.0.0/16")
    eu = aws.client("mwaa", region="eu-west-1")
    arn = eu.create_environment(Name="ops-eu-tags", Tags={"a": "1"}, **eu_prereq)["Arn"]
    for call in (lambda: mwaa.list_tags_for_resource(ResourceArn=arn),
                 lambda: mwaa.tag_resource(ResourceArn=arn, Tags={"b": "2"}),
                 lambda: mwaa.untag_resource(ResourceArn=arn, tagKeys=["a"])):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _code(excinfo) == "ResourceNotFoundException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert eu.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1"}  # untouched
    eu.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert eu.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}


def test_tokens(mwaa, prereq):
    _create(mwaa, prereq, "ops-tokens")
    host = mwaa.get_environment(Name="ops-tokens")["Environment"]["WebserverUrl"]
    cli = mwaa.create_cli_token(Name="ops-tokens")
    assert cli["CliToken"] and cli["WebServerHostname"] == host
    web = mwaa.create_web_login_token(Name="ops-tokens")
    assert web["WebToken"] and web["WebToken"] != cli["CliToken"]
    assert web["WebServerHostname"] == host
    assert web["IamIdentity"] == "user/testing"
    with pytest.raises(ClientError) as excinfo:
        mwaa.create_cli_token(Name="ops-nope")
    assert _code(excinfo) == "ResourceNotFoundException"


def test_regions_are_separate(aws, mwaa):
    eu_prereq = aws.mwaa_prerequisites(prefix="ops-eu", region="eu-west-1", cidr="10.43.0.0/16")
    eu = aws.client("mwaa", region="eu-west-1")
    arn = eu.create_environment(Name="ops-eu", **eu_prereq)["Arn"]
    assert arn.startswith("arn:aws:airflow:eu-west-1:")
    assert "ops-eu" in eu.list_environments()["Environments"]
    assert "ops-eu" not in mwaa.list_environments()["Environments"]
    env = eu.get_environment(Name="ops-eu")["Environment"]
    assert ".eu-west-1.airflow.amazonaws.com" in env["WebserverUrl"]


# ---------------------------------------------------------------- InvokeRestApi
class _FakeAirflow(BaseHTTPRequestHandler):
    """A tiny Airflow 3 api-server: JWT from /auth/token, then /api/v2/..."""

    seen = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.seen.append((self.command, self.path, body, self.headers.get("Authorization")))
        if self.path == "/auth/token":
            ok = body == {"username": "admin", "password": "s3cret"}
            return self._send(201 if ok else 401, {"access_token": "tok"} if ok else {"detail": "bad"})
        if self.headers.get("Authorization") != "Bearer tok":
            return self._send(401, {"detail": "Not authenticated"})
        if self.path.startswith("/api/v2/dags?"):
            return self._send(200, {"dags": [{"dag_id": "lineage_demo"}], "total_entries": 1})
        if self.path == "/api/v2/dags/lineage_demo/dagRuns" and self.command == "POST":
            return self._send(200, {"dag_run_id": "manual__1", "conf": body["conf"]})
        if self.path == "/api/v2/boom":
            return self._send(500, {"detail": "boom"})
        return self._send(404, {"detail": "Not Found"})

    do_GET = do_POST = do_PATCH = _handle


@pytest.fixture(scope="module")
def fake_airflow():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAirflow)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_invoke_rest_api_unconfigured_is_a_clear_error(mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-rest-none", WebserverAccessMode="PUBLIC_ONLY")
    wait(mwaa, "ops-rest-none", {"AVAILABLE"})
    with pytest.raises(ClientError) as excinfo:
        mwaa.invoke_rest_api(Name="ops-rest-none", Path="/dags", Method="GET")
    assert _code(excinfo) == "RestApiServerException"
    assert excinfo.value.response["RestApiStatusCode"] == 503
    assert "/_local_aws/mwaa/environments/ops-rest-none/airflow" in excinfo.value.response["Error"]["Message"]


def test_invoke_rest_api_needs_a_running_webserver(aws, mwaa, prereq):
    _create(mwaa, prereq, "ops-rest-creating", WebserverAccessMode="PUBLIC_ONLY")
    aws.set_airflow_target("ops-rest-creating", responses={"*": {"status": 200, "body": {}}})
    with pytest.raises(ClientError) as excinfo:
        mwaa.invoke_rest_api(Name="ops-rest-creating", Path="/dags", Method="GET")
    assert _code(excinfo) == "ValidationException"
    assert "CREATING" in excinfo.value.response["Error"]["Message"]


def test_invoke_rest_api_forwards_to_local_airflow(aws, mwaa, prereq, wait, fake_airflow):
    _create(mwaa, prereq, "ops-rest", AirflowVersion="3.0.6", WebserverAccessMode="PUBLIC_ONLY")
    wait(mwaa, "ops-rest", {"AVAILABLE"})
    shown = aws.set_airflow_target("ops-rest", base_url=fake_airflow, username="admin", password="s3cret")
    assert shown["password"] == "***"
    _FakeAirflow.seen.clear()
    out = mwaa.invoke_rest_api(Name="ops-rest", Path="/dags", Method="GET",
                               QueryParameters={"limit": 5, "paused": False})
    assert out["RestApiStatusCode"] == 200
    assert out["RestApiResponse"]["dags"] == [{"dag_id": "lineage_demo"}]
    get = [s for s in _FakeAirflow.seen if s[1].startswith("/api/v2/dags?")][0]
    assert "limit=5" in get[1] and "paused=false" in get[1] and get[3] == "Bearer tok"
    run = mwaa.invoke_rest_api(Name="ops-rest", Path="/dags/lineage_demo/dagRuns", Method="POST",
                               Body={"conf": {"color": "blue"}})
    assert run["RestApiResponse"] == {"dag_run_id": "manual__1", "conf": {"color": "blue"}}
    with pytest.raises(ClientError) as excinfo:
        mwaa.invoke_rest_api(Name="ops-rest", Path="/dags/nope", Method="GET")
    assert _code(excinfo) == "RestApiClientException"
    assert excinfo.value.response["RestApiStatusCode"] == 404
    assert excinfo.value.response["RestApiResponse"] == {"detail": "Not Found"}
    with pytest.raises(ClientError) as excinfo:
        mwaa.invoke_rest_api(Name="ops-rest", Path="/boom", Method="GET")
    assert _code(excinfo) == "RestApiServerException"
    assert excinfo.value.response["RestApiStatusCode"] == 500


def test_invoke_rest_api_canned_answers(aws, mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-rest-canned", WebserverAccessMode="PUBLIC_ONLY")
    aws.set_airflow_target("ops-rest-canned", responses={
        "GET /monitor/health": {"status": 200, "body": {"metadatabase": {"status": "healthy"}}},
        "PATCH *": {"status": 200, "body": {"is_paused": True}},
    })
    wait(mwaa, "ops-rest-canned", {"AVAILABLE"})
    health = mwaa.invoke_rest_api(Name="ops-rest-canned", Path="/monitor/health", Method="GET")
    assert health["RestApiResponse"]["metadatabase"]["status"] == "healthy"
    patch = mwaa.invoke_rest_api(Name="ops-rest-canned", Path="/dags/x", Method="PATCH", Body={"is_paused": True})
    assert patch["RestApiResponse"] == {"is_paused": True}
    with pytest.raises(ClientError) as excinfo:
        mwaa.invoke_rest_api(Name="ops-rest-canned", Path="/dags", Method="GET")
    assert excinfo.value.response["RestApiStatusCode"] == 404


def test_airflow_target_must_be_loopback(aws):
    with pytest.raises(AssertionError, match="loopback"):
        aws.set_airflow_target("ops-rest", base_url="http://10.0.0.1:8080")


# ---------------------------------------------------------------- InvokeRestApi on a private web server
def _other_caller(aws, prereq):
    """An MWAA client with credentials of their own (an assumed role), as a host in the VPC would hold."""
    import boto3
    from botocore.config import Config

    creds = aws.client("sts").assume_role(RoleArn=prereq["ExecutionRoleArn"], RoleSessionName="in-vpc")["Credentials"]
    client = boto3.client(
        "mwaa", endpoint_url=aws.endpoint_url, region_name="us-east-1", config=Config(inject_host_prefix=False),
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return client, creds["AccessKeyId"]


def _denied(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    assert _code(excinfo) == "AccessDeniedException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert excinfo.value.response["Error"]["Message"] == (
        "Private webserver environments can only call InvokeRestApi within a VPC")


def test_private_webserver_refuses_invoke_rest_api_from_outside_the_vpc(aws, mwaa, prereq, wait, fake_airflow):
    _create(mwaa, prereq, "ops-private")
    wait(mwaa, "ops-private", {"AVAILABLE"})
    aws.set_airflow_target("ops-private", base_url=fake_airflow, username="admin", password="s3cret")
    _FakeAirflow.seen.clear()
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private", Path="/dags", Method="GET"))
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private", Path="/dags/x", Method="PATCH", Body={"is_paused": True}))
    assert _FakeAirflow.seen == []  # nothing reached Airflow
    # Callers declared inside another environment's VPC are still outside this one's.
    aws.set_vpc_callers("ops-other", source_cidrs=["127.0.0.0/8"])
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private", Path="/dags", Method="GET"))
    # Other calls on the environment are not affected.
    assert mwaa.create_web_login_token(Name="ops-private")["WebToken"]


def test_declared_vpc_callers_may_invoke_rest_api(aws, mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-private-in")
    aws.set_airflow_target("ops-private-in", responses={"*": {"status": 200, "body": {"ok": True}}})
    wait(mwaa, "ops-private-in", {"AVAILABLE"})
    inside, access_key = _other_caller(aws, prereq)
    _denied(lambda: inside.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET"))

    # By access key: the credentials only an in-VPC host holds; the control node's key stays outside.
    shown = aws.set_vpc_callers("ops-private-in", access_keys=[access_key])
    assert shown == {"source_cidrs": [], "access_keys": [access_key]}
    assert inside.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET")["RestApiResponse"] == {"ok": True}
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET"))

    # By source address (every caller here is on the loopback interface).
    aws.set_vpc_callers("ops-private-in", source_cidrs=["127.0.0.1/32"])
    assert mwaa.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET")["RestApiStatusCode"] == 200
    aws.set_vpc_callers("ops-private-in", source_cidrs=["10.0.0.0/16"])
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET"))

    # Scoped by region when asked, and removable.
    aws.set_vpc_callers("ops-private-in", source_cidrs=["127.0.0.1/32"], region="eu-west-1")
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-private-in", Path="/dags", Method="GET"))
    aws.control("DELETE", "mwaa/environments/ops-private-in/vpc-callers")
    aws.control("DELETE", "mwaa/environments/ops-private-in/vpc-callers?region=eu-west-1")
    with pytest.raises(AssertionError, match="404"):
        aws.control("GET", "mwaa/environments/ops-private-in/vpc-callers")


def test_switching_to_public_lifts_the_refusal(aws, mwaa, prereq, wait):
    _create(mwaa, prereq, "ops-to-public")
    aws.set_airflow_target("ops-to-public", responses={"*": {"status": 200, "body": {}}})
    wait(mwaa, "ops-to-public", {"AVAILABLE"})
    _denied(lambda: mwaa.invoke_rest_api(Name="ops-to-public", Path="/dags", Method="GET"))
    mwaa.update_environment(Name="ops-to-public", WebserverAccessMode="PUBLIC_ONLY")
    wait(mwaa, "ops-to-public", {"AVAILABLE"})
    assert mwaa.invoke_rest_api(Name="ops-to-public", Path="/dags", Method="GET")["RestApiStatusCode"] == 200


def test_vpc_callers_validation(aws):
    for body, needle in (({}, "source_cidrs and/or access_keys"), ({"source_cidrs": ["10.0.0.300/8"]}, "source_cidrs"),
                         ({"source_cidrs": "10.0.0.0/8"}, "list"), ({"vpc": "vpc-1"}, "unknown keys")):
        with pytest.raises(AssertionError, match=needle):
            aws.control("PUT", "mwaa/environments/ops-x/vpc-callers", body)
