"""OpenLineage demo: a tiny extract -> transform -> load pipeline with declared lineage.

Shipped by dataplatform.mwaa_lineage as the example DAG of an MWAA environment wired to
Marquez through the OpenLineage provider. Each task declares its input and output datasets
as ``inlets``/``outlets``; the provider (apache-airflow-providers-openlineage 2.6.1 on MWAA
3.0.6) turns OpenLineage ``Dataset`` objects found there into the input/output datasets of
the task's COMPLETE event. (That provider version ignores Airflow ``Asset`` objects in
inlets/outlets, which is why plain OpenLineage datasets are declared.)

The tasks are deterministic and offline: they compute a few rows in memory and pass them
through XCom. Nothing is read from S3 or written to Postgres; the datasets describe what a
real pipeline of this shape would touch, so Marquez shows the graph

    s3://demo-raw/orders/orders.csv -> extract -> s3://demo-staging/orders/orders.json
      -> transform -> s3://demo-staging/orders/daily_totals.json
      -> load -> postgres://warehouse.internal:5432 analytics.public.daily_order_totals

Names follow the OpenLineage dataset naming spec (S3: namespace ``s3://<bucket>``,
name = object key; Postgres: namespace ``postgres://<host>:<port>``,
name = ``<database>.<schema>.<table>``).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task
from openlineage.client.event_v2 import Dataset

RAW_ORDERS = Dataset(namespace="s3://demo-raw", name="orders/orders.csv")
STAGED_ORDERS = Dataset(namespace="s3://demo-staging", name="orders/orders.json")
DAILY_TOTALS = Dataset(namespace="s3://demo-staging", name="orders/daily_totals.json")
WAREHOUSE_TABLE = Dataset(
    namespace="postgres://warehouse.internal:5432",
    name="analytics.public.daily_order_totals",
)

# Stand-in for the content of RAW_ORDERS: fixed, so every run produces the same result.
_ORDERS = (
    {"order_id": 1, "day": "2024-01-01", "amount_cents": 1250},
    {"order_id": 2, "day": "2024-01-01", "amount_cents": 899},
    {"order_id": 3, "day": "2024-01-02", "amount_cents": 4500},
    {"order_id": 4, "day": "2024-01-02", "amount_cents": -4500},  # refund
    {"order_id": 5, "day": "2024-01-02", "amount_cents": 300},
)

with DAG(
    dag_id="openlineage_demo",
    description="Extract -> transform -> load with OpenLineage datasets declared as inlets/outlets",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["demo", "openlineage", "dataplatform.mwaa_lineage"],
    doc_md=__doc__,
    default_args={"owner": "data-platform", "retries": 0},
) as dag:

    @task(inlets=[RAW_ORDERS], outlets=[STAGED_ORDERS])
    def extract() -> list[dict]:
        """Read the raw orders (here: the fixed rows above)."""
        return [dict(row) for row in _ORDERS]

    @task(inlets=[STAGED_ORDERS], outlets=[DAILY_TOTALS], multiple_outputs=False)
    def transform(orders: list[dict]) -> dict[str, int]:
        """Net amount per day, refunds included."""
        totals: dict[str, int] = {}
        for row in orders:
            totals[row["day"]] = totals.get(row["day"], 0) + int(row["amount_cents"])
        return dict(sorted(totals.items()))

    @task(inlets=[DAILY_TOTALS], outlets=[WAREHOUSE_TABLE])
    def load(totals: dict[str, int]) -> int:
        """Upsert one row per day into the warehouse table (here: count what would be written)."""
        if totals != {"2024-01-01": 2149, "2024-01-02": 300}:
            raise ValueError(f"unexpected totals {totals}")
        return len(totals)

    load(transform(extract()))
