"""Which AWS operation a raw HTTP request is, and whether it may change state.

Integration tests prove "the second run makes no write call" from this journal, so the
operation names come from the protocol itself (X-Amz-Target, Action=, the rpc-v2 path)
or, for REST services, from botocore's own request-URI templates.
"""

import io
import re
import threading
import time
import urllib.parse

from botocore.loaders import Loader

READ_PREFIXES = (
    "Describe", "Get", "List", "Head", "Lookup", "Search", "Query", "Scan", "BatchGet",
    "Select", "Simulate", "Validate", "Download",
)
# Operations whose names look like writes but change no resource state.
READ_OPERATIONS = frozenset({
    # sts: credentials only
    "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage",
    # kms: cryptographic calls, no key state
    "Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom", "GenerateMac",
    "VerifyMac", "Sign", "Verify",
    # s3 express session credentials
    "CreateSession",
    # MWAA: short-lived login tokens; the environment is untouched
    "CreateCliToken", "CreateWebLoginToken",
})
# Signing names whose botocore service directory has another name.
SIGNING_TO_SERVICE = {
    "airflow": "mwaa",
    "elasticfilesystem": "efs",
    "execute-api": "apigateway",
    "es": "opensearch",
}
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_RPC_V2 = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")
MAX_ENTRIES = 100_000


def is_mutating(operation, method):
    if operation is None:
        return method not in ("GET", "HEAD", "OPTIONS")
    if operation in READ_OPERATIONS or operation == "Query":
        return False
    return not operation.startswith(READ_PREFIXES)


def credential_scope(environ):
    """(access_key, region, service) from the SigV4 Authorization header or a presigned URL."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1), match.group(2), match.group(3).lower()
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    cred = query.get("X-Amz-Credential", [""])[0].split("/")
    if len(cred) == 5:
        return cred[0], cred[2], cred[3].lower()
    return None, None, None


def raw_path(environ):
    """The request path as sent (percent-encoding intact), without the query string."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw = raw.split("?", 1)[0]
        if "://" in raw:  # absolute-form request line
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        return raw
    return urllib.parse.quote(environ.get("PATH_INFO", ""))


def form_body(environ):
    """Read a form-encoded body and put it back so the next app can read it too."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    if length <= 0:
        return {}
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


class RestResolver:
    """Match method + path + query (+ headers) against a REST service's request URIs."""

    def __init__(self, service_model):
        self.routes = []
        for name in service_model.operation_names:
            op = service_model.operation_model(name)
            path, _, query = op.http["requestUri"].partition("?")
            literal_query = {}
            for part in filter(None, query.split("&")):
                key, _, value = part.partition("=")
                literal_query[key] = value or None
            located = []
            if op.input_shape is not None:
                for member in op.input_shape.required_members:
                    ser = op.input_shape.members[member].serialization
                    if ser.get("location") in ("querystring", "header"):
                        located.append((ser["location"], ser.get("name", member)))
            regex, labels = self._compile(path)
            self.routes.append({
                "name": name, "method": op.http["method"], "regex": regex, "labels": labels,
                "query": literal_query, "located": located,
                "deprecated": bool(op.deprecated), "literal": len(re.sub(r"\{[^}]+\}", "", path)),
            })

    @staticmethod
    def _compile(template):
        labels = []
        pattern = ""
        for token in re.split(r"(\{[^}]+\})", template):
            if token.startswith("{"):
                label = token[1:-1]
                greedy = label.endswith("+")
                labels.append(label.rstrip("+"))
                pattern += "(.+)" if greedy else "([^/]+)"
            else:
                pattern += re.escape(token)
        if not template.endswith("/"):
            pattern += "/?"
        return re.compile(pattern), labels

    def resolve(self, method, path, query, environ):
        """(operation name, {uri label: decoded value}) or (None, {})."""
        best = None
        for route in self.routes:
            if route["method"] != method:
                continue
            match = route["regex"].fullmatch(path)
            if not match:
                continue
            if any(k not in query or (v is not None and query[k][0] != v) for k, v in route["query"].items()):
                continue
            present = 0
            missing = False
            for location, name in route["located"]:
                if location == "querystring":
                    found = name in query
                else:
                    found = ("HTTP_" + name.upper().replace("-", "_")) in environ
                present += found
                missing = missing or not found
            # A route missing a required query/header member still beats no match at all
            # (the service then reports the missing member), but never a complete route.
            score = (not missing, len(route["query"]), present, not route["deprecated"], route["literal"])
            if best is None or score > best[0]:
                params = {label: urllib.parse.unquote(value) for label, value in zip(route["labels"], match.groups())}
                best = (score, route["name"], params)
        if best is None:
            return None, {}
        return best[1], best[2]


class _Resolvers:
    def __init__(self):
        self._loader = Loader()
        self._lock = threading.Lock()
        self._cache = {}
        self._available = None

    def get(self, service_name):
        with self._lock:
            if service_name not in self._cache:
                self._cache[service_name] = self._build(service_name)
            return self._cache[service_name]

    def _build(self, service_name):
        from botocore.model import ServiceModel

        if self._available is None:
            self._available = set(self._loader.list_available_services("service-2"))
        if service_name not in self._available:
            return None
        model = ServiceModel(self._loader.load_service_model(service_name, "service-2"), service_name)
        if model.protocol not in ("rest-json", "rest-xml"):
            return None
        return RestResolver(model)


RESOLVERS = _Resolvers()


def classify(environ, service):
    """(operation name or None, dry_run) for a signed AWS request.

    dry_run is true for query-protocol calls with DryRun=true (EC2): AWS only checks
    permissions and changes nothing.
    """
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1], False
    path = environ.get("PATH_INFO", "")
    match = _RPC_V2.match(path)
    if match and environ.get("REQUEST_METHOD") == "POST":
        return match.group(1), False
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = query
    if "Action" not in query and environ.get("REQUEST_METHOD") == "POST":
        params = form_body(environ)
    if "Action" in params:
        dry_run = params.get("DryRun", ["false"])[0].lower() == "true"
        return params["Action"][0], dry_run
    name = SIGNING_TO_SERVICE.get(service, service)
    if service == "s3" and path.startswith("/v20180820/"):
        name = "s3control"
    resolver = RESOLVERS.get(name) if name else None
    if resolver is None:
        return None, False
    operation, _ = resolver.resolve(environ.get("REQUEST_METHOD", "GET"), raw_path(environ), query, environ)
    return operation, False


class Journal:
    """Thread-safe, bounded list of the AWS requests the emulator served."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def record(self, **entry):
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, "time": time.time(), **entry}
            self._entries.append(entry)
            if len(self._entries) > MAX_ENTRIES:
                del self._entries[: len(self._entries) - MAX_ENTRIES]
            return entry

    def update(self, entry, **changes):
        with self._lock:
            entry.update(changes)

    def entries(self, service=None, mutating=None, since=None):
        with self._lock:
            items = list(self._entries)
        return [
            dict(e) for e in items
            if (service is None or e["service"] == service)
            and (mutating is None or e["mutating"] == mutating)
            and (since is None or e["seq"] > since)
        ]

    def clear(self):
        with self._lock:
            self._entries.clear()
