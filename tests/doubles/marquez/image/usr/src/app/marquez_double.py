#!/usr/bin/env python3
"""TEST DOUBLE of the Marquez API and web images -- NOT Marquez.

Marquez images cannot be pulled or built on the test machines, so the
marquez_host molecule scenario runs this stand-in under the same container
contract the role relies on:

api mode (stands in for marquezproject/marquez):
  * reads the Marquez config file named by MARQUEZ_CONFIG (Dropwizard YAML with
    ${VAR} / ${VAR:-default} substitution from the environment), so the file
    the role renders is exercised: server ports, db.url (a JDBC URL, sslmode
    and sslrootcert honoured), db.user, db.password, migrateOnStartup;
  * admin /healthcheck answers 200 only while the database answers;
  * GET /api/v1/namespaces, POST /api/v1/lineage (201; events are stored in the
    real PostgreSQL), GET /api/v1/namespaces/{ns}/jobs;
  * start-up and `db-migrate <config>` follow Marquez 0.51.1's DbMigration
    (api/src/main/java/marquez/db/DbMigration.java, MarquezApp.java): migrations
    are versioned and recorded in flyway_schema_history; nothing pending logs
    "No pending migrations found, skipping..."; an empty database is migrated
    even with migrateOnStartup false; with migrateOnStartup false, some applied
    and some pending, the API logs "Database has pending migrations!" and exits;
    an unreachable database at start makes the API exit (Flyway's "Unable to
    obtain connection from database" wording). db-migrate always migrates.

web mode (stands in for marquezproject/marquez-web):
  * refuses to start without MARQUEZ_HOST, MARQUEZ_PORT and WEB_PORT;
  * serves /healthcheck and proxies /api/v1/* to http://MARQUEZ_HOST:MARQUEZ_PORT.

Nothing here logs the database password.
"""

import datetime
import hashlib
import json
import os
import re
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# MarquezConfig.java (0.51.1) plus Dropwizard 2.1's Configuration: the only top-level keys Marquez accepts.
CONFIG_KEYS = frozenset({"server", "logging", "metrics", "admin", "health", "db", "flyway", "graphql", "sentry",
                         "search", "dbRetention", "exclude", "migrateOnStartup", "tags"})
_SUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def log(msg):
    print(f"[marquez-test-double] {msg}", flush=True)


def substitute(text):
    """Dropwizard's non-strict EnvironmentVariableSubstitutor, applied to the raw text."""

    def repl(match):
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        return default if default is not None else match.group(0)

    return _SUBST.sub(repl, text)


def load_config(path):
    import yaml  # python3-yaml, only in the double's image

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(substitute(handle.read())) or {}
    # Dropwizard's YAML binding fails on unknown properties; Marquez exits before it serves or migrates.
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        print(f"{path} has an error:", file=sys.stderr)
        for key in unknown:
            print(f"  * Unrecognized field at: {key}", file=sys.stderr)
        sys.exit(1)
    return config


def connector_port(config, kind, default):
    connectors = (config.get("server") or {}).get(kind) or [{}]
    return int(connectors[0].get("port", default))


def jdbc_to_dsn(config):
    """Turn the config's db section into psycopg2 keyword arguments."""
    db = config.get("db") or {}
    url = str(db.get("url", ""))
    match = re.match(r"^jdbc:postgresql://([^/:?]+)(?::(\d+))?/([^?]+)(?:\?(.*))?$", url)
    if not match:
        raise SystemExit(f"db.url is not a PostgreSQL JDBC URL: {url!r}")
    host, port, dbname, query = match.groups()
    params = dict(urllib.parse.parse_qsl(query or ""))
    dsn = {
        "host": host,
        "port": int(port or 5432),
        "dbname": dbname,
        "user": db.get("user"),
        "password": db.get("password"),
        "connect_timeout": 5,
        "application_name": "marquez-test-double",
    }
    if "sslmode" in params:
        dsn["sslmode"] = params["sslmode"]
    if "sslrootcert" in params:
        dsn["sslrootcert"] = params["sslrootcert"]
    return dsn


