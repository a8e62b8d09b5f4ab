#!/usr/bin/env python3
"""The response checker fails on answers that do not fit the contract (and passes ones that do).

    check_responses_test.py OPENAPI_YAML CODES_PROGRAM
"""
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_responses  # noqa: E402

SPEC = CODES = None

ORDER = {
    "id": "R20261125a1b2c3d4e5f6", "product_id": "gov-procurement-haitai-renew", "years": 1, "amount_fen": 0,
    "status": "paid", "created_at": 1790000000, "expires_at": 1790000600, "paid_at": 1790000000, "code_url": "",
    "old_cert_sha256": "ab" * 32, "token": {"manufacturer": "Haitai", "model": "HaiKey", "serial": "1"},
    "needs_staff_reason": None, "needs_staff_next_step": None, "certificate": None, "fapiao_title": None,
    "fapiao_tax_number": None,
}


def rec(method, path, status, body, content_type="application/json"):
    return {"method": method, "path": path, "status": status, "content_type": content_type,
            "body": body if isinstance(body, str) else json.dumps(body)}


def err(code, status_code_key=None, detail=""):
    return {"code": code, "message_key": status_code_key or "error.platform." + code, "detail": detail}


class Checker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.contract = check_responses.Contract.load(SPEC)

    def problems(self, r):
        return self.contract.check(r)[0]

    def assertFits(self, r):
        self.assertEqual(self.problems(r), [])

    def assertProblem(self, r, *fragments):
        found = self.problems(r)
        self.assertTrue(found, "the checker accepted it")
        text = "\n".join(found)
        for f in fragments:
            self.assertIn(f, text)

    def test_answers_that_fit(self):
        self.assertFits(rec("GET", "/v1/orders/R1", 200, ORDER))
        self.assertFits(rec("POST", "/v1/orders", 201, ORDER))
        self.assertFits(rec("GET", "/v1/orders/R1", 404, err("order.not_found")))
        self.assertFits(rec("POST", "/v1/account/logout", 200, {}))
        self.assertFits(rec("POST", "/v1/sms/send", 429, {**err("sms.resend_too_soon"), "retry_after_s": 42}))
        self.assertFits(rec("GET", "/v1/nowhere", 404, err("request.not_found")))
        self.assertFits(rec("DELETE", "/v1/catalog", 404, err("request.not_found")))  # no such method
        self.assertFits(rec("POST", "/v1/dev/certificates/0a1b/revoke", 200, {}))
        self.assertFits(rec("HEAD", "/v1/orders/R1", 200, ORDER))  # HEAD: GET without the body
        self.assertFits(rec("", "", 400, err("request.malformed")))  # not HTTP the platform reads
        self.assertFits(rec("PATCH", "/v1/catalog", 400, err("request.malformed")))  # a method served nowhere

    def test_a_status_the_operation_does_not_declare(self):
        self.assertProblem(rec("GET", "/v1/catalog", 404, err("order.not_found")),
                           "GET /catalog → 404 (catalog): status 404 is not declared")
        self.assertProblem(rec("POST", "/v1/orders", 200, ORDER), "status 200 is not declared")

    def test_a_missing_required_property(self):
        body = {k: v for k, v in ORDER.items() if k != "paid_at"}
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, body), "'paid_at' is a required property")
        self.assertProblem(rec("POST", "/v1/sms/send", 200, {"resend_after_s": 60, "expires_in_s": 300}),
                           "'code_length' is a required property")
        self.assertProblem(rec("POST", "/v1/sms/send", 429, err("sms.hourly_limit")),
                           "'retry_after_s' is a required property")

    def test_an_unknown_property(self):
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "price": 1}), "'price' was unexpected")
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "token": {**ORDER["token"], "pin": "1"}}),
                           "token: Additional properties", "'pin' was unexpected")
        self.assertProblem(rec("POST", "/v1/account/logout", 200, {"ok": True}), "'ok' was unexpected")
        self.assertProblem(rec("GET", "/v1/orders/R1", 404, {**err("order.not_found"), "hint": "x"}),
                           "'hint' was unexpected")

    def test_wrong_types_and_formats(self):
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "years": "1"}), "years: '1' is not of type")
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "status": "PAID"}), "status: 'PAID' is not one of")
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "certificate": "not base64!"}), "certificate:")
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, {**ORDER, "old_cert_sha256": "AB" * 32}),
                           "old_cert_sha256:")

    def test_error_bodies(self):
        # A code under another status than its own, and a message key that is not the code's.
        self.assertProblem(rec("POST", "/v1/orders/R1/close", 409, err("order.not_found")),
                           "POST /orders/{id}/close → 409 (orders.close): code: 'order.not_found' is not one of")
        self.assertProblem(rec("GET", "/v1/orders/R1", 404, err("order.not_found", "error.platform.order.gone")),
                           "message_key 'error.platform.order.gone', want 'error.platform.order.not_found'")
        self.assertProblem(rec("GET", "/v1/orders/R1", 404, {"code": "order.not_found"}),
                           "'message_key' is a required property", "'detail' is a required property")

    def test_bodies_that_are_not_json(self):
        self.assertProblem(rec("GET", "/v1/catalog", 200, "<html>"), "the body is not JSON")
        self.assertProblem(rec("GET", "/v1/catalog", 500, ""), "the body is not JSON")
        self.assertProblem(rec("GET", "/v1/orders/R1", 200, ORDER, "text/plain"), "Content-Type 'text/plain'")

    def test_paths_the_contract_does_not_have(self):
        self.assertProblem(rec("GET", "/v1/nowhere", 200, {}), "no such operation in the contract", "must be 404")
        self.assertProblem(rec("GET", "/v1/nowhere", 404, err("order.not_found")), "want 'request.not_found'")
        self.assertProblem(rec("GET", "/v2/catalog", 200, {}), "no such operation")
        self.assertProblem(rec("DELETE", "/v1/catalog", 400, err("request.malformed")), "must be 404")
        self.assertProblem(rec("", "", 400, err("order.not_found")), "want 'request.malformed'")

    def test_the_code_table(self):
        table = json.loads(subprocess.run([CODES], check=True, capture_output=True, text=True).stdout)
        self.assertGreaterEqual(len(table), 55)
        self.assertEqual(self.contract.check_codes(table), [])
        moved = {**table, "order.not_found": 410}
        self.assertIn("code order.not_found: the code table says 410, the contract Error404",
                      self.contract.check_codes(moved))
        added = {**table, "order.lost": 404}
        self.assertIn("code order.lost (404) of the platform's code table is in no Error schema",
                      self.contract.check_codes(added))
        removed = {k: v for k, v in table.items() if k != "renewal.other_key"}
        self.assertIn("code renewal.other_key (Error409) is not in the platform's code table",
                      self.contract.check_codes(removed))

    def test_the_contract_itself(self):
        self.assertEqual(self.contract.check_structure(), [])
        self.contract.spec["paths"]["/catalog"]["get"]["responses"]["409"] = {"$ref": "#/components/responses/NotFound"}
        try:
            self.assertEqual(self.contract.check_structure(),
                             ["GET /catalog → 409: the body schema must be #/components/schemas/Error409"])
        finally:
            del self.contract.spec["paths"]["/catalog"]["get"]["responses"]["409"]

    def test_the_program(self):
        """End to end: a capture directory with one bad answer fails; without it, passes; empty fails."""
        with tempfile.TemporaryDirectory() as d:
            good = [rec("GET", "/v1/orders/R1", 200, ORDER), rec("GET", "/v1/nowhere", 404, err("request.not_found"))]
            with open(os.path.join(d, "1.jsonl"), "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in good)
            out = io.StringIO()
            self.assertEqual(check_responses.run(SPEC, [d], CODES, out=out), 0, out.getvalue())
            self.assertIn("2 answers from 1 capture files", out.getvalue())
            # A process killed while writing leaves a cut last line: skipped. A bad line elsewhere fails.
            with open(os.path.join(d, "1.jsonl"), "a") as f:
                f.write('{"method": "GET", "pa')
            self.assertEqual(check_responses.run(SPEC, [d], out=io.StringIO()), 0)
            with open(os.path.join(d, "1.jsonl"), "a") as f:
                f.write('th"\n' + json.dumps(good[0]) + "\n")
            out = io.StringIO()
            self.assertEqual(check_responses.run(SPEC, [d], out=out), 1)
            self.assertIn("1.jsonl:3: not a JSON line", out.getvalue())
            os.remove(os.path.join(d, "1.jsonl"))
            with open(os.path.join(d, "1.jsonl"), "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in good)
            with open(os.path.join(d, "2.jsonl"), "w") as f:
                f.write(json.dumps(rec("POST", "/v1/kiosk/heartbeat", 200,
                                       {"kiosk_id": "k", "server_time": 1, "config_version": 1, "x": 1})) + "\n")
            r = subprocess.run([sys.executable, check_responses.__file__, "--spec", SPEC, d],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("POST /kiosk/heartbeat → 200 (kiosk.heartbeat): (body): Additional properties", r.stdout)
        with tempfile.TemporaryDirectory() as d:
            out = io.StringIO()
            self.assertEqual(check_responses.run(SPEC, [d], out=out), 1)
            self.assertIn("no answers captured", out.getvalue())


if __name__ == "__main__":
    SPEC, CODES = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=1)
