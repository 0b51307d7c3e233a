"""The EC2 launch tasks of marquez_instance and marquez_asg wait out IAM propagation of a new
instance profile, and only that.

RunInstances and CreateAutoScalingGroup refuse an instance profile created moments before
("Invalid IAM Instance Profile ARN"/"... name"; hashicorp/terraform-provider-aws #5217, #24910,
#29866). amazon.aws 10.1.2 ec2_instance retries it once after 10 s; autoscaling_group not at all.
Each task's `until` is evaluated here with Ansible's own templar against the results the
modules return.
"""

import pathlib

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROOT = pathlib.Path(__file__).resolve().parents[3]

TASKS = {
    "marquez_instance": ("amazon.aws.ec2_instance", "_marquez_instance_launch"),
    "marquez_asg": ("amazon.aws.autoscaling_group", "_marquez_asg_group"),
}
RUN_INSTANCES_ERROR = (
    "Failed to run instances: An error occurred (InvalidParameterValue) when calling the RunInstances operation: "
    "Value (arn:aws:iam::123456789012:instance-profile/lineage-dev-marquez) for parameter iamInstanceProfile.arn "
    "is invalid. Invalid IAM Instance Profile ARN"
)
CREATE_ASG_ERROR = (
    "Failed to create Autoscaling Group.: An error occurred (ValidationError) when calling the "
    "CreateAutoScalingGroup operation: You must use a valid fully-formed launch template. Value "
    "(lineage-dev-marquez) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
)


def launch_task(role):
    module, register = TASKS[role]
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks" / "present.yml").read_text())
    (task,) = [t for t in tasks if module in t and t.get("register") == register]
    return task


def retries_again(task, result):
    templar = Templar(loader=DataLoader(), variables={task["register"]: result})
    return not templar.evaluate_conditional(trust_as_template(task["until"]))


@pytest.mark.parametrize("role", sorted(TASKS))
def test_a_new_instance_profile_is_waited_for_a_bounded_time(role):
    task = launch_task(role)

    assert "until" in task, f"{role}: the launch task has no retry for IAM propagation"
    assert 30 <= task["retries"] * task["delay"] <= 120
    for message in (RUN_INSTANCES_ERROR, CREATE_ASG_ERROR):
        assert retries_again(task, {"failed": True, "msg": message})


@pytest.mark.parametrize("role", sorted(TASKS))
@pytest.mark.parametrize(
    "result",
    [
        {"changed": True, "failed": False},
        {"changed": False},
        {"failed": True, "msg": "Failed to run instances: InsufficientInstanceCapacity"},
        {"failed": True, "msg": "Failed to create Autoscaling Group.: ValidationError: No default subnet"},
    ],
    ids=["created", "unchanged", "capacity", "other-validation"],
)
def test_success_and_other_failures_are_not_retried(role, result):
    assert not retries_again(launch_task(role), result)