def connect(dsn):
    import psycopg2  # python3-psycopg2, only in the double's image

    return psycopg2.connect(**dsn)


# The double's own schema, in versions as Flyway applies them. Each statement is idempotent, so a history
# row deleted by a test (a "newer image" on an older database) can be applied again.
MIGRATIONS = (
    ("1", "lineage events", (
        "CREATE TABLE IF NOT EXISTS lineage_events ("
        " id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(),"
        " event_type text, event_time text, run_uuid text, job_namespace text NOT NULL,"
        " job_name text NOT NULL, producer text, event jsonb NOT NULL)",
    )),
    ("2", "lineage events by job", (
        "CREATE INDEX IF NOT EXISTS lineage_events_job ON lineage_events (job_namespace, job_name)",
    )),
)
# Flyway's history table (its documented columns).
HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS flyway_schema_history ("
    " installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,"
    " type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer,"
    " installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),"
    " execution_time integer NOT NULL, success boolean NOT NULL)"
)
# Flyway serialises concurrent migrations on a PostgreSQL advisory lock.
LOCK_KEY = 77431


class StartupError(Exception):
    """What makes Marquez call onFatalError: the process exits with status 1."""


def applied_versions(cur):
    cur.execute("SELECT to_regclass('flyway_schema_history') IS NOT NULL")
    if not cur.fetchone()[0]:
        return set()
    cur.execute("SELECT version FROM flyway_schema_history WHERE success")
    return {row[0] for row in cur.fetchall()}


def pending(cur):
    done = applied_versions(cur)
    return [m for m in MIGRATIONS if m[0] not in done], bool(done)


def flyway_migrate(cur):
    """flyway.migrate(): under the lock, apply what is pending now; Flyway's own log lines."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    cur.execute(HISTORY_DDL)
    todo, _ = pending(cur)
    if not todo:
        log('Schema "public" is up to date. No migration necessary.')
        return 0
    for version, description, statements in todo:
        for statement in statements:
            cur.execute(statement)
        cur.execute(
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by,"
            " execution_time, success) VALUES ((SELECT coalesce(max(installed_rank), 0) + 1"
            " FROM flyway_schema_history), %s, %s, 'SQL', %s, current_user, 0, true)",
            (version, description, f"V{version}__{description.replace(' ', '_')}.sql"),
        )
    log(f'Successfully applied {len(todo)} migrations to schema "public", now at version v{MIGRATIONS[-1][0]}')
    return len(todo)


def migrate_db_or_error(config, dsn, migrate_now):
    """Marquez's DbMigration.migrateDbOrError: the same branches, the same log lines."""
    try:
        conn = connect(dsn)
    except Exception as exc:  # the reason's first line, never the password
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StartupError(
            f"Unable to obtain connection from database ({(config.get('db') or {}).get('url')})"
            f" for user '{dsn['user']}': {reason}") from exc
    try:
        with conn, conn.cursor() as cur:
            todo, has_applied = pending(cur)
            if not todo:
                log("No pending migrations found, skipping...")
                return
            if not migrate_now and has_applied:
                log("Failed to apply migration! You must apply the migration manually using the flyway command"
                    " 'flyway migrate', or set 'MIGRATE_ON_STARTUP=true' to automatically apply migrations to"
                    " your database.")
                raise StartupError("Database has pending migrations!")
            log("Migrating database...")
            applied = flyway_migrate(cur)
        log(f"Successfully applied '{applied}' migrations to database.")
    finally:
        conn.close()


# NamespaceName.java: the names Marquez accepts for a namespace.
NAMESPACE = re.compile(r"^[a-zA-Z:;=/0-9_\-.@+]{1,1024}$")


def run_uuid(run_id):
    """OpenLineageDao.runToUuid: a UUID as given, anything else Java's UUID.nameUUIDFromBytes (MD5, version 3)."""
    try:
        return str(uuid.UUID(run_id))
    except ValueError:
        return str(uuid.UUID(bytes=hashlib.md5(run_id.encode()).digest(), version=3))


