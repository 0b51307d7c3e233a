"""Fixtures for the emulator's own tests: short MWAA delays and ready-made prerequisites."""

import time

import pytest

# No IAM propagation wait: the prerequisites' role is seconds old when the tests create environments;
# the propagation rule has its own tests.
FAST = {"create_delay": 0.3, "update_delay": 0.3, "delete_delay": 0.2, "iam_propagation_delay": 0.0}


@pytest.fixture(scope="module")
def aws(local_aws):
    """The session emulator, emptied and switched to short MWAA delays for this module."""
    local_aws.reset()
    local_aws.mwaa_settings(**FAST)
    yield local_aws
    local_aws.reset()


@pytest.fixture(scope="module")
def prereq(aws):
    return aws.mwaa_prerequisites(prefix="unit")


@pytest.fixture(scope="module")
def mwaa(aws):
    return aws.client("mwaa")


@pytest.fixture(scope="module")
def raw_mwaa(aws):
    """No client-side validation: every request reaches the emulator as sent."""
    return aws.client("mwaa", parameter_validation=False)


def wait_for(mwaa, name, statuses, timeout=10.0):
    """Poll GetEnvironment until Status is in statuses (or the environment is gone: None)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = mwaa.get_environment(Name=name)["Environment"]["Status"]
        except mwaa.exceptions.ResourceNotFoundException:
            last = None
        if last in statuses:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{name} stayed {last}, wanted one of {statuses}")


@pytest.fixture
def wait():
    return wait_for
