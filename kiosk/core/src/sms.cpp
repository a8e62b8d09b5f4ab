// 【获取验证码】 and its answers, one logic for every form that asks for an SMS code: the renewal's phone
// step, the login (by code, or the default password's code) and a changed phone in 个人信息.
#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core::detail {

void get_code(Ctx& c, PhoneStep& p, const std::string& phone, SmsPurpose purpose) {
  if (p.sms == SmsState::Sending || p.sms == SmsState::Verifying || c.m.now < p.resend_at) return;
  if (!valid_phone(phone)) {
    p.error_key = std::string(msg::kPhoneErrorFormat);
    return;
  }
  if (p.phone != phone) p.code_sent_once = false;  // a code for another number does not count
  p.phone = phone;
  p.error_key.clear();
  p.sms = SmsState::Sending;
  c.fx.push_back(SendSms{phone, purpose});
}

void code_sent(const Model& m, PhoneStep& p, const SmsSent& e) {
  p.sms = SmsState::Sent;
  p.code_sent_once = true;
  p.code_length = e.code_length;
  p.resend_at = m.now + e.resend_after_s * kSecond;
}

void code_not_sent(const Model& m, PhoneStep& p, const SmsFailed& e) {
  p.sms = p.code_sent_once ? SmsState::Sent : SmsState::None;
  p.error_key = e.error_key;
  if (e.retry_after_s > 0) p.resend_at = m.now + e.retry_after_s * kSecond;
}

}  // namespace core::detail
