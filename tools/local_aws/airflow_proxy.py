"""Where MWAA InvokeRestApi calls go: a local Airflow API server or canned answers.

Real MWAA forwards InvokeRestApi to the environment's web server (``/api/v1`` on
Airflow 2, ``/api/v2`` on Airflow 3). Here a test points an environment at an Airflow
api-server it started on the loopback interface, or gives fixed answers per path.
"""

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ConfigError(ValueError):
    pass


def _as_query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class AirflowTarget:
    """One environment's InvokeRestApi destination."""

    def __init__(self, config):
        if not isinstance(config, dict):
            raise ConfigError("the Airflow target must be a JSON object")
        self.config = dict(config)
        self.responses = config.get("responses")
        self.base_url = config.get("base_url")
        if (self.base_url is None) == (self.responses is None):
            raise ConfigError("give exactly one of base_url (forwarding) or responses (canned answers)")
        if self.responses is not None:
            if not isinstance(self.responses, dict):
                raise ConfigError("responses must map 'METHOD /path' (or 'METHOD *', or '*') to {status, body}")
            for key, answer in self.responses.items():
                if not isinstance(answer, dict) or not isinstance(answer.get("status", 200), int):
                    raise ConfigError(f"responses[{key!r}] must be an object with an integer status")
        else:
            parsed = urllib.parse.urlsplit(self.base_url)
            if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK_HOSTS:
                raise ConfigError("base_url must be http(s) on the loopback interface (127.0.0.1, localhost or ::1)")
            self.base_url = self.base_url.rstrip("/")
        self.api_prefix = config.get("api_prefix")
        self.headers = dict(config.get("headers") or {})
        self.username = config.get("username")
        self.password = config.get("password")
        self.auth = config.get("auth")  # "token" (Airflow 3), "basic" (Airflow 2) or None
        if self.auth not in (None, "token", "basic", "none"):
            raise ConfigError("auth must be token, basic or none")
        self.timeout = float(config.get("timeout", 30))
        self._token = None
        self._lock = threading.Lock()

    def describe(self):
        shown = {k: v for k, v in self.config.items() if k != "password"}
        if "password" in self.config:
            shown["password"] = "***"
        return shown

    def invoke(self, airflow_version, method, path, query, body):
        """(HTTP status, decoded JSON or text body or None)."""
        if self.responses is not None:
            for key in (f"{method} {path}", f"{method} *", "*"):
                if key in self.responses:
                    answer = self.responses[key]
                    return answer.get("status", 200), answer.get("body")
            return 404, {"title": "Not Found", "detail": f"no canned answer for {method} {path}", "status": 404}
        return self._forward(airflow_version, method, path, query, body)

    def _auth_mode(self, airflow_version):
        if self.auth is not None:
            return self.auth
        if self.username is None:
            return "none"
        return "token" if airflow_version.startswith("3.") else "basic"

    def _fetch_token(self):
        request = urllib.request.Request(
            f"{self.base_url}/auth/token", method="POST",
            data=json.dumps({"username": self.username, "password": self.password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec - loopback only
            return json.loads(response.read())["access_token"]

    def _forward(self, airflow_version, method, path, query, body, retry=True):
        prefix = self.api_prefix
        if prefix is None:
            prefix = "/api/v2" if airflow_version.startswith("3.") else "/api/v1"
        url = self.base_url + prefix + (path if path.startswith("/") else "/" + path)
        if query:
            pairs = []
            for key, value in query.items():
                values = value if isinstance(value, list) else [value]
                pairs.extend((key, _as_query_value(v)) for v in values)
            url += "?" + urllib.parse.urlencode(pairs)
        headers = {"Accept": "application/json", **self.headers}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        mode = self._auth_mode(airflow_version)
        if mode == "basic":
            pair = f"{self.username}:{self.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif mode == "token":
            with self._lock:
                if self._token is None:
                    self._token = self._fetch_token()
                headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec - loopback only
                return response.status, _decode(response.read())
        except urllib.error.HTTPError as err:
            if err.code == 401 and mode == "token" and retry:
                with self._lock:
                    self._token = None
                return self._forward(airflow_version, method, path, query, body, retry=False)
            return err.code, _decode(err.read())


def _decode(raw):
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