def check_lineage_event(raw):
    """POST /api/v1/lineage as Marquez 0.51.1 answers it: (status, body, row to store or None).

    OpenLineageResource.java, LineageEvent.java (@NotNull fields), EventTypeResolver.java (schemaURL picks the
    event type), JsonProcessingExceptionMapper.java (unparsable JSON: HTTP 500 with code 400 in the body).
    """
    try:
        event = json.loads(raw or b"null")
        if not isinstance(event, dict):
            raise ValueError("expected a JSON object")
        if event.get("eventTime") is not None:
            datetime.datetime.fromisoformat(str(event["eventTime"]).replace("Z", "+00:00"))
    except ValueError as exc:
        return 500, {"code": 400, "message": f"Unable to process JSON: {exc}"}, None
    kind = str(event.get("schemaURL") or "").rsplit("/", 1)[-1]
    if kind in ("DatasetEvent", "JobEvent"):
        return 201, None, None  # accepted; the double stores run events only
    errors = [f"{name} must not be null" for name in ("eventTime", "run", "job", "producer")
              if event.get(name) is None]
    run, job = event.get("run"), event.get("job")
    if isinstance(run, dict) and run.get("runId") is None:
        errors.append("run.runId must not be null")
    if isinstance(job, dict):
        errors += [f"job.{name} must not be null" for name in ("namespace", "name") if job.get(name) is None]
    if errors:
        return 422, {"errors": sorted(errors)}, None
    namespace, name = str(job["namespace"]), str(job["name"])
    if not NAMESPACE.match(namespace):
        return 400, None, None
    return 201, None, (event.get("eventType"), event["eventTime"], run_uuid(str(run["runId"])), namespace, name,
                       event.get("producer"), json.dumps(event))


class JsonHandler(BaseHTTPRequestHandler):
    server_version = "marquez-test-double"

    def log_message(self, fmt, *args):  # one line per request, no bodies
        log(f"{self.address_string()} {fmt % args}")

    def reply(self, status, body=None, content_type="application/json"):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):  # wget --spider (the web image's health check) asks HEAD first
        self.do_GET()


def make_admin_handler(dsn):
    class Admin(JsonHandler):
        def do_GET(self):
            if self.path.split("?")[0] != "/healthcheck":
                return self.reply(404, {"code": 404, "message": "HTTP 404 Not Found"})
            try:
                with connect(dsn) as conn, conn.cursor() as cur:
                    cur.execute("SELECT 1")
                return self.reply(200, {"postgresql": {"healthy": True}, "deadlocks": {"healthy": True}})
            except Exception as exc:  # the reason, never the DSN
                return self.reply(500, {"postgresql": {"healthy": False, "message": type(exc).__name__}})

    return Admin


