"""Unit tests for the openlineage_airflow_options filter."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dataplatform.mwaa_lineage.plugins.filter.openlineage import (
    FilterModule,
    openlineage_airflow_options,
)

ROOT = Path(__file__).resolve().parents[4]
URL = "http://marquez.internal:5000"


def test_filter_is_registered():
    assert FilterModule().filters()["openlineage_airflow_options"] is openlineage_airflow_options


def test_default_options_are_exact():
    options = openlineage_airflow_options(URL, namespace="lineage-dev")

    assert options == {
        "openlineage.transport": '{"type":"http","url":"http://marquez.internal:5000","endpoint":"api/v1/lineage","timeout":5}',
        "openlineage.namespace": "lineage-dev",
        "openlineage.disabled": "false",
        "core.load_examples": "false",
    }
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in options.items())


def test_api_key_adds_auth_block():
    options = openlineage_airflow_options(URL, namespace="lineage-dev", api_key="k-123", timeout=2.5)

    transport = json.loads(options["openlineage.transport"])
    assert transport == {
        "type": "http",
        "url": URL,
        "endpoint": "api/v1/lineage",
        "timeout": 2.5,
        "auth": {"type": "api_key", "apiKey": "k-123"},
    }


def test_disabled_and_trailing_slash_and_custom_endpoint():
    options = openlineage_airflow_options(
        "https://lineage.example.com:8443/", namespace="p-blue-prod", endpoint="api/v2/events", disabled=True
    )

    transport = json.loads(options["openlineage.transport"])
    assert transport["url"] == "https://lineage.example.com:8443"
    assert transport["endpoint"] == "api/v2/events"
    assert options["openlineage.disabled"] == "true"


def test_disabled_accepts_ansible_booleans():
    assert openlineage_airflow_options(URL, namespace="n", disabled="yes")["openlineage.disabled"] == "true"
    assert openlineage_airflow_options(URL, namespace="n", disabled="False")["openlineage.disabled"] == "false"


def test_extra_is_merged_and_stringified():
    options = openlineage_airflow_options(
        URL,
        namespace="lineage-dev",
        extra={
            "core.load_examples": True,
            "webserver.expose_config": False,
            "core.parallelism": 32,
            "openlineage.disabled_for_operators": "airflow.operators.bash.BashOperator",
            "secrets.backend_kwargs": {"connections_prefix": "airflow/connections"},
        },
    )

    assert options["core.load_examples"] == "true"
    assert options["webserver.expose_config"] == "false"
    assert options["core.parallelism"] == "32"
    assert options["openlineage.disabled_for_operators"] == "airflow.operators.bash.BashOperator"
    assert options["secrets.backend_kwargs"] == '{"connections_prefix":"airflow/connections"}'


def test_ipv4_and_ipv6_hosts():
    v4 = json.loads(openlineage_airflow_options("http://127.0.0.1:5000", namespace="n")["openlineage.transport"])
    v6 = json.loads(openlineage_airflow_options("http://[::1]:5000", namespace="n")["openlineage.transport"])
    assert v4["url"] == "http://127.0.0.1:5000"
    assert v6["url"] == "http://[::1]:5000"


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("http://marquez:5000/api/v1/lineage", "already contains the endpoint path"),
        ("http://marquez:5000/api/v1/lineage/", "already contains the endpoint path"),
        ("http://marquez:5000/marquez", "has a path"),
        ("marquez:5000", "must start with http:// or https://"),
        ("ftp://marquez", "must start with http:// or https://"),
        ("http://", "no valid host"),
        ("http://bad_host:5000", "no valid host"),
        ("http://user:pw@marquez:5000", "must not carry credentials"),
        ("http://marquez:5000?x=1", "query string"),
        ("http://marquez:99999", "not a valid URL"),
        ("", "base URL"),
        (None, "base URL"),
    ],
)
def test_bad_urls_are_rejected(url, fragment):
    with pytest.raises(AnsibleFilterError, match="openlineage_airflow_options") as exc:
        openlineage_airflow_options(url, namespace="n")
    assert fragment in str(exc.value)


@pytest.mark.parametrize("namespace", [None, "", "has space", "emoji-\u2603", "x" * 1025])
def test_bad_namespaces_are_rejected(namespace):
    with pytest.raises(AnsibleFilterError, match="namespace"):
        openlineage_airflow_options(URL, namespace=namespace)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"timeout": 0}, "greater than 0"),
        ({"timeout": "soon"}, "number of seconds"),
        ({"timeout": True}, "not a boolean"),
        ({"timeout": float("inf")}, "greater than 0"),
        ({"disabled": "maybe"}, "disabled must be a boolean"),
        ({"api_key": ""}, "api_key must be a non-empty string"),
        ({"endpoint": "http://x/api"}, "endpoint must be a relative path"),
        ({"extra": ["core.x"]}, "extra must be a dictionary"),
        ({"extra": {"Core.Bad": "x"}}, "option key 'Core.Bad'"),
        ({"extra": {"nosection": "x"}}, "option key 'nosection'"),
        ({"extra": {"core.x": "two\nlines"}}, "value of 'core.x'"),
        ({"extra": {"core.x": ""}}, "value of 'core.x'"),
        ({"extra": {"core.x": None}}, "is null"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, fragment):
    with pytest.raises(AnsibleFilterError) as exc:
        openlineage_airflow_options(URL, namespace="n", **kwargs)
    assert fragment in str(exc.value)


def test_filter_works_by_fqcn_in_a_template():
    """Resolved through the collection loader the way roles call it, with YAML booleans in extra."""
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="json",
    )
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    expr = (
        "{{ 'http://127.0.0.1:5000' | dataplatform.mwaa_lineage.openlineage_airflow_options("
        "namespace='lineage-local', extra={'core.dags_are_paused_at_creation': false}) | to_json }}"
    )
    proc = subprocess.run(
        ["ansible", "localhost", "-m", "ansible.builtin.debug", "-a", f"msg={expr}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert json.loads(result["msg"]) == openlineage_airflow_options(
        "http://127.0.0.1:5000", namespace="lineage-local", extra={"core.dags_are_paused_at_creation": False}
    )
