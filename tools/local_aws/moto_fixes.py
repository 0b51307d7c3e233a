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