def make_api_handler(dsn):
    class Api(JsonHandler):
        def _query(self, sql, args=()):
            with connect(dsn) as conn, conn.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall() if cur.description else None

        def _fail(self, exc):
            log(f"request failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return self.reply(500, {"code": 500, "message": "database error"})

        def do_GET(self):
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            try:
                if parts == ["api", "v1", "namespaces"]:
                    rows = self._query("SELECT DISTINCT job_namespace FROM lineage_events ORDER BY 1")
                    names = ["default"] + [r[0] for r in rows if r[0] != "default"]
                    return self.reply(200, {"namespaces": [{"name": n} for n in names]})
                if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "jobs":
                    namespace = urllib.parse.unquote(parts[3])
                    rows = self._query(
                        "SELECT DISTINCT job_name FROM lineage_events WHERE job_namespace = %s ORDER BY job_name",
                        (namespace,),
                    )
                    jobs = [{"namespace": namespace, "name": r[0]} for r in rows]
                    return self.reply(200, {"jobs": jobs, "totalCount": len(jobs)})
            except Exception as exc:
                return self._fail(exc)
            return self.reply(404, {"code": 404, "message": "HTTP 404 Not Found"})

        def do_POST(self):
            if self.path.split("?")[0] != "/api/v1/lineage":
                return self.reply(404, {"code": 404, "message": "HTTP 404 Not Found"})
            length = int(self.headers.get("Content-Length") or 0)
            status, body, row = check_lineage_event(self.rfile.read(length))
            if status != 201 or row is None:
                return self.reply(status, body)
            try:
                self._query(
                    "INSERT INTO lineage_events (event_type, event_time, run_uuid, job_namespace, job_name,"
                    " producer, event) VALUES (%s, %s, %s, %s, %s, %s, %s)", row)
            except Exception as exc:
                return self._fail(exc)
            return self.reply(201)

    return Api


def serve(port, handler):
    httpd = ThreadingHTTPServer(("0.0.0.0", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


def config_path():
    path = os.environ.get("MARQUEZ_CONFIG")
    if not path:
        path = "/usr/src/app/marquez.dev.yml"
        log("WARNING 'MARQUEZ_CONFIG' not set, using development configuration.")
    return path


def run_api():
    config = load_config(config_path())
    dsn = jdbc_to_dsn(config)
    log("Running startup actions...")
    try:
        migrate_db_or_error(config, dsn, str(config.get("migrateOnStartup", True)).lower() == "true")
    except StartupError as exc:
        log(f"ERROR {exc}")
        log("Stopping app...")
        sys.exit(1)
    search = config.get("search") or {}
    log(f"search enabled: {str(search.get('enabled', False)).lower()}")
    app_port = connector_port(config, "applicationConnectors", 8080)
    admin_port = connector_port(config, "adminConnectors", 8081)
    serve(admin_port, make_admin_handler(dsn))
    httpd, thread = serve(app_port, make_api_handler(dsn))
    log(f"api on :{app_port}, admin on :{admin_port}, db {dsn['host']}:{dsn['port']}/{dsn['dbname']}"
        f" sslmode={dsn.get('sslmode', 'prefer')}")
    thread.join()


def run_web():
    missing = [v for v in ("MARQUEZ_HOST", "MARQUEZ_PORT", "WEB_PORT") if not os.environ.get(v)]
    if missing:
        for name in missing:
            log(f"Error: {name} environment variable is not defined.")
        sys.exit(1)
    upstream = f"http://{os.environ['MARQUEZ_HOST']}:{os.environ['MARQUEZ_PORT']}"

    class Web(JsonHandler):
        def _proxy(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(upstream + self.path, data=body, method=self.command)
            if body:
                request.add_header("Content-Type", self.headers.get("Content-Type", "application/json"))
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return self.reply(response.status, response.read(), response.headers.get("Content-Type", ""))
            except urllib.error.HTTPError as exc:
                return self.reply(exc.code, exc.read(), exc.headers.get("Content-Type", ""))
            except OSError as exc:
                return self.reply(502, {"message": f"upstream unreachable: {type(exc).__name__}"})

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/healthcheck":
                return self.reply(200, b"OK", "text/plain")
            if path.startswith("/api/v1/"):
                return self._proxy()
            return self.reply(200, b"<html><body>marquez-web TEST DOUBLE</body></html>", "text/html")

        def do_POST(self):
            if self.path.startswith("/api/v1/"):
                return self._proxy()
            return self.reply(404, b"", "text/plain")

    httpd, thread = serve(int(os.environ["WEB_PORT"]), Web)
    log(f"web on :{os.environ['WEB_PORT']}, proxying /api/v1 to {upstream}")
    thread.join()


def main(argv):
    # PID 1 in the container: without a handler SIGTERM is ignored and `docker stop` waits 10 s.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    mode = argv[1] if len(argv) > 1 else "api"
    if mode == "api":
        run_api()
    elif mode == "web":
        run_web()
    elif mode == "db-migrate":
        # DbMigrateCommand: migrateNow=true; a failure ends the command with a non-zero status.
        config = load_config(argv[2] if len(argv) > 2 else config_path())
        try:
            migrate_db_or_error(config, jdbc_to_dsn(config), True)
        except StartupError as exc:
            log(f"ERROR {exc}")
            sys.exit(1)
    else:
        raise SystemExit(f"usage: {argv[0]} api|web|db-migrate [config]")


if __name__ == "__main__":
    main(sys.argv)
