# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""openlineage_airflow_options: the MWAA AirflowConfigurationOptions that wire the
Apache Airflow OpenLineage provider to an HTTP backend such as Marquez.

Documentation lives in openlineage_airflow_options.yml next to this file.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean

# MWAA AirflowConfigurationOptions rules (botocore model).
_KEY_RE = re.compile(r"^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$")
_KEY_MAX_LEN = 64
_VALUE_RE = re.compile(r"^[ -~]+$")
_VALUE_MAX_LEN = 65536
# Marquez's namespace rule (the strictest OpenLineage consumer we target), also valid for MWAA.
_NAMESPACE_RE = re.compile(r"^[a-zA-Z0-9_\-.:;=/]{1,1024}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?)*$")

DEFAULT_ENDPOINT = "api/v1/lineage"


def _fail(msg):
    raise AnsibleFilterError(f"openlineage_airflow_options: {msg}")


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_url(url, endpoint):
    if not isinstance(url, str) or not url.strip():
        _fail("the input must be the lineage backend's base URL, e.g. http://marquez.internal:5000")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        _fail(f"'{url}' is not a valid URL ({e})")
    if parts.scheme not in ("http", "https"):
        _fail(f"'{url}' must start with http:// or https://")
    if not parts.hostname or not (_HOST_RE.match(parts.hostname) or _is_ip(parts.hostname)):
        _fail(f"'{url}' has no valid host name")
    if parts.username is not None or parts.password is not None:
        _fail("the URL must not carry credentials; pass the key as api_key (kept out of logs)")
    if parts.query or parts.fragment:
        _fail(f"'{url}' must not have a query string or fragment")
    path = parts.path.rstrip("/")
    if path:
        if path.strip("/").endswith(endpoint.strip("/")) or "/api/v1/lineage" in path:
            _fail(
                f"'{url}' already contains the endpoint path '{path}'. Pass only the base URL "
                f"(e.g. {parts.scheme}://{parts.netloc}); the provider appends endpoint='{endpoint}' itself."
            )
        _fail(
            f"'{url}' has a path ('{path}'). The OpenLineage HTTP transport joins url and endpoint with "
            "urljoin, which drops such a path: give scheme://host[:port] and put the full path in endpoint."
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _option_value(key, value):
    if value is None:
        _fail(f"extra['{key}'] is null; MWAA needs a non-empty string")
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = to_text(value)
    return text


def _check_option(key, value):
    if not isinstance(key, str) or not _KEY_RE.match(key) or len(key) > _KEY_MAX_LEN or "." not in key:
        _fail(
            f"option key '{key}' is not valid for MWAA: use lowercase 'section.option' names matching "
            f"{_KEY_RE.pattern}, at most {_KEY_MAX_LEN} characters"
        )
    if not value or len(value) > _VALUE_MAX_LEN or not _VALUE_RE.match(value):
        _fail(
            f"value of '{key}' is not valid for MWAA: it must be 1 to {_VALUE_MAX_LEN} printable ASCII "
            "characters on one line"
        )


def openlineage_airflow_options(
    url,
    namespace=None,
    endpoint=DEFAULT_ENDPOINT,
    timeout=5,
    api_key=None,
    disabled=False,
    extra=None,
):
    """Return MWAA AirflowConfigurationOptions (str -> str) for the OpenLineage provider."""
    if not isinstance(endpoint, str) or not endpoint.strip() or "://" in endpoint or re.search(r"\s", endpoint):
        _fail(f"endpoint must be a relative path such as '{DEFAULT_ENDPOINT}'; got {endpoint!r}")
    endpoint = endpoint.strip()
    base_url = _check_url(url, endpoint)

    if not isinstance(namespace, str) or not namespace:
        _fail("namespace is required, e.g. namespace=project_name ~ '-' ~ env_name")
    if not _NAMESPACE_RE.match(namespace):
        _fail(
            f"namespace '{namespace}' is not a valid OpenLineage/Marquez namespace: use letters, digits "
            "and _ - . : ; = / (at most 1024 characters)"
        )

    if isinstance(timeout, bool):
        _fail("timeout must be a number of seconds, not a boolean")
    try:
        timeout_value = float(timeout)
    except (TypeError, ValueError):
        _fail(f"timeout must be a number of seconds; got {timeout!r}")
    if not math.isfinite(timeout_value) or timeout_value <= 0:
        _fail(f"timeout must be greater than 0 seconds; got {timeout!r}")
    if timeout_value.is_integer():
        timeout_value = int(timeout_value)

    try:
        disabled_value = boolean(disabled, strict=True)
    except TypeError:
        _fail(f"disabled must be a boolean; got {disabled!r}")

    transport = {"type": "http", "url": base_url, "endpoint": endpoint, "timeout": timeout_value}
    if api_key is not None:
        if not isinstance(api_key, str) or not api_key.strip():
            _fail("api_key must be a non-empty string when given")
        transport["auth"] = {"type": "api_key", "apiKey": api_key}

    options = {
        "openlineage.transport": json.dumps(transport, separators=(",", ":")),
        "openlineage.namespace": namespace,
        "openlineage.disabled": "true" if disabled_value else "false",
        "core.load_examples": "false",
    }

    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        _fail(f"extra must be a dictionary of Airflow options; got {type(extra).__name__}")
    for key, value in extra.items():
        options[key] = _option_value(key, value)

    for key, value in options.items():
        _check_option(key, value)
    return options


class FilterModule:
    """OpenLineage helpers for MWAA."""

    def filters(self):
        return {"openlineage_airflow_options": openlineage_airflow_options}
