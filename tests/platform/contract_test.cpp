// The contract library on its own: the code table, error-body decoding, enum names, JSON
// limits, and the renewal proof's bytes (a golden vector computed independently, for the cross-check
// with token/'s builder).
#include <doctest/doctest.h>

#include <set>

#include "contract/codes.hpp"
#include "contract/json.hpp"
#include "foundation/hex.hpp"
#include "reference/crypto.hpp"

using namespace contract;

TEST_CASE("the renewal proof DER: the contract's bytes") {
  Bytes p10 = {0x30, 0x03, 0x02, 0x01, 0x00};
  Bytes nonce(16);
  for (std::size_t i = 0; i < 16; ++i) nonce[i] = static_cast<std::uint8_t>(i);
  Bytes der = reference::renewal_proof_der("R20261125a1b2c3d4e5f6", p10, nonce);
  CHECK(foundation::hex_encode(der) ==
        "30690c1c434e2d43412d4b494f534b2f72656e6577616c2d70726f6f662f76310c1552323032363131323561316232633364"
        "34653566"
        "360420b560833d6f787af46113b96aad4dd5b5d1ae00dccc69cf30cc92bed651c566170410000102030405060708090a0b0c"
        "0d0e0f");
  // A long nonce needs the long length form of the outer SEQUENCE.
  Bytes big = reference::renewal_proof_der(std::string(100, 'R'), p10, Bytes(64, 9));
  CHECK(big[0] == 0x30);
  CHECK(big[1] == 0x81);
  CHECK(big.size() == 3 + big[2]);
}

TEST_CASE("codes: unique, shaped, statuses; message keys follow the code") {
  std::set<std::string_view> seen;
  for (const auto& c : all_codes()) {
    CHECK(seen.insert(c.code).second);
    CHECK(is_code_shaped(c.code));
    CHECK(c.http_status >= 400);
    CHECK(c.http_status < 600);
    CHECK_FALSE(c.what.empty());
    CHECK(message_key_for(c.code) == "error.platform." + std::string(c.code));
  }
  CHECK(find_code(code::kOrderAlreadyPaid)->http_status == 409);
  CHECK(find_code("nope") == nullptr);
  CHECK(all_codes().size() >= 55);
}

TEST_CASE("decode_error_body never fails and never passes a foreign key to the UI") {
  ApiError e = decode_error_body(
      409,
      R"({"code":"order.already_paid","message_key":"error.platform.order.already_paid","detail":"paid"})");
  CHECK(e.code == "order.already_paid");
  CHECK(e.message_key == "error.platform.order.already_paid");
  CHECK(e.detail == "paid");
  CHECK_FALSE(e.retry_after_s.has_value());
  e = decode_error_body(502, "<html>Bad Gateway</html>");
  CHECK(e.code.empty());
  CHECK(e.message_key == key::kServerError);
  e = decode_error_body(418, "");
  CHECK(e.message_key == key::kHttp);
  e = decode_error_body(400, R"({"code":"A B","message_key":"x"})");
  CHECK(e.code.empty());
  e = decode_error_body(
      429,
      R"({"code":"sms.resend_too_soon","message_key":"error.platform.sms.resend_too_soon","retry_after_s":99999999999})");
  REQUIRE(e.retry_after_s.has_value());
  CHECK(*e.retry_after_s <= 86400 * 366);
}

TEST_CASE("enum names round trip; unknown names are refused") {
  for (auto s :
       {OrderStatus::PendingPayment, OrderStatus::Paid, OrderStatus::Issued, OrderStatus::Installed,
        OrderStatus::Closed, OrderStatus::Expired, OrderStatus::NeedsStaff, OrderStatus::RefundRequested}) {
    OrderStatus back{};
    REQUIRE(parse(to_string(s), back));
    CHECK(back == s);
  }
  OrderStatus x = OrderStatus::Paid;
  CHECK_FALSE(parse("PAID", x));
  CHECK(x == OrderStatus::Paid);
  CHECK(is_unfinished(OrderStatus::Paid));
  CHECK(is_unfinished(OrderStatus::Issued));
  CHECK_FALSE(is_unfinished(OrderStatus::NeedsStaff));
  CHECK(is_paid_or_later(OrderStatus::NeedsStaff));
  CHECK_FALSE(is_paid_or_later(OrderStatus::Expired));
}

TEST_CASE("JSON limits and decoder messages") {
  Json j;
  std::string why;
  CHECK_FALSE(parse_json_text(std::string(40, '[') + std::string(40, ']'), j, why));
  CHECK(why == "nested too deeply");
  CHECK(parse_json_text(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})", j,
                        why));  // brackets inside strings
  SmsSent s;
  CHECK_FALSE(decode_text(R"({"resend_after_s":60,"code_length":"6","expires_in_s":300})", s, why));
  CHECK(why == "code_length: must be a whole number");
  Order o;
  CHECK_FALSE(decode_text(R"({"id":"x"})", o, why));
  CHECK(why == "product_id: missing");
  Catalog c;
  CHECK_FALSE(decode_text(R"({"version":"1","projects":[],"brands":[],"products":[{"id":1}]})", c, why));
  CHECK(why.starts_with("products[0]: id"));
  // Every type encodes to what it decodes.
  Order full;
  full.id = "R1";
  full.product_id = "p";
  full.code_url = "weixin://wxpay/bizpayurl?pr=abc";
  full.old_cert_sha256 = std::string(64, 'a');
  full.token = {"Haitai", "HaiKey", "1"};
  full.certificate = Bytes{1, 2, 3};
  full.needs_staff_reason = "pin_locked";
  Order back;
  REQUIRE(decode(encode(full), back, why));
  CHECK(encode(back) == encode(full));
}
