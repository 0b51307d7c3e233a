"""Blue/green gate: the work of this DAG runs only in the active MWAA environment.

Both colors (``{project}-blue-{env}`` and ``{project}-green-{env}``) run the same DAGs. The first
task, ``check_active_color``, reads the active color from SSM Parameter Store AT RUN TIME and lets
the work tasks run only when it equals this environment's own color; otherwise they are skipped.

Where the values come from (set by the collection's ``blue_green`` role, per environment):

- ``[blue_green] color`` (MWAA option ``blue_green.color``): this environment's color.
- ``[blue_green] parameter_name`` (MWAA option ``blue_green.parameter_name``): the SSM parameter,
  e.g. ``/mwaa/lineage/prod/blue-green/active-environment``; ``playbooks/switch.yml`` changes it.

It FAILS CLOSED: when the parameter is missing or unreadable, holds anything but ``blue`` or
``green``, or this environment's own color or parameter name is not configured, the work is
skipped in BOTH colors and the reason is logged at ERROR level. Skipping twice is recoverable
(set the parameter, re-run); running twice is not.

Nothing here touches AWS while the file is parsed: the read happens inside the task, with the
environment's execution role (boto3's default credentials and region; ``AWS_ENDPOINT_URL`` is
honoured, which the tests use). To gate your own DAGs, make the same short-circuit task their first.
"""

from __future__ import annotations

import logging

import pendulum
from airflow.sdk import DAG, task

log = logging.getLogger(__name__)

COLORS = ("blue", "green")
CONFIG_SECTION = "blue_green"


def own_settings() -> tuple[str, str]:
    """This environment's color and the parameter name, from its Airflow configuration."""
    from airflow.configuration import conf

    color = conf.get(CONFIG_SECTION, "color", fallback="") or ""
    parameter_name = conf.get(CONFIG_SECTION, "parameter_name", fallback="") or ""
    return color.strip(), parameter_name.strip()


def read_parameter(parameter_name: str) -> str:
    """The parameter's value. Raises on any error (missing, denied, unreachable)."""
    import boto3
    from botocore.config import Config

    # Short timeouts: an unreachable SSM must close the gate quickly, not hold a worker slot.
    config = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
    client = boto3.client("ssm", config=config)
    return client.get_parameter(Name=parameter_name)["Parameter"]["Value"]


def is_active_color() -> bool:
    """True only when the active-color parameter equals this environment's own color."""
    own, parameter_name = own_settings()
    if own not in COLORS:
        log.error("Blue/green gate closed: the Airflow option %s.color is %r, not blue or green. "
                  "Skipping the work.", CONFIG_SECTION, own)
        return False
    if not parameter_name:
        log.error("Blue/green gate closed in %s: the Airflow option %s.parameter_name is not set. "
                  "Skipping the work.", own, CONFIG_SECTION)
        return False
    try:
        active = read_parameter(parameter_name)
    except Exception as err:  # noqa: BLE001 - any failure to read means: do not run
        code = getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)
        log.error("Blue/green gate closed in %s: cannot read %s (%s: %s). Skipping the work; "
                  "the other color skips too.", own, parameter_name, code, err)
        return False
    if active not in COLORS:
        log.error("Blue/green gate closed in %s: %s holds %r, not blue or green. Skipping the work; "
                  "the other color skips too.", own, parameter_name, active)
        return False
    if active != own:
        log.info("Blue/green gate: %s is active (%s), this environment is %s. Skipping the work.",
                 active, parameter_name, own)
        return False
    log.info("Blue/green gate open: %s is the active color (%s). Running the work.", own, parameter_name)
    return True


with DAG(
    dag_id="blue_green_gate",
    description="Runs its work only in the active blue/green MWAA environment; fails closed",
    # Give your gated DAGs their real schedule: both colors schedule them, only the active one works.
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["blue-green", "dataplatform.mwaa_lineage"],
    doc_md=__doc__,
    default_args={"owner": "data-platform", "retries": 0},
) as dag:

    @task.short_circuit
    def check_active_color() -> bool:
        """Read the active color now (not at parse time); False skips everything downstream."""
        return is_active_color()

    @task
    def extract() -> list[int]:
        """Stand-in for work that must happen once, in one environment only."""
        return [3, 1, 2]

    @task
    def load(rows: list[int]) -> int:
        """Stand-in for the write that must never happen twice."""
        log.info("Loading %d rows", len(rows))
        return sum(rows)

    # Every work task must be downstream of the gate: the short circuit skips only those.
    rows = extract()
    check_active_color() >> rows
    load(rows)
