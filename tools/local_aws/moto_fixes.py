"""moto 5.2.5 fidelity fixes the collection's roles depend on.

Applied once, before moto builds any backend (``server.serve`` calls ``apply``).
Each fix makes moto behave like AWS; none changes what the roles send.
"""

import os

_applied = False


def apply():
    global _applied  # pylint: disable=global-statement
    if _applied:
        return
    _applied = True

    # AWS managed policies (AmazonSSMManagedInstanceCore, CloudWatchAgentServerPolicy, ...)
    # exist in every account; moto loads them only with this switch, read when an IAM
    # backend is first created. Without it AttachRolePolicy fails with NoSuchEntity.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    # Bucket policy conditions. moto treats operators it does not implement (all but
    # StringEquals, e.g. Bool) and keys missing from the request context as satisfied, and
    # answers DENIED for a statement whose condition is not satisfied, so the TLS-only policy
    # (Deny s3:* when aws:SecureTransport is "false") denies every object request.
    # AWS: a condition on a key absent from the request context is false (except the
    # ...IfExists operators and Null), and a statement whose condition is false does not apply.
    from moto.iam import access_control, policy_conditions

    permitted = access_control.IAMPolicyStatement.is_action_permitted
    verify = policy_conditions.TrustCondition.verify_condition

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
            return access_control.PermissionResult.NEUTRAL
        return permitted(self, action, resource, principal, incoming_condition_values)

    def verify_condition(self, actual_values):
        if not actual_values and not self._condition.endswith("IfExists") and self._condition != "Null":
            return False
        return verify(self, actual_values)

    access_control.IAMPolicyStatement.is_action_permitted = is_action_permitted
    policy_conditions.TrustCondition.verify_condition = verify_condition

    # DescribeTags resource types. amazon.aws reads NAT gateway and EIP tags with
    # DescribeTags filtered on resource-type natgateway / elastic-ip (the names AWS uses);
    # moto files them as nat-gateway / vpc-elastic-ip, finds nothing and the modules
    # re-tag on every run.
    from moto.ec2 import utils as ec2_utils

    ec2_utils.EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"
    ec2_utils.EC2_PREFIX_TO_RESOURCE["eipalloc"] = "elastic-ip"

    # UpdateSecurityGroupRuleDescriptions{Ingress,Egress}: AWS answers {"Return": true};
    # moto leaves it out and amazon.aws.ec2_security_group fails on a description change.
    from moto.core.responses import ActionResult
    from moto.ec2.responses import security_groups

    for name in ("update_security_group_rule_descriptions_ingress", "update_security_group_rule_descriptions_egress"):
        original = getattr(security_groups.SecurityGroups, name)

        def answer_return(self, _original=original):
            _original(self)
            return ActionResult({"Return": True})

        setattr(security_groups.SecurityGroups, name, answer_return)

    launch_template_tags_stay_out_of_launch_data()
    launch_template_version_deletion()
    autoscaling_instance_refreshes()

    fix_rds_gp3_baseline()
    fix_rds_parameter_group_not_found()
    fix_rds_postgres_force_ssl_parameter()
    fix_secretsmanager_deleted_secret_message()
    fix_elbv2_alb_attributes()

    from . import rds_engine_versions

    rds_engine_versions.apply()


def fix_rds_gp3_baseline():
    """gp3 DB instances report their baseline Iops and StorageThroughput, as AWS does.

    AWS answers DescribeDBInstances for a gp3 instance created without explicit values with
    the engine's baseline (3000 IOPS / 125 MiB/s below 400 GiB, 12000 / 500 from 400 GiB on,
    the RDS for PostgreSQL/MySQL/MariaDB figures); moto omits both keys and
    amazon.aws.rds_instance fails on its next run with KeyError 'StorageThroughput'.
    Explicit values and non-gp3 instances are left as moto stores them.
    """
    from moto.rds.models import DBInstance

    def baseline(instance):
        return (12000, 500) if (getattr(instance, "allocated_storage", 0) or 0) >= 400 else (3000, 125)

    def is_gp3(instance):
        return getattr(instance, "storage_type", None) == "gp3"

    throughput = DBInstance.storage_throughput

    def get_storage_throughput(self):
        value = throughput.fget(self)
        return baseline(self)[1] if value is None and is_gp3(self) else value

    def get_iops(self):
        value = self.__dict__.get("iops")
        return baseline(self)[0] if value is None and is_gp3(self) else value

    def set_iops(self, value):
        self.__dict__["iops"] = value

    DBInstance.storage_throughput = property(get_storage_throughput, throughput.fset)
    DBInstance.iops = property(get_iops, set_iops)


