"""Policy and file templates of the dags_bucket and iam roles, rendered for many inputs.

The roles render these templates with Ansible (template lookup, then from_json) and hand the
result to amazon.aws modules. Here they are rendered with plain Jinja2 and the two filters
they use, so every variant (blue/green, customer managed keys, another partition, ...) is
checked without AWS: valid JSON, and no statement broader than the documented exceptions.
"""

import json
import pathlib

import jinja2
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLES = ROOT / "roles"

ACCOUNT = "123456789012"
REGION = "us-east-2"
BUCKET_ARN = "arn:aws:s3:::lineage-prod-dags-123456789012"
CMK = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
BUCKET_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-8888-7777-6666-555555555555"

# Actions that have no resource-level permissions and are part of the documented minimum.
WILDCARD_RESOURCE_ACTIONS = {"logs:DescribeLogGroups", "cloudwatch:PutMetricData", "s3:GetAccountPublicAccessBlock"}
KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"]


def _bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return bool(value)


def _render(role, template, **variables):
    # Ansible's template lookup renders with trim_blocks on; these are the only filters used.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROLES / role / "templates")),
        trim_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["to_json"] = lambda value, **kwargs: json.dumps(value, **kwargs)
    env.filters["bool"] = _bool
    return env.get_template(template).render(**variables)


def _iam_vars(**overrides):
    variables = {
        "_iam_partition": "aws",
        "_iam_region": REGION,
        "_iam_account_id": ACCOUNT,
        "_iam_dns_suffix": "amazonaws.com",
        "_iam_mwaa_trusted_services": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"],
        "iam_mwaa_environment_names": ["lineage-prod"],
        "iam_dags_bucket_arn": BUCKET_ARN,
        "iam_kms_key_arn": "",
        "iam_dags_bucket_kms_key_arn": "",
        "iam_blue_green_parameter_prefix": "/mwaa/lineage/prod",
        "iam_mwaa_trust_source_conditions": True,
        "iam_marquez_secret_name_prefix": "lineage-prod/marquez/",
    }
    variables.update(overrides)
    return variables


def _policy(template, **overrides):
    return json.loads(_render("iam", template, **_iam_vars(**overrides)))


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _by_sid(policy):
    sids = [statement["Sid"] for statement in policy["Statement"]]
    assert len(sids) == len(set(sids)), f"duplicate Sids: {sids}"
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def _assert_scoped(policy):
    """Every Allow is scoped: Resource "*" and NotResource only where documented."""
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = _as_list(statement["Action"])
        assert not [a for a in actions if a.endswith(":*") or a == "*"], statement
        assert ("Resource" in statement) != ("NotResource" in statement), statement
        if "NotResource" in statement:
            # The AWS owned key statement: KMS only, only through SQS of this region.
            assert statement["Sid"] == "UseAwsOwnedKeyForCeleryQueues"
            assert actions == KMS_ACTIONS
            assert statement["Condition"]["StringLike"]["kms:ViaService"] == [f"sqs.{REGION}.amazonaws.com"]
            continue
        if "*" in _as_list(statement["Resource"]):
            assert set(actions) <= WILDCARD_RESOURCE_ACTIONS, statement


VARIANTS = {
    "default": {},
    "blue_green": {"iam_mwaa_environment_names": ["lineage-blue-prod", "lineage-green-prod"]},
    "customer_key": {"iam_kms_key_arn": CMK},
    "customer_key_also_on_bucket": {"iam_kms_key_arn": CMK, "iam_dags_bucket_kms_key_arn": CMK},
    "bucket_key_only": {"iam_dags_bucket_kms_key_arn": BUCKET_KEY},
    "both_keys": {"iam_kms_key_arn": CMK, "iam_dags_bucket_kms_key_arn": BUCKET_KEY},
    "no_ssm": {"iam_blue_green_parameter_prefix": ""},
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_execution_policy_is_scoped(variant):
    policy = _policy("mwaa_execution_policy.json.j2", **VARIANTS[variant])
    _assert_scoped(policy)


@pytest.mark.parametrize("names", [["lineage-prod"], ["lineage-blue-prod", "lineage-green-prod"]])
def test_execution_policy_resources_follow_environment_names(names):
    statements = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_mwaa_environment_names=names))
    prefix = f"{REGION}:{ACCOUNT}"
    assert statements["PublishEnvironmentMetrics"]["Resource"] == [
        f"arn:aws:airflow:{prefix}:environment/{name}" for name in names
    ]
    assert statements["WriteEnvironmentLogs"]["Resource"] == [
        f"arn:aws:logs:{prefix}:log-group:airflow-{name}-*" for name in names
    ]
    assert statements["ReadDagBucket"]["Resource"] == [BUCKET_ARN, BUCKET_ARN + "/*"]
    assert statements["ReadDagBucket"]["Action"] == ["s3:GetObject*", "s3:GetBucket*", "s3:List*"]
    assert statements["UseCeleryQueues"]["Resource"] == f"arn:aws:sqs:{REGION}:*:airflow-celery-*"
    # ListAllMyBuckets has no resource-level permissions: only a "*" Deny ever matches it.
    deny = statements["DenyListAllBuckets"]
    assert (deny["Effect"], deny["Action"], deny["Resource"]) == ("Deny", "s3:ListAllMyBuckets", "*")


