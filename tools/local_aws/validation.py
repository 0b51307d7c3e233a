"""Input validation driven by the botocore service model, worded like AWS (Coral) does.

botocore's client-side validation only checks required members, types and minimums; the
service also enforces maximums, patterns and enums. Clients built with
``parameter_validation=False`` (or other SDKs) reach the server with anything, so the
emulator checks every constraint of the model itself.
"""

import re
import unicodedata

REDACTED = "*** Sensitive Data Redacted ***"


class ApiError(Exception):
    """An AWS error answer: code, HTTP status, message and extra body members."""

    def __init__(self, code, message, status=400, **members):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.members = members


class ValidationError(ApiError):
    def __init__(self, message):
        super().__init__("ValidationException", message, 400)


class SerializationError(ApiError):
    def __init__(self, message):
        super().__init__("SerializationException", message, 400)


def _tag_chars(value):
    # Java's [\p{L}\p{Z}\p{N}_.:/=+\-@]* which Python's re cannot express.
    return all(
        unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in value
    )


_PATTERN_OVERRIDES = {r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)": _tag_chars}
_compiled = {}


def pattern_matches(pattern, value):
    if pattern in _PATTERN_OVERRIDES:
        return _PATTERN_OVERRIDES[pattern](value)
    regex = _compiled.get(pattern)
    if regex is None:
        regex = _compiled[pattern] = re.compile(pattern, re.S)
    return regex.fullmatch(value) is not None


def _camel(name):
    return name[:1].lower() + name[1:]


def _join(path, name):
    return f"{path}.{_camel(name)}" if path else _camel(name)


def _render(value, sensitive):
    if sensitive:
        return REDACTED
    if isinstance(value, list):
        return "[" + ", ".join(_render(v, False) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v, False)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _anchored(pattern):
    return pattern if pattern.startswith("^") else f"^{pattern}$"


class _Checker:
    def __init__(self):
        self.errors = []
        self.type_errors = []

    def fail(self, value, path, constraint, sensitive=False):
        shown = "null" if value is None else f"'{_render(value, sensitive)}'"
        self.errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")

    def scalar_constraints(self, shape, value, sensitive):
        """Constraint messages (without value/path) for one scalar, list or map."""
        meta = shape.metadata
        out = []
        t = shape.type_name
        if t in ("string", "list", "map"):
            size = len(value)
            if "min" in meta and size < meta["min"]:
                out.append(f"Member must have length greater than or equal to {meta['min']}")
            if "max" in meta and size > meta["max"]:
                out.append(f"Member must have length less than or equal to {meta['max']}")
        if t == "string":
            if shape.enum and value not in shape.enum:
                out.append("Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]")
            if "pattern" in meta and not pattern_matches(meta["pattern"], value):
                out.append(f"Member must satisfy regular expression pattern: {_anchored(meta['pattern'])}")
        if t in ("integer", "long"):
            if "min" in meta and value < meta["min"]:
                out.append(f"Member must have value greater than or equal to {meta['min']}")
            if "max" in meta and value > meta["max"]:
                out.append(f"Member must have value less than or equal to {meta['max']}")
        return out

    def type_ok(self, shape, value, path):
        t = shape.type_name
        ok = {
            "structure": lambda v: isinstance(v, dict),
            "map": lambda v: isinstance(v, dict),
            "list": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "timestamp": lambda v: isinstance(v, (int, float, str)) and not isinstance(v, bool),
        }.get(t, lambda v: True)
        if not ok(value):
            self.type_errors.append(f"Expected {t} at '{path}', got {type(value).__name__}")
            return False
        return True

    def check(self, shape, value, path, sensitive=False):
        sensitive = sensitive or bool(shape.metadata.get("sensitive"))
        if shape.metadata.get("document"):
            return
        if not self.type_ok(shape, value, path):
            return
        t = shape.type_name
        if t == "structure":
            for name in shape.required_members:
                if value.get(name) is None:
                    self.fail(None, _join(path, name), "Member must not be null")
            for name, member_value in value.items():
                if name in shape.members and member_value is not None:
                    self.check(shape.members[name], member_value, _join(path, name), sensitive)
            return
        for constraint in self.scalar_constraints(shape, value, sensitive):
            self.fail(value, path, constraint, sensitive)
        if t == "list":
            for i, item in enumerate(value, 1):
                self.check(shape.member, item, f"{path}.{i}.member", sensitive)
        elif t == "map":
            for key, item in value.items():
                if not self.type_ok(shape.key, key, path) or not self.type_ok(shape.value, item, path):
                    continue
                for c in self.scalar_constraints(shape.key, key, False):
                    self.fail(value, path, f"Map keys must satisfy constraint: [{c}]", sensitive)
                for c in self.scalar_constraints(shape.value, item, False):
                    self.fail(value, path, f"Map value must satisfy constraint: [{c}]", sensitive)


def validation_message(errors):
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)


def validate_input(shape, params):
    """Raise SerializationError/ValidationError when params break the model's constraints."""
    checker = _Checker()
    checker.check(shape, params, "")
    if checker.type_errors:
        raise SerializationError(checker.type_errors[0])
    if checker.errors:
        raise ValidationError(validation_message(checker.errors))