def fix_elbv2_alb_attributes():
    """ALB attributes and deletion protection as AWS has them (used by the marquez_alb role).

    DescribeLoadBalancerAttributes: AWS lists every attribute of a new ALB with its default; moto
    only four, and amazon.aws.elb_application_lb indexes the others (idle timeout, HTTP/2, header
    dropping, ...) and fails with a KeyError. DeleteLoadBalancer: AWS refuses while
    deletion_protection.enabled is true (OperationNotPermitted); moto deletes anyway, so a role that
    forgot to switch protection off first would pass against moto and fail in production.
    """
    from moto.elbv2 import models as elbv2_models
    from moto.elbv2.exceptions import ELBClientError

    defaults = {
        "access_logs.s3.enabled": "false",
        "idle_timeout.timeout_seconds": "60",
        "client_keep_alive.seconds": "3600",
        "routing.http2.enabled": "true",
        "routing.http.desync_mitigation_mode": "defensive",
        "routing.http.drop_invalid_header_fields.enabled": "false",
        "routing.http.preserve_host_header.enabled": "false",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
        "routing.http.xff_client_port.enabled": "false",
        "routing.http.xff_header_processing.mode": "append",
        "waf.fail_open.enabled": "false",
        "connection_logs.s3.enabled": "false",
        "connection_logs.s3.bucket": "",
        "connection_logs.s3.prefix": "",
        "zonal_shift.config.enabled": "false",
    }
    balancer_init = elbv2_models.FakeLoadBalancer.__init__

    def init_with_defaults(self, *args, **kwargs):
        balancer_init(self, *args, **kwargs)
        if self.type == "application":
            for key, value in defaults.items():
                self.attrs.setdefault(key, value)

    elbv2_models.FakeLoadBalancer.__init__ = init_with_defaults

    delete_balancer = elbv2_models.ELBv2Backend.delete_load_balancer

    def delete_unless_protected(self, arn):
        balancer = self.load_balancers.get(arn)
        if balancer is not None and balancer.attrs.get("deletion_protection.enabled") == "true":
            raise ELBClientError(
                "OperationNotPermitted",
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
            )
        return delete_balancer(self, arn)

    elbv2_models.ELBv2Backend.delete_load_balancer = delete_unless_protected


def launch_template_tags_stay_out_of_launch_data():
    """CreateLaunchTemplate: the request's TagSpecifications (ResourceType launch-template) tag
    the template. moto also copies them into LaunchTemplateData, so amazon.aws.ec2_launch_template,
    comparing its data with the latest version's, creates a spurious version 2 on the next run.
    AWS never puts launch-template tag specifications into the launch data."""
    from moto.ec2.models import launch_templates

    original = launch_templates.LaunchTemplate.__init__

    def init(self, backend, name, template_data, version_description, tag_spec):
        specs = template_data.get("TagSpecifications")
        if isinstance(specs, list):
            kept = [spec for spec in specs if spec.get("ResourceType") != "launch-template"]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                template_data.pop("TagSpecifications")
        original(self, backend, name, template_data, version_description, tag_spec)

    launch_templates.LaunchTemplate.__init__ = init


def autoscaling_instance_refreshes():
    """StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh, which moto lacks
    (amazon.aws.autoscaling_instance_refresh calls them). Everything in the emulator is immediate,
    so a refresh is recorded as Successful at once; instances are not replaced. A refresh of an
    unknown group fails like AWS (ValidationError)."""
    import uuid

    from moto.autoscaling import responses
    from moto.autoscaling.exceptions import ValidationError
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow

    def _group(self):
        name = self._get_param("AutoScalingGroupName")
        if name not in self.autoscaling_backend.autoscaling_groups:
            raise ValidationError(f"AutoScalingGroup name not found - {name}")
        return name

    def _refreshes(self):
        # Kept on the group object, newest first: a deleted and re-created group has no history (as on AWS).
        group = self.autoscaling_backend.autoscaling_groups[_group(self)]
        if not hasattr(group, "local_aws_instance_refreshes"):
            group.local_aws_instance_refreshes = []
        return group.local_aws_instance_refreshes

    def start_instance_refresh(self):
        name = _group(self)
        now = utcnow()
        preferences = self._get_param("Preferences") or {}
        refresh = {
            "InstanceRefreshId": str(uuid.uuid4()),
            "AutoScalingGroupName": name,
            "Status": "Successful",
            "StatusReason": "local_aws: instance refreshes complete immediately",
            "StartTime": now,
            "EndTime": now,
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
            "Preferences": {"MinHealthyPercentage": 90, "SkipMatching": False, **preferences},
            "Strategy": self._get_param("Strategy") or "Rolling",
        }
        _refreshes(self).insert(0, refresh)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        wanted = self._get_param("InstanceRefreshIds") or []
        found = [r for r in _refreshes(self) if not wanted or r["InstanceRefreshId"] in wanted]
        return ActionResult({"InstanceRefreshes": found})

    def cancel_instance_refresh(self):
        active = [r for r in _refreshes(self) if r["Status"] in ("Pending", "InProgress")]
        if not active:
            raise ValidationError("An active instance refresh does not exist.")
        active[0]["Status"] = "Cancelled"
        return ActionResult({"InstanceRefreshId": active[0]["InstanceRefreshId"]})

    for method in (start_instance_refresh, describe_instance_refreshes, cancel_instance_refresh):
        setattr(responses.AutoScalingResponse, method.__name__, method)


