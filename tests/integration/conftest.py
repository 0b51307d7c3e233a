"""Integration files run longest first, so that with parallel workers (pytest-xdist, --dist loadfile) the
long files start at once and the short ones fill the gaps at the end. A file's own tests keep their order."""

# Measured wall time per file, longest first; files not listed run after these, in collection order.
LONGEST_FIRST = (
    "test_site_ha.py",
    "test_site.py",
    "test_site_blue_green.py",
    "test_blue_green_gate.py",
    "test_mwaa_role.py",
    "test_lineage_heartbeat.py",
    "test_mwaa_blue_green.py",
    "test_airflow_openlineage.py",
    "test_mwaa_environment_module.py",
    "test_bad_input.py",
    "test_mwaa_blue_green_airflow.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    # sorted() is stable: tests of one file stay in file order.
    items[:] = sorted(items, key=lambda item: rank.get(item.path.name, len(rank)))
