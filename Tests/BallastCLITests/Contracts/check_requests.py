"""Checks recorded HTTP requests against botocore's service models.

Reads JSON lines on stdin, one request each: {"method", "target" (path and query),
"headers" (lower-case names), "body" (base64)}. Prints one line per violation,
naming the operation and the member, and exits 1 if there was any.
Checked: the operation exists; required members are present; no unknown members;
types, enums, string patterns and min/max limits hold; operations whose model
says requestChecksumRequired carry Content-MD5 or an x-amz-checksum-* header
(and Content-MD5 is right); idempotencyToken members are sent.
"""
import base64, hashlib, json, re, sys, urllib.parse
import xml.etree.ElementTree as ET
import botocore.session

SERVICES = {"logs": "logs", "dynamodb": "dynamodb", "ecs": "ecs", "application-autoscaling": "application-autoscaling",
            "lambda": "lambda", "kms": "kms", "secretsmanager": "secretsmanager", "events": "events",
            "timestream": "timestream-write", "autoscaling": "autoscaling", "monitoring": "cloudwatch", "rds": "rds",
            "sts": "sts", "cloudformation": "cloudformation", "s3": "s3", "iam": "iam", "sqs": "sqs", "wafv2": "wafv2",
            "apigateway": "apigateway,apigatewayv2", "budgets": "budgets",
            "elasticache": "elasticache", "cloudcontrolapi": "cloudcontrol", "cloudtrail": "cloudtrail"}
session = botocore.session.get_session()
models = {}


def model(name):
    if name not in models:
        models[name] = session.get_service_model(name)
    return models[name]


def scalar(shape, text):
    """A form, URI, header or XML string as the shape's type."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("double", "float"):
            return float(text)
        if kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
    except ValueError:
        return ("not a valid " + kind, text)
    return text


def unflatten_query(shape, params, prefix):
    """The query protocol's `A.member.1`, `B.entry.1.key` form back into a structure."""
    out = {}
    consumed = set()
    for name, member in shape.members.items():
        key = prefix + member.serialization.get("name", name)
        value, used = query_value(member, params, key)
        consumed |= used
        if value is not None:
            out[name] = value
    return out, consumed


def query_value(shape, params, key):
    if shape.type_name == "structure":
        value, used = unflatten_query(shape, params, key + ".")
        return (value or None), used
    if shape.type_name == "list":
        item_key = key if shape.serialization.get("flattened") else key + "." + shape.member.serialization.get("name", "member")
        items, used, index = [], set(), 1
        while True:
            value, got = query_value(shape.member, params, f"{item_key}.{index}")
            if value is None:
                break
            items.append(value)
            used |= got
            index += 1
        if key in params and params[key] == "":
            used.add(key)
        return (items if items or key in params else None), used
    if shape.type_name == "map":
        entries, used, index = {}, set(), 1
        while f"{key}.entry.{index}.key" in params:
            k = params[f"{key}.entry.{index}.key"]
            v, got = query_value(shape.value, params, f"{key}.entry.{index}.value")
            entries[k] = v
            used |= got | {f"{key}.entry.{index}.key"}
            index += 1
        return (entries or None), used
    if key in params:
        return scalar(shape, params[key]), {key}
    return None, set()


def xml_value(shape, element):
    if shape.type_name == "structure":
        out = {}
        known = {m.serialization.get("name", n): (n, m) for n, m in shape.members.items()}
        for child in element:
            tag = child.tag.split("}")[-1]
            if tag not in known:
                out.setdefault("__unknown__", []).append(tag)
                continue
            name, member = known[tag]
            if member.type_name == "list" and member.serialization.get("flattened"):
                out.setdefault(name, []).append(xml_value(member.member, child))
            else:
                out[name] = xml_value(member, child)
        return out
    if shape.type_name == "list":
        return [xml_value(shape.member, child) for child in element]
    return scalar(shape, element.text or "")


