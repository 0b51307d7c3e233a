"""One HTTP endpoint for every AWS service: moto, plus our MWAA backend, plus a control API.

Routing follows the SigV4 credential scope: requests signed for ``airflow`` (the MWAA
signing name) go to :mod:`local_aws.mwaa`, everything else to moto's own
DomainDispatcherApplication, exactly as ``moto_server`` would serve it. Paths under
``/_local_aws/`` are the emulator's control API (not AWS).
"""

import json
import os
import signal
import sys
import threading
import traceback
import uuid

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.routing import Map, Rule
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from . import moto_fixes
from .airflow_proxy import ConfigError
from .journal import Journal, classify, credential_scope, is_mutating
from .mwaa import MwaaBackend, Settings

NOT_JOURNALED_PREFIXES = ("/moto-api", "/_local_aws", "/latest/meta-data", "/latest/api", "/favicon.ico")
# moto imports a backend on first use (ec2 alone takes ~2 s); load the ones this
# collection uses in the background so the first playbook task does not pay for it.
WARM_UP_MODULES = (
    "ec2", "iam", "s3", "sts", "ssm", "secretsmanager", "logs", "kms", "elbv2", "autoscaling", "rds",
    "cloudwatch", "resourcegroupstaggingapi", "s3control",
)


def _account_for(environ, access_key):
    # Same precedence as moto's BaseResponse.get_current_account, so ARNs agree.
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key or "")


def _json(data, status=200):
    return Response(json.dumps(data, default=str), status=status, mimetype="application/json")


