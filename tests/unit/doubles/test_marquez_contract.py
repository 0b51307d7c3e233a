"""The Marquez doubles against Marquez 0.51.1: one row per behaviour the collection or its tests depend on,
each with the Marquez source file (tag 0.51.1) that shows the real behaviour.

Both doubles answer POST /api/v1/lineage through marquez_double.check_lineage_event (the image double
directly, tests/doubles/openlineage_receiver.py by import), so these rows hold for both.
"""

import hashlib
import json
import pathlib
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "doubles" / "marquez" / "image" / "usr" / "src" / "app"))
import marquez_double  # noqa: E402

EVENT = {
    "eventType": "COMPLETE",
    "eventTime": "2025-01-01T00:00:00Z",
    "producer": "https://github.com/apache/airflow/tree/providers-openlineage/2.6.1",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
    "run": {"runId": "0195a3f0-0000-7000-8000-000000000001"},
    "job": {"namespace": "lineage-dev", "name": "demo.extract"},
    "inputs": [],
    "outputs": [],
}


def without(key):
    return {k: v for k, v in EVENT.items() if k != key}


def post(event):
    raw = event if isinstance(event, bytes) else json.dumps(event).encode()
    return marquez_double.check_lineage_event(raw)


# (case, event, status, Marquez source)
CONTRACT = [
    ("valid RunEvent", EVENT, 201, "api/src/main/java/marquez/api/OpenLineageResource.java (onComplete: 201)"),
    ("no producer", without("producer"), 422, "api/src/main/java/marquez/service/models/LineageEvent.java (@NotNull producer)"),
    ("no eventTime", without("eventTime"), 422, "LineageEvent.java (@NotNull eventTime)"),
    ("no run", without("run"), 422, "LineageEvent.java (@NotNull run)"),
    ("no job", without("job"), 422, "LineageEvent.java (@NotNull job)"),
    ("no run.runId", {**EVENT, "run": {}}, 422, "LineageEvent.java (Run: @NotNull runId)"),
    ("no job.name", {**EVENT, "job": {"namespace": "lineage-dev"}}, 422, "LineageEvent.java (Job: @NotNull name)"),
    ("namespace with a space", {**EVENT, "job": {"namespace": "lineage dev", "name": "x"}}, 400,
     "api/src/main/java/marquez/common/models/NamespaceName.java (pattern); "
     "OpenLineageResource.java (400 for IllegalArgumentException)"),
    ("namespace with @ and +", {**EVENT, "job": {"namespace": "team@lineage+dev", "name": "x"}}, 201, "NamespaceName.java"),
    ("JSON it cannot read", b"{not json", 500, "api/src/main/java/marquez/api/exceptions/JsonProcessingExceptionMapper.java (serverError, code 400 in the body)"),
    ("eventTime that is no timestamp", {**EVENT, "eventTime": "yesterday"}, 500, "JsonProcessingExceptionMapper.java (ZonedDateTime binding)"),
    ("run id that is no UUID", {**EVENT, "run": {"runId": "manual-run-1"}}, 201, "api/src/main/java/marquez/db/OpenLineageDao.java (runToUuid)"),
    ("DatasetEvent without run or job",
     {"eventTime": "2025-01-01T00:00:00Z", "producer": "p", "dataset": {"namespace": "s3://b", "name": "t"},
      "schemaURL": "https://openlineage.io/spec/2-0-0/OpenLineage.json#/definitions/DatasetEvent"}, 201,
     "api/src/main/java/marquez/service/models/EventTypeResolver.java (schemaURL picks the type)"),
]


@pytest.mark.parametrize("case,event,status,source", CONTRACT, ids=[row[0] for row in CONTRACT])
def test_post_lineage_answers_as_marquez_0_51_1(case, event, status, source):
    answer, body, row = post(event)
    assert answer == status, f"{case}: Marquez answers {status} ({source}), the double {answer} {body}"
    if status == 422:
        assert body["errors"], body
    if status == 500:
        assert body["code"] == 400, body


def test_a_run_id_that_is_no_uuid_becomes_javas_name_based_uuid():
    # UUID.nameUUIDFromBytes: MD5 of the bytes, version 3, IETF variant (OpenLineageDao.runToUuid).
    _, _, row = post({**EVENT, "run": {"runId": "manual-run-1"}})
    expected = uuid.UUID(bytes=hashlib.md5(b"manual-run-1").digest(), version=3)
    assert row[2] == str(expected) and expected.version == 3


def test_unknown_top_level_config_key_is_refused(tmp_path, capsys):
    # Dropwizard binds the config strictly (MarquezConfig.java + Dropwizard's Configuration).
    pytest.importorskip("yaml")
    config = tmp_path / "marquez.yml"
    config.write_text("db: {url: 'jdbc:postgresql://db:5432/marquez'}\nretention: {retentionDays: 30}\n")
    with pytest.raises(SystemExit) as stop:
        marquez_double.load_config(str(config))
    assert stop.value.code == 1
    assert "Unrecognized field at: retention" in capsys.readouterr().err
    config.write_text("db: {url: 'jdbc:postgresql://db:5432/marquez'}\ndbRetention: {retentionDays: 30}\n")
    assert marquez_double.load_config(str(config))["dbRetention"] == {"retentionDays": 30}