def check(shape, value, path, problems):
    """Required, unknown, type, enum, pattern and min/max, recursively."""
    kind = shape.type_name
    if isinstance(value, tuple):
        problems.append(f"{path}: {value[0]} ({value[1]!r})")
        return
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a structure")
            return
        for tag in value.pop("__unknown__", []):
            problems.append(f"{path}.{tag}: not a member of {shape.name}")
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required, missing")
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                check(shape.members[name], item, f"{path}.{name}", problems)
        return
    if kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        limits(shape, len(value), path, problems, "items")
        for index, item in enumerate(value):
            check(shape.member, item, f"{path}[{index}]", problems)
        return
    if kind == "map":
        for key, item in (value or {}).items():
            check(shape.key, key, f"{path}.<key>", problems)
            check(shape.value, item, f"{path}.{key}", problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {value!r}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        limits(shape, len(value), path, problems, "characters")
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                if not re.fullmatch(pattern, value, re.S):
                    problems.append(f"{path}: {value!r} does not match {pattern}")
            except re.error:
                pass  # a Java-only construct: not checked here
        return
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
            return
        limits(shape, value, path, problems, "")
        return
    if kind == "boolean" and not isinstance(value, bool):
        problems.append(f"{path}: expected a boolean, got {value!r}")
    if kind in ("double", "float") and not isinstance(value, (int, float)):
        problems.append(f"{path}: expected a number, got {value!r}")


def limits(shape, size, path, problems, unit):
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        problems.append(f"{path}: {size} {unit} is under the minimum {low}".replace("  ", " "))
    if high is not None and size > high:
        problems.append(f"{path}: {size} {unit} is over the maximum {high}".replace("  ", " "))


def template_regex(template):
    """`/2015-03-31/functions/{FunctionName}/configuration` as a regular expression with named labels."""
    out = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            out += f"(?P<{name.rstrip('+')}>" + (".+" if name.endswith("+") else "[^/]+") + ")"
        else:
            out += re.escape(part)
    return out


def rest_operation(service, method, path):
    """Operations whose method and URI template match, with their URI labels and fixed query keys."""
    for name in service.operation_names:
        op = service.operation_model(name)
        if op.http.get("method") != method:
            continue
        template, _, fixed = op.http["requestUri"].partition("?")
        try:
            match = re.fullmatch(template_regex(template), path)
        except re.error:
            continue  # a template Python cannot name its labels in (a label used twice): not ours
        if match:
            yield op, {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}, [q for q in fixed.split("&") if q]


def from_wire(shape, value):
    """A JSON body as the model names its members: botocore writes a member under its
    `locationName` when it has one (apigatewayv2's `accessLogSettings` is `AccessLogSettings`)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        names = {member.serialization.get("name", name): name for name, member in shape.members.items()}
        return {names.get(key, key): from_wire(shape.members.get(names.get(key, key)), item)
                for key, item in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [from_wire(shape.member, item) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: from_wire(shape.value, item) for key, item in value.items()}
    return value


def params_of(service, request):
    method, target = request["method"], request["target"]
    headers, body = request["headers"], base64.b64decode(request["body"])
    path, _, query = target.partition("?")
    # The request says which of the service's protocols it speaks (newer models list several).
    if "x-amz-target" in headers:
        protocol = "json"
    elif headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        protocol = "query"
    else:
        protocol = service.metadata["protocol"]
    if protocol == "json":
        op = service.operation_model(headers["x-amz-target"].split(".")[-1])
        return op, from_wire(op.input_shape, json.loads(body or b"{}"))
    if protocol == "query":
        form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        op = service.operation_model(form.pop("Action"))
        form.pop("Version", None)
        value, used = unflatten_query(op.input_shape, form, "")
        for extra in sorted(set(form) - used):
            value.setdefault("__unknown__", []).append(extra)
        return op, value
    query_items = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    candidates = []
    for op, labels, required_query in rest_operation(service, method, path):
        if all(q.split("=")[0] in query_items for q in required_query):
            # The most specific match; an operation AWS deprecated (PutBucketLifecycle) loses a tie.
            candidates.append((len(required_query), not op.deprecated, op.name, op, labels))
    if not candidates:
        raise KeyError(f"{method} {path}")
    *_, op, labels = max(candidates, key=lambda c: c[:3])
    value = {}
    shape = op.input_shape
    for name, member in (shape.members.items() if shape else []):
        where, wire = member.serialization.get("location"), member.serialization.get("name", name)
        if where == "uri" and wire in labels:
            value[name] = scalar(member, labels[wire])
        elif where == "querystring" and wire in query_items:
            value[name] = scalar(member, query_items[wire])
        elif where == "header" and wire.lower() in headers:
            value[name] = scalar(member, headers[wire.lower()])
    payload = shape.serialization.get("payload") if shape else None
    if body and protocol == "rest-json":
        value.update(from_wire(shape, json.loads(body)))
    elif body and payload:
        member = shape.members[payload]
        value[payload] = xml_value(member, ET.fromstring(body)) if member.type_name == "structure" else body.decode()
    return op, value


def main():
    problems, checked = [], 0
    for line in sys.stdin:
        request = json.loads(line)
        headers = request["headers"]
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("authorization", ""))
        if not scope:
            continue  # moto's own API
        if scope.group(1) not in SERVICES:
            problems.append(f"{scope.group(1)}: a signing name this checker has no botocore model for")
            continue
        # A signing name may cover several models (API Gateway's REST and HTTP APIs): the first
        # whose operations take the request is its.
        found_op = None
        for name in SERVICES[scope.group(1)].split(","):
            service = model(name)
            try:
                found_op = params_of(service, request)
                break
            except KeyError as missing:
                unmatched = missing
        if found_op is None:
            problems.append(f"{service.service_name}: no operation for {unmatched}")
            continue
        op, value = found_op
        checked += 1
        found = []
        if op.input_shape is not None:
            check(op.input_shape, value, op.name, found)
        if op.http_checksum.get("requestChecksumRequired"):
            md5 = headers.get("content-md5")
            if not md5 and not any(h.startswith("x-amz-checksum-") for h in headers):
                found.append(f"{op.name}: requestChecksumRequired, but no Content-MD5 or x-amz-checksum-* header")
            elif md5 and md5 != base64.b64encode(hashlib.md5(base64.b64decode(request["body"])).digest()).decode():
                found.append(f"{op.name}: Content-MD5 does not match the body")
        if op.input_shape is not None and not op.name.startswith(("Describe", "Get", "List")):
            for name, member in op.input_shape.members.items():
                if member.metadata.get("idempotencyToken") and name not in value:
                    found.append(f"{op.name}.{name}: an idempotencyToken, not sent")
        problems += [f"{service.service_name} {p}" for p in found]
    for problem in problems:
        print(problem)
    print(f"checked {checked} requests", file=sys.stderr)
    sys.exit(1 if problems else 0)


main()