class LocalAws:
    """The WSGI application."""

    def __init__(self, settings=None):
        self.journal = Journal()
        self.mwaa = MwaaBackend(settings or Settings())
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.warm = False
        self.control_map = Map([
            Rule("/_local_aws/health", endpoint="health", methods=["GET"]),
            Rule("/_local_aws/calls", endpoint="calls", methods=["GET", "DELETE"]),
            Rule("/_local_aws/reset", endpoint="reset", methods=["POST"]),
            Rule("/_local_aws/mwaa/config", endpoint="mwaa_config", methods=["GET", "POST"]),
            Rule("/_local_aws/mwaa/faults", endpoint="mwaa_faults", methods=["GET", "POST", "DELETE"]),
            Rule("/_local_aws/mwaa/environments", endpoint="mwaa_environments", methods=["GET"]),
            Rule("/_local_aws/mwaa/environments/<name>/status", endpoint="mwaa_status", methods=["POST"]),
            Rule("/_local_aws/mwaa/environments/<name>/airflow", endpoint="mwaa_airflow",
                 methods=["GET", "PUT", "DELETE"]),
            Rule("/_local_aws/mwaa/environments/<name>/vpc-callers", endpoint="mwaa_vpc_callers",
                 methods=["GET", "PUT", "DELETE"]),
        ])

    # --------------------------------------------------------------- AWS traffic
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local_aws"):
            return self.control(environ, start_response)
        if path.startswith(NOT_JOURNALED_PREFIXES):
            return self.moto(environ, start_response)
        access_key, region, service = credential_scope(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        entry = self.journal.record(
            service=service, operation=None, method=method, path=path, mutating=True, region=region, status=None,
            access_key=access_key,
        )
        if service == "airflow":
            return self._airflow(environ, start_response, entry, access_key, region)
        try:
            operation, dry_run = classify(environ, service)
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            operation, dry_run = None, False
        changes = {"operation": operation, "mutating": is_mutating(operation, method)}
        if dry_run:
            changes["detail"] = "DryRun"
        self.journal.update(entry, **changes)

        def capture(status, headers, exc_info=None):
            code = int(status.split(" ", 1)[0])
            update = {"status": code}
            # A DryRun answered with DryRunOperation (412) changed nothing; moto ignores
            # DryRun on some calls and really performs them, which stays a write.
            if dry_run and code == 412:
                update["mutating"] = False
            self.journal.update(entry, **update)
            return start_response(status, headers, exc_info)

        return self.moto(environ, capture)

    def _airflow(self, environ, start_response, entry, access_key, region):
        account = _account_for(environ, access_key)
        status, body, hints = self.mwaa.handle(environ, account, region or "us-east-1", access_key)
        operation = hints.get("operation")
        mutating = hints.get("mutating", is_mutating(operation, environ.get("REQUEST_METHOD", "GET")))
        changes = {"operation": operation, "mutating": mutating, "status": status}
        if "detail" in hints:
            changes["detail"] = hints["detail"]
        self.journal.update(entry, **changes)
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
        if status >= 400:
            headers.append(("x-amzn-ErrorType", hints.get("error", "InternalServerException")))
        payload = json.dumps(body if body is not None else {}).encode()
        headers.append(("Content-Length", str(len(payload))))
        start_response(f"{status} {'OK' if status < 400 else 'Error'}", headers)
        return [payload]

    # --------------------------------------------------------------- control API
    def control(self, environ, start_response):
        request = Request(environ)
        adapter = self.control_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
            response = getattr(self, "ctl_" + endpoint)(request, **args)
        except HTTPException as err:
            response = _json({"error": err.description}, err.code)
        except (ValueError, LookupError, ConfigError) as err:
            response = _json({"error": str(err)}, 404 if isinstance(err, LookupError) else 400)
        return response(environ, start_response)

    @staticmethod
    def _body(request):
        if not request.get_data():
            return {}
        data = json.loads(request.get_data())
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data

    def ctl_health(self, request):
        return _json({"status": "ok", "pid": os.getpid(), "warm": self.warm, "mwaa": self.mwaa.settings.as_dict()})

    def ctl_calls(self, request):
        if request.method == "DELETE":
            self.journal.clear()
            return _json({"status": "cleared"})
        mutating = request.args.get("mutating")
        since = request.args.get("since")
        return _json(self.journal.entries(
            service=request.args.get("service"),
            mutating=None if mutating is None else mutating.lower() in ("1", "true", "yes"),
            since=int(since) if since else None,
        ))

    def ctl_reset(self, request):
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        self.mwaa.reset()
        self.journal.clear()
        return _json({"status": "reset"})

    def ctl_mwaa_config(self, request):
        if request.method == "POST":
            with self.mwaa.lock:
                self.mwaa.settings.apply(self._body(request))
        return _json(self.mwaa.settings.as_dict())

    def ctl_mwaa_faults(self, request):
        if request.method == "POST":
            return _json(self.mwaa.add_fault(self._body(request)), 201)
        if request.method == "DELETE":
            self.mwaa.clear_faults()
        return _json(self.mwaa.list_faults())

    def ctl_mwaa_environments(self, request):
        return _json(self.mwaa.dump())

    def ctl_mwaa_status(self, request, name):
        return _json(self.mwaa.set_status(name, self._body(request)))

    def ctl_mwaa_airflow(self, request, name):
        region = request.args.get("region")
        if request.method == "PUT":
            return _json(self.mwaa.set_target(name, self._body(request), region))
        if request.method == "DELETE":
            return _json({"deleted": self.mwaa.delete_target(name, region)})
        target = self.mwaa.get_target(name, region)
        if target is None:
            raise LookupError(f"no Airflow target configured for {name!r}")
        return _json(target.describe())

    def ctl_mwaa_vpc_callers(self, request, name):
        region = request.args.get("region")
        if request.method == "PUT":
            return _json(self.mwaa.set_vpc_callers(name, self._body(request), region))
        if request.method == "DELETE":
            return _json({"deleted": self.mwaa.delete_vpc_callers(name, region)})
        callers = self.mwaa.get_vpc_callers(name, region)
        if callers is None:
            raise LookupError(f"no VPC callers declared for {name!r}: nothing counts as inside its VPC")
        return _json(callers.describe())


def _warm_up(app):
    import importlib

    for name in WARM_UP_MODULES:
        try:
            importlib.import_module(f"moto.{name}.models")
            importlib.import_module(f"moto.{name}.responses")
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
    app.warm = True


class _Handler(MotoRequestHandler):
    quiet = False

    def log_request(self, code="-", size="-"):
        if not self.quiet:
            super().log_request(code, size)


def serve(host, port, settings=None, quiet=False, ready=None):
    """Run until SIGTERM/SIGINT. ``ready`` (a threading.Event) is set once listening."""
    os.environ.setdefault("MOTO_PORT", str(port))
    moto_fixes.apply()
    app = LocalAws(settings)
    handler = type("Handler", (_Handler,), {"quiet": quiet})
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    if threading.current_thread() is threading.main_thread():
        def stop(signum, frame):  # pylint: disable=unused-argument
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    print(f"local_aws listening on http://{host}:{server.server_port} (moto + MWAA); "
          f"MWAA settings {app.mwaa.settings.as_dict()}", file=sys.stderr, flush=True)
    threading.Thread(target=_warm_up, args=(app,), name="local-aws-warm-up", daemon=True).start()
    if ready is not None:
        ready.set()
    try:
        server.serve_forever()
    finally:
        server.server_close()