def fix_rds_parameter_group_not_found():
    """DescribeDBParameterGroups for an unknown name fails with DBParameterGroupNotFound, as AWS does.

    moto answers with an empty list; amazon.aws.rds_instance_param_group then indexes it and
    fails with "list index out of range" instead of creating the group.
    """
    from moto.rds.exceptions import DBParameterGroupNotFoundError
    from moto.rds.models import RDSBackend

    describe = RDSBackend.describe_db_parameter_groups

    def describe_db_parameter_groups(self, db_parameter_group_kwargs):
        groups = describe(self, db_parameter_group_kwargs)
        name = db_parameter_group_kwargs.get("db_parameter_group_name")
        if name and not groups:
            raise DBParameterGroupNotFoundError(name)
        return groups

    RDSBackend.describe_db_parameter_groups = describe_db_parameter_groups


def fix_rds_postgres_force_ssl_parameter():
    """New postgres* DB parameter groups list the engine parameter rds.force_ssl, as AWS does.

    AWS lists every engine parameter of a new group (engine defaults without a ParameterValue);
    moto lists none, so amazon.aws.rds_instance_param_group reports rds.force_ssl as "not an
    available parameter" and sets nothing. Only this one parameter is seeded.
    """
    from moto.rds.models import DBParameterGroup

    init = DBParameterGroup.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if (self.family or "").startswith("postgres"):
            self.parameters["rds.force_ssl"] = {
                "ParameterName": "rds.force_ssl",
                "Description": "Force SSL connections.",
                "Source": "engine-default",
                "ApplyType": "dynamic",
                "DataType": "boolean",
                "AllowedValues": "0,1",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot",
            }

    DBParameterGroup.__init__ = __init__


def launch_template_version_deletion():
    """DeleteLaunchTemplateVersions, which moto lacks: amazon.aws.ec2_launch_template (state absent)
    deletes the non-default versions before the template. As AWS: the default version cannot be
    deleted; unknown versions are reported as unsuccessful."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses import launch_templates as responses

    def delete_launch_template_versions(self):
        name = self._get_param("LaunchTemplateName")
        template_id = self._get_param("LaunchTemplateId")
        self.error_on_dryrun()
        backend = self.ec2_backend
        template = backend.get_launch_template_by_name(name) if name else backend.get_launch_template(template_id)
        deleted, failed = [], []
        for raw in self._get_param("Versions", []):
            number = int(raw)
            found = [v for v in template.versions if v.number == number]
            ident = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "VersionNumber": number}
            if not found:
                failed.append({**ident, "ResponseError": {
                    "Code": "launchTemplateVersionDoesNotExist",
                    "Message": "The specified launch template version does not exist."}})
            elif number == template.default_version_number:
                failed.append({**ident, "ResponseError": {
                    "Code": "launchTemplateVersionIsDefault",
                    "Message": "The default version of a launch template cannot be deleted."}})
            else:
                template.versions.remove(found[0])
                deleted.append(ident)
        return ActionResult({"SuccessfullyDeletedLaunchTemplateVersions": deleted,
                             "UnsuccessfullyDeletedLaunchTemplateVersions": failed})

    responses.LaunchTemplates.delete_launch_template_versions = delete_launch_template_versions

    # moto finds version N at list position N-1 and numbers a new version len(versions)+1; with deleted
    # versions both go wrong. AWS looks versions up by number and never reuses one.
    from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
    from moto.ec2.models import launch_templates as models

    def by_number(template, number):
        for version in template.versions:
            if version.number == number:
                return version
        raise InvalidLaunchTemplateVersionNotFound(template_id=template.id, version=number)

    def get_version(self, num):
        if str(num).lower() == "$latest":
            return self.versions[-1]
        if str(num).lower() == "$default":
            return self.default_version()
        return by_number(self, int(num))

    def create_version(self, data, description):
        number = max([v.number for v in self.versions] + [getattr(self, "local_aws_last_number", 0)]) + 1
        self.local_aws_last_number = number
        version = models.LaunchTemplateVersion(self, number, data, description)
        self.versions.append(version)
        return version

    models.LaunchTemplate.get_version = get_version
    models.LaunchTemplate.default_version = lambda self: by_number(self, self.default_version_number)
    models.LaunchTemplate.create_version = create_version


def fix_secretsmanager_deleted_secret_message():
    """GetSecretValue on a secret scheduled for deletion fails with AWS's message.

    AWS: InvalidRequestException "You can't perform this operation on the secret because it was
    marked for deletion."; moto words it differently, and the amazon.aws.secretsmanager_secret
    lookup recognises the case (on_deleted=skip|warn) by "marked for deletion" only.
    """
    from moto.secretsmanager.exceptions import InvalidRequestException
    from moto.secretsmanager.models import SecretsManagerBackend

    get_secret_value = SecretsManagerBackend.get_secret_value

    def get_secret_value_aws_message(self, *args, **kwargs):
        try:
            return get_secret_value(self, *args, **kwargs)
        except InvalidRequestException as err:
            if "marked deleted" not in str(err.message if hasattr(err, "message") else err):
                raise
            raise InvalidRequestException(
                "You can't perform this operation on the secret because it was marked for deletion."
            ) from None

    SecretsManagerBackend.get_secret_value = get_secret_value_aws_message
