"""RDS for PostgreSQL engine versions: the default minor of a major, and retired minors refused."""

import pytest
from botocore.exceptions import ClientError


def _create(rds, identifier, version):
    return rds.create_db_instance(
        DBInstanceIdentifier=identifier, Engine="postgres", EngineVersion=version, DBInstanceClass="db.t3.small",
        MasterUsername="marquez", MasterUserPassword="x" * 20, AllocatedStorage=20,
    )["DBInstance"]


def test_default_only_names_one_minor_per_major(aws):
    rds = aws.client("rds")
    (version,) = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="16", DefaultOnly=True)["DBEngineVersions"]
    assert version["EngineVersion"].startswith("16.")
    assert version["DBParameterGroupFamily"] == "postgres16"
    every = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="16")["DBEngineVersions"]
    assert len(every) > 1
    assert version["EngineVersion"] in [v["EngineVersion"] for v in every]


def test_a_bare_major_creates_the_default_minor(aws):
    rds = aws.client("rds")
    instance = _create(rds, "engine-major-only", "16")
    default = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="16", DefaultOnly=True)["DBEngineVersions"][0]
    assert instance["EngineVersion"] == default["EngineVersion"]
    described = rds.describe_db_instances(DBInstanceIdentifier="engine-major-only")["DBInstances"][0]
    assert described["EngineVersion"] == default["EngineVersion"]


def test_a_retired_minor_is_refused(aws):
    rds = aws.client("rds")
    with pytest.raises(ClientError) as err:
        _create(rds, "engine-retired", "16.1")
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert err.value.response["Error"]["Message"] == "Cannot find version 16.1 for postgres"