def test_aws_owned_key_statement_without_customer_key():
    statements = _by_sid(_policy("mwaa_execution_policy.json.j2"))
    owned = statements["UseAwsOwnedKeyForCeleryQueues"]
    assert owned["NotResource"] == f"arn:aws:kms:*:{ACCOUNT}:key/*"
    assert "UseEnvironmentKey" not in statements
    assert "DecryptDagBucket" not in statements


def test_customer_key_replaces_aws_owned_key_statement():
    statements = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_kms_key_arn=CMK))
    key = statements["UseEnvironmentKey"]
    assert key["Resource"] == [CMK]
    assert key["Action"] == KMS_ACTIONS
    assert key["Condition"]["StringLike"]["kms:ViaService"] == [
        f"sqs.{REGION}.amazonaws.com",
        f"s3.{REGION}.amazonaws.com",
    ]
    assert "UseAwsOwnedKeyForCeleryQueues" not in statements
    # The same key on the bucket is already covered through S3.
    same = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_kms_key_arn=CMK, iam_dags_bucket_kms_key_arn=CMK))
    assert "DecryptDagBucket" not in same


def test_bucket_key_is_decrypt_only_through_s3():
    statements = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_dags_bucket_kms_key_arn=BUCKET_KEY))
    decrypt = statements["DecryptDagBucket"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == [BUCKET_KEY]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}
    # The environment itself still uses the AWS owned key.
    assert "UseAwsOwnedKeyForCeleryQueues" in statements


