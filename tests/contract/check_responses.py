#!/usr/bin/env python3
"""Checks answers of the reference platform against the contract, services/platform/openapi.yaml.

    check_responses.py --spec openapi.yaml [--codes-from PROGRAM] CAPTURE...

CAPTURE is a JSON-lines file, or a directory of them, as the reference platform writes with
KIOSK_CONTRACT_CAPTURE_DIR set: one {method, path, status, content_type, body} per answer. Each answer
must be declared by the contract: its method and path an operation (or else a 404 request.not_found),
its status one of that operation's responses, its body JSON that the response's schema accepts (the
schemas list their required properties and forbid others), and an error's message_key
"error.platform.<code>". With --codes-from, PROGRAM prints the platform's code table as JSON
{code: status}, and the contract's Error400 ... Error503 schemas must list exactly those codes.

Exit status 0 when every answer fits and there was at least one, 1 otherwise. Needs python3-yaml and
python3-jsonschema (Debian's; JSON Schema 2020-12, which OpenAPI 3.1 schemas are).
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import time
import urllib.parse

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover - a set-up problem, said plainly
    sys.exit(f"check_responses: Python module {e.name} is missing: install python3-yaml and "
             "python3-jsonschema (deploy/dev.sh does)")

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class Contract:
    def __init__(self, spec):
        self.spec = spec
        if not str(spec.get("openapi", "")).startswith("3.1"):
            raise ValueError("the contract must be OpenAPI 3.1 (its schemas are JSON Schema 2020-12)")
        self.base = urllib.parse.urlparse(spec["servers"][0]["url"]).path.rstrip("/")
        self.paths = []  # (regex, template, path item)
        for template, item in spec.get("paths", {}).items():
            parts = [("[^/]+" if seg.startswith("{") and seg.endswith("}") else re.escape(seg))
                     for seg in template.split("/")]
            self.paths.append((re.compile("^" + re.escape(self.base) + "/".join(parts) + "$"), template, item))
        self._validators = {}

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f))

    # ---- references
    def lookup(self, ref):
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def deref(self, node):
        """A Reference Object (response, parameter) → what it names."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            node = self.lookup(node["$ref"])
            seen += 1
            if seen > 20:
                raise ValueError("reference loop")
        return node

    def schema(self, node, depth=0):
        """A schema with every $ref replaced by what it names (siblings of a $ref apply alongside it)."""
        if depth > 64:
            raise ValueError("schema references nest too deeply (a loop?)")
        if isinstance(node, dict):
            if "$ref" in node:
                target = self.schema(self.lookup(node["$ref"]), depth + 1)
                rest = {k: self.schema(v, depth + 1) for k, v in node.items() if k != "$ref"}
                return {"allOf": [target], **rest} if rest else target
            return {k: self.schema(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.schema(v, depth + 1) for v in node]
        return node

    def validator(self, key, schema_node):
        v = self._validators.get(key)
        if v is None:
            schema = self.schema(schema_node)
            jsonschema.Draft202012Validator.check_schema(schema)
            v = self._validators[key] = jsonschema.Draft202012Validator(schema)
        return v

    # ---- operations
    def operation(self, method, path):
        """(template, operation) for a request, or (template or None, None) when the contract has none."""
        for rx, template, item in self.paths:
            if rx.match(path):
                return template, item.get(method.lower())
        return None, None

    def operations(self):
        for _, template, item in self.paths:
            for method in METHODS:
                if method in item:
                    yield method.upper(), template, item[method]

    @staticmethod
    def status_key(responses, status):
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in responses:
                return key
        return None

    # ---- one answer
    def check(self, rec):
        """Problems with one captured answer (an empty list when it fits) and what it was counted as."""
        method, path, status = rec.get("method", "?"), rec.get("path", "?"), rec.get("status")
        body = rec.get("body", "")
        if not isinstance(status, int):
            return [f"{method} {path}: the capture has no status"], None
        # HEAD is GET without the body (HTTP); the capture still holds the body GET would send.
        template, op = self.operation("GET" if method == "HEAD" else method, path)
        if op is None:
            # Not in the contract: 404 request.not_found, as the contract says; 400 request.malformed
            # when the request was no HTTP the platform reads (no method, or one it serves nowhere).
            where = f"{method or '(unreadable request)'} {path} → {status} (no such operation in the contract)"
            if status == 400 and method not in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
                want, response = "request.malformed", "BadRequest"
            elif status == 404:
                want, response = "request.not_found", "NotFound"
            else:
                return [f"{where}: must be 404 request.not_found"], None
            problems = self._check_body(where, ("unknown", status), self.spec["components"]["responses"][response],
                                        rec)
            doc = _json_or_none(body)
            if isinstance(doc, dict) and doc.get("code") != want:
                problems.append(f"{where}: code {doc.get('code')!r}, want {want!r}")
            return problems, None
        op_id = op.get("operationId", f"{method} {template}")
        where = f"{method} {template} → {status} ({op_id})"
        key = self.status_key(op.get("responses", {}), status)
        if key is None:
            declared = ", ".join(op.get("responses", {}))
            return [f"{where}: status {status} is not declared (declared: {declared})"], (op_id, status)
        return self._check_body(where, (op_id, key), op["responses"][key], rec), (op_id, status)

    def _check_body(self, where, cache_key, response, rec):
        response = self.deref(response)
        content = response.get("content") or {}
        body = rec.get("body", "")
        if not content:
            return [] if body == "" else [f"{where}: the contract declares no body, got {_short(body)}"]
        ctype = rec.get("content_type")
        if "application/json" not in content:
            # A body that is no JSON (a configuration bundle): its media type must be the declared one.
            if ctype is not None and ctype.split(";")[0].strip() in content:
                return []
            return [f"{where}: the contract declares no application/json body"]
        problems = []
        if ctype is not None and not ctype.split(";")[0].strip() == "application/json":
            problems.append(f"{where}: Content-Type {ctype!r}, want application/json")
        try:
            doc = json.loads(body)
        except (TypeError, ValueError):
            return problems + [f"{where}: the body is not JSON: {_short(body)}"]
        schema = content["application/json"].get("schema")
        if schema is None:
            return problems + [f"{where}: the contract gives no schema for the body"]
        v = self.validator(cache_key, schema)
        for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            at = "/".join(map(str, e.absolute_path)) or "(body)"
            problems.append(f"{where}: {at}: {e.message}")
        if rec.get("status", 0) >= 400 and isinstance(doc, dict) and isinstance(doc.get("code"), str):
            want = "error.platform." + doc["code"]
            if doc.get("message_key") != want:
                problems.append(f"{where}: message_key {doc.get('message_key')!r}, want {want!r}")
        return problems

    # ---- the contract against itself and the code table
    def check_structure(self):
        """Each error response's schema is the Error schema of its own status."""
        problems = []
        for method, template, op in self.operations():
            for key, resp in op.get("responses", {}).items():
                if not key.isdigit() or int(key) < 400:
                    continue
                schema = (self.deref(resp).get("content") or {}).get("application/json", {}).get("schema", {})
                want = f"#/components/schemas/Error{key}"
                if schema.get("$ref") != want:
                    problems.append(f"{method} {template} → {key}: the body schema must be {want}")
        return problems

    def error_codes(self):
        """{code: status} from the Error<status> schemas."""
        codes, problems = {}, []
        for name, schema in self.spec["components"]["schemas"].items():
            m = re.fullmatch(r"Error(\d{3})", name)
            if not m:
                continue
            for code in schema.get("properties", {}).get("code", {}).get("enum", []):
                if code in codes:
                    problems.append(f"code {code} is listed under Error{codes[code]} and {name}")
                codes[code] = int(m.group(1))
        return codes, problems

    def check_codes(self, table):
        in_spec, problems = self.error_codes()
        for code, status in sorted(table.items()):
            if code not in in_spec:
                problems.append(f"code {code} ({status}) of the platform's code table is in no Error schema")
            elif in_spec[code] != status:
                problems.append(f"code {code}: the code table says {status}, the contract Error{in_spec[code]}")
        for code in sorted(set(in_spec) - set(table)):
            problems.append(f"code {code} (Error{in_spec[code]}) is not in the platform's code table")
        return problems


def _json_or_none(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _short(text, n=120):
    text = repr(text)
    return text if len(text) <= n else text[:n] + "…"


def read_captures(paths):
    """(records, problems): every line of every capture file (directories: their *.jsonl)."""
    records, problems = [], []
    files = []
    for p in map(pathlib.Path, paths):
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lines = fh.readlines()
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                if n == len(lines) and not line.endswith("\n"):
                    continue  # the last line of a process killed while writing it: nothing to check
                problems.append(f"{f}:{n}: not a JSON line")
    return records, problems, len(files)


def run(spec_path, captures, codes_from=None, out=sys.stdout):
    started = time.monotonic()
    try:
        contract = Contract.load(spec_path)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as e:
        print(f"check_responses: {spec_path}: {e}", file=out)
        return 1
    problems = contract.check_structure()
    if codes_from:
        table = json.loads(subprocess.run([codes_from], check=True, capture_output=True, text=True).stdout)
        problems += contract.check_codes(table)
    records, read_problems, nfiles = read_captures(captures)
    problems += read_problems
    seen = collections.Counter()
    for rec in records:
        found, counted = contract.check(rec)
        problems += found
        if counted:
            seen[counted] += 1
    if not records:
        problems.append("no answers captured: did the suites run with KIOSK_CONTRACT_CAPTURE_DIR set?")
    ops = {op.get("operationId") for _, _, op in contract.operations()}
    unseen = sorted(o for o in ops if o not in {k[0] for k in seen})
    print(f"check_responses: {len(records)} answers from {nfiles} capture files, "
          f"{len(seen)} (operation, status) pairs, {len(ops) - len(unseen)} of {len(ops)} operations, "
          f"{time.monotonic() - started:.1f} s", file=out)
    if unseen:
        print(f"  operations no test reached: {', '.join(unseen)}", file=out)
    if problems:
        counts = collections.Counter(problems)
        print(f"check_responses: {len(problems)} problems ({len(counts)} distinct):", file=out)
        for text, n in list(counts.items())[:40]:
            print(f"  {text}" + (f"  (×{n})" if n > 1 else ""), file=out)
        if len(counts) > 40:
            print(f"  … and {len(counts) - 40} more", file=out)
        return 1
    print("check_responses: every answer fits the contract", file=out)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", required=True, help="services/platform/openapi.yaml")
    ap.add_argument("--codes-from", help="a program that prints the code table as JSON {code: status}")
    ap.add_argument("captures", nargs="+", help="capture files or directories of *.jsonl")
    a = ap.parse_args(argv)
    return run(a.spec, a.captures, a.codes_from)


if __name__ == "__main__":
    sys.exit(main())
