"""Command line: ``python -m local_aws --host 127.0.0.1 --port 4566``.

Every option also reads an environment variable (LOCAL_AWS_MWAA_CREATE_DELAY, ...), so
scripts/local-aws.sh and the pytest fixture can tune delays without new flags.
"""

import argparse
import os
import sys

from .mwaa import DEFAULT_AIRFLOW_VERSION, SUPPORTED_AIRFLOW_VERSIONS, Settings
from .server import serve


def _env_float(name, default):
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_bool(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.lower() in ("1", "true", "yes", "on")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="local_aws", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("LOCAL_AWS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCAL_AWS_PORT", "4566")))
    parser.add_argument("--mwaa-create-delay", type=float, default=_env_float("LOCAL_AWS_MWAA_CREATE_DELAY", 2.0),
                        help="seconds in CREATING before AVAILABLE/CREATE_FAILED (default 2)")
    parser.add_argument("--mwaa-update-delay", type=float, default=_env_float("LOCAL_AWS_MWAA_UPDATE_DELAY", 2.0),
                        help="seconds in UPDATING before AVAILABLE/UPDATE_FAILED (default 2)")
    parser.add_argument("--mwaa-delete-delay", type=float, default=_env_float("LOCAL_AWS_MWAA_DELETE_DELAY", 1.0),
                        help="seconds in DELETING before the environment is gone (default 1)")
    parser.add_argument("--mwaa-iam-propagation-delay", type=float,
                        default=_env_float("LOCAL_AWS_MWAA_IAM_PROPAGATION_DELAY", 3.0),
                        help="CreateEnvironment refuses an execution role younger than this many seconds, "
                             "as while IAM propagates (default 3; 0 turns it off)")
    parser.add_argument("--mwaa-default-airflow-version", choices=SUPPORTED_AIRFLOW_VERSIONS,
                        default=os.environ.get("LOCAL_AWS_MWAA_DEFAULT_AIRFLOW_VERSION") or DEFAULT_AIRFLOW_VERSION)
    parser.add_argument("--no-reference-checks", action="store_true",
                        default=not _env_bool("LOCAL_AWS_MWAA_REFERENCE_CHECKS", True),
                        help="do not check that the role, bucket, subnets and security groups exist in moto")
    parser.add_argument("--quiet", action="store_true", default=_env_bool("LOCAL_AWS_QUIET", False),
                        help="do not log every request")
    args = parser.parse_args(argv)
    settings = Settings(
        create_delay=args.mwaa_create_delay,
        update_delay=args.mwaa_update_delay,
        delete_delay=args.mwaa_delete_delay,
        iam_propagation_delay=args.mwaa_iam_propagation_delay,
        default_airflow_version=args.mwaa_default_airflow_version,
        reference_checks=not args.no_reference_checks,
    )
    code = 0
    try:
        serve(args.host, args.port, settings, quiet=args.quiet)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # Tearing down moto's module state takes seconds and achieves nothing for a server.
        os._exit(code)  # pylint: disable=protected-access


if __name__ == "__main__":
    main()