@pytest.mark.parametrize("prefix", ["/mwaa/lineage/prod", "/mwaa/lineage/prod/"])
def test_blue_green_parameter_path(prefix):
    statements = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_blue_green_parameter_prefix=prefix))
    read = statements["ReadBlueGreenActiveColor"]
    assert read["Action"] == "ssm:GetParameter"
    assert read["Resource"] == f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/mwaa/lineage/prod/*"
    none = _by_sid(_policy("mwaa_execution_policy.json.j2", iam_blue_green_parameter_prefix=""))
    assert not [s for s in none.values() if "ssm:" in json.dumps(s["Action"])]


def test_other_partition_is_used_in_every_arn():
    variables = {
        "_iam_partition": "aws-cn",
        "_iam_region": "cn-north-1",
        "_iam_dns_suffix": "amazonaws.com.cn",
        "iam_dags_bucket_arn": "arn:aws-cn:s3:::lineage-prod-dags-123456789012",
        "iam_kms_key_arn": f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/1",
    }
    for template in ("mwaa_execution_policy.json.j2", "mwaa_execution_trust.json.j2", "marquez_instance_policy.json.j2"):
        text = _render("iam", template, **_iam_vars(**variables))
        assert '"arn:aws:' not in text, template
    policy = json.loads(_render("iam", "mwaa_execution_policy.json.j2", **_iam_vars(**variables)))
    assert _by_sid(policy)["UseEnvironmentKey"]["Condition"]["StringLike"]["kms:ViaService"] == [
        "sqs.cn-north-1.amazonaws.com.cn",
        "s3.cn-north-1.amazonaws.com.cn",
    ]


@pytest.mark.parametrize("names", [["lineage-prod"], ["lineage-blue-prod", "lineage-green-prod"]])
def test_execution_trust_policy(names):
    trust = _policy("mwaa_execution_trust.json.j2", iam_mwaa_environment_names=names)
    (statement,) = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": [f"arn:aws:airflow:{REGION}:{ACCOUNT}:environment/{name}" for name in names]},
    }


def test_execution_trust_policy_without_source_conditions():
    trust = _policy("mwaa_execution_trust.json.j2", iam_mwaa_trust_source_conditions=False)
    assert "Condition" not in trust["Statement"][0]


def test_marquez_policies():
    trust = _policy("marquez_instance_trust.json.j2")
    assert trust["Statement"] == [
        {"Sid": "Ec2AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    policy = _policy("marquez_instance_policy.json.j2")
    _assert_scoped(policy)
    assert policy["Statement"] == [
        {
            "Sid": "ReadMarquezSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:lineage-prod/marquez/*",
        }
    ]


@pytest.mark.parametrize("extra", [[], [{"Sid": "Extra", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": BUCKET_ARN}]])
def test_bucket_policy_denies_insecure_transport(extra):
    policy = json.loads(
        _render("dags_bucket", "bucket_policy.json.j2", _dags_bucket_arn=BUCKET_ARN, dags_bucket_policy_extra_statements=extra)
    )
    deny = policy["Statement"][0]
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET_ARN, BUCKET_ARN + "/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert policy["Statement"][1:] == extra


def test_requirements_file():
    text = _render(
        "dags_bucket",
        "requirements.txt.j2",
        _dags_bucket_constraints_url="https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt",
        _dags_bucket_requirement_lines=["apache-airflow-providers-openlineage==2.6.1", "requests"],
    )
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == [
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt"',
        "apache-airflow-providers-openlineage==2.6.1",
        "requests",
    ]


def test_openlineage_pin_for_airflow_3_0_6():
    pins = yaml.safe_load((ROLES / "dags_bucket" / "vars" / "main.yml").read_text())["_dags_bucket_airflow_pins"]
    assert pins["3.0.6"] == {"python_version": "3.12", "requirements": ["apache-airflow-providers-openlineage==2.6.1"]}


def _squash(value):
    # Folded YAML may wrap a long Jinja expression differently in the two files.
    return " ".join(value.split()) if isinstance(value, str) else value


@pytest.mark.parametrize("role", ["dags_bucket", "iam", "blue_green", "ssm_transfer_bucket"])
def test_every_default_is_declared_in_argument_specs(role):
    defaults = yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text())
    # Declared by the entry point that reads it: main, or one such as dags_bucket's bucket_present.
    options = {}
    for entry_point in yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"].values():
        options.update(entry_point.get("options", {}))
    assert sorted(defaults) == sorted(options)
    for name, value in defaults.items():
        assert name.startswith(role + "_"), name
        assert _squash(options[name].get("default")) == _squash(value), name
        assert options[name].get("description"), name


SECRET_KEY_ID = "22222222-3333-4444-5555-666666666666"


@pytest.mark.parametrize(
    "key, resource, aliases",
    [
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{SECRET_KEY_ID}", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{SECRET_KEY_ID}", None),
        (SECRET_KEY_ID, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{SECRET_KEY_ID}", None),
        ("alias/marquez", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*", "alias/marquez"),
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/team/marquez", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*", "alias/team/marquez"),
    ],
)
def test_marquez_policy_decrypts_the_secret_key_through_secrets_manager_only(key, resource, aliases):
    policy = _policy("marquez_instance_policy.json.j2", iam_marquez_secret_kms_key_id=key)
    decrypt = _by_sid(policy)["DecryptMarquezSecrets"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == resource
    assert decrypt["Condition"]["StringEquals"] == {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
    if aliases is None:
        assert set(decrypt["Condition"]) == {"StringEquals"}
    else:
        assert decrypt["Condition"]["ForAnyValue:StringEquals"] == {"kms:ResourceAliases": aliases}


def _site_play_role(play_name, role):
    plays = yaml.safe_load((ROOT / "site.yml").read_text())
    (play,) = [p for p in plays if p["name"] == play_name]
    (entry,) = [r for r in play["roles"] if r["role"] == f"dataplatform.mwaa_lineage.{role}"]
    return entry["vars"]


def _render_value(template, **context):
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(**context)


def test_site_hands_each_key_to_its_own_iam_grant():
    """The DAG bucket's key is not the environment's key: mixing them drops the Celery queue grant."""
    role_vars = _site_play_role("Network, DAG bucket and IAM", "iam")
    context = {
        "dags_bucket_outputs": {"bucket_arn": BUCKET_ARN, "kms_key_arn": BUCKET_KEY},
        "mwaa_kms_key": "",
        "marquez_db_secret_kms_key_id": "alias/marquez",
    }
    rendered = {name: _render_value(value, **context) for name, value in role_vars.items()}
    assert rendered["iam_kms_key_arn"] == ""
    assert rendered["iam_dags_bucket_kms_key_arn"] == BUCKET_KEY
    assert rendered["iam_marquez_secret_kms_key_id"] == "alias/marquez"
    policy = _policy("mwaa_execution_policy.json.j2", iam_kms_key_arn=rendered["iam_kms_key_arn"],
                     iam_dags_bucket_kms_key_arn=rendered["iam_dags_bucket_kms_key_arn"])
    assert {"UseAwsOwnedKeyForCeleryQueues", "DecryptDagBucket"} <= set(_by_sid(policy))

    context["mwaa_kms_key"] = CMK
    assert _render_value(role_vars["iam_kms_key_arn"], **context) == CMK
