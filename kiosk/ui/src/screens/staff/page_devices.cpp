// 设备检测: five tests. Touch and screen take the whole screen (touch_test.cpp); the KEY reader reads any
// KEY without a login (what the driver, the KEY and its certificates say); the QR code shows a fixed test
// text at a payment code's size, to judge brightness and distance with a phone; the network test lists
// DNS, the TLS link to the platform and the round trip like status items.
//
// Widget keys: staff.devices.touch … staff.devices.network (the tests), staff.devices.back; the KEY
// reader: staff.key.insert, staff.key.staff_note, staff.key.reading, staff.key.error, staff.key.list with
// staff.key.<field>.label/.value; the QR: staff.qr.intro, staff.qr.image, staff.qr.text; the network:
// staff.network.list (staff.net.i …), staff.network.again, staff.network.testing.
#include "staff_common.hpp"

#include "ui/qr.hpp"

namespace ui::staff {
namespace dev_page {

struct TestEntry {
  core::DeviceTest test;
  std::string_view key;
  std::string_view hint;
};
constexpr TestEntry kTests[] = {
    {core::DeviceTest::Touch, "staff.devices.touch", "staff.devices.touch.hint"},
    {core::DeviceTest::Screen, "staff.devices.screen", "staff.devices.screen.hint"},
    {core::DeviceTest::KeyReader, "staff.devices.key", "staff.devices.key.hint"},
    {core::DeviceTest::Qr, "staff.devices.qr", "staff.devices.qr.hint"},
    {core::DeviceTest::Network, "staff.devices.network", "staff.devices.network.hint"},
};

std::string pin_words(Ctx& c, const core::PinFlags& f) {
  std::string out;
  auto add = [&](bool on, std::string_view key) {
    if (!on) return;
    if (!out.empty()) out += ", ";
    out += c.tr(key);
  };
  add(f.locked, "staff.key.pin.locked");
  add(f.final_try, "staff.key.pin.final_try");
  add(f.count_low, "staff.key.pin.count_low");
  add(f.to_be_changed, "staff.key.pin.to_be_changed");
  return out.empty() ? std::string(c.tr("staff.key.pin.ok")) : out;
}

// One "label  value" line of the KEY report, in the list.
void report_row(Ctx& c, std::string_view key, std::string_view label_key, std::string_view label_text,
                const std::string& value, float width, float label_w) {
  const float vw = width - label_w - metric::kGap;
  const std::string shown = tame(c, value, vw, FontRole::Body);
  const float h = std::max(44.0f, paragraph_height(c, shown, vw, FontRole::Body));
  ImRect r = list_row(c, h + kLineGap);
  r.Max.x = r.Min.x + width;
  const ImRect label = cut_left(r, label_w, metric::kGap);
  const std::string k(key);
  text_line(c, k + ".label", label_text.empty() ? c.tr(label_key) : label_text,
            ImRect(label.Min, ImVec2(label.Max.x, label.Min.y + c.fonts.font(FontRole::Body)->FontSize)),
            {FontRole::Body, color::kTextMuted, Align::Left});
  paragraph(c, k + ".value", shown, r, {FontRole::Body, color::kText, Align::Left});
}

void key_report(const core::KeyReport& rep, MaintenanceScratch& s, Ctx& c, const ImRect& area) {
  begin_list(c, "staff.key.list", area, s.key_list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  const float label_w = std::min(280.0f, width * 0.3f);
  auto row = [&](std::string_view key, std::string_view label_key, const std::string& value) {
    report_row(c, key, label_key, {}, value, width, label_w);
  };
  row("staff.key.module", "staff.key.module", rep.module);
  row("staff.key.version", "staff.key.version", rep.library_version);
  row("staff.key.token", "staff.key.token", rep.token.to_string());
  row("staff.key.brand", "staff.key.brand",
      rep.brand_id.empty() ? std::string(c.tr("staff.key.brand_none")) : rep.brand_id);
  row("staff.key.pin", "staff.key.pin", pin_words(c, rep.pin));
  std::string mechs;
  for (const auto& m : rep.mechanisms) mechs += (mechs.empty() ? "" : " ") + m;
  // Many mechanisms: every name is kept (each is a word the line may break after).
  report_row(c, "staff.key.mechanisms", "staff.key.mechanisms", {},
             mechs.empty() ? std::string(c.tr("staff.key.none")) : mechs, width, label_w);
  const std::string certs =
      format(c.tr("staff.key.certificates"), {{"n", std::to_string(rep.certificates.size())}});
  for (std::size_t i = 0; i < rep.certificates.size(); ++i) {
    const core::CertSummary& cert = rep.certificates[i];
    std::string line = format(c.tr("staff.key.cert"), {{"holder", cert.holder},
                                                       {"issuer", cert.issuer},
                                                       {"from", date_cst(cert.not_before)},
                                                       {"to", date_cst(cert.not_after)}});
    line += " · ";
    line += c.tr(cert.has_private_key ? "staff.key.cert_key" : "staff.key.cert_no_key");
    if (!cert.serial_hex.empty()) line += " · " + cert.serial_hex;
    report_row(c, "staff.key.cert." + std::to_string(i), {}, i == 0 ? std::string_view(certs) : " ", line,
               width, label_w);
  }
  if (rep.certificates.empty())
    report_row(c, "staff.key.cert.none", {}, certs, std::string(c.tr("staff.key.none")), width, label_w);
  end_list(c, s.key_list);
}

std::optional<core::Event> key_reader(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area) {
  auto para = [&](std::string_view key, std::string_view text, Rgb colour) {
    paragraph(c, key, text,
              cut_top(area, paragraph_height(c, text, area.GetWidth(), FontRole::Body), metric::kGap),
              {FontRole::Body, colour, Align::Left});
  };
  if (v.by_key) para("staff.key.staff_note", c.tr("staff.key.staff_note"), color::kOnWarning);
  if (v.testing) {
    para("staff.key.reading", c.tr("staff.key.reading"), color::kPrimary);
  } else if (!v.test_error_key.empty()) {
    const std::string_view why = c.tr(v.test_error_key);
    notice(c, "staff.key.error", why, cut_top(area, notice_height(c, why, area.GetWidth()), metric::kGap),
           NoticeKind::Error);
  } else if (v.key_report) {
    key_report(*v.key_report, s, c, area);
  } else {
    para("staff.key.insert", c.tr("staff.key.insert"), color::kText);
  }
  return std::nullopt;
}

void qr_test(Ctx& c, ImRect area) {
  const bool portrait = c.layout.portrait();
  const std::string_view intro = c.tr("staff.qr.intro");
  ImRect text = portrait ? area : cut_right(area, area.GetWidth() * 0.42f, metric::kPad);
  if (portrait) text = cut_top(area, 240.0f, metric::kGap);
  const float h = paragraph_height(c, intro, text.GetWidth(), FontRole::Body);
  paragraph(c, "staff.qr.intro", intro, cut_top(text, h, metric::kGap),
            {FontRole::Body, color::kText, Align::Left});
  text_line(c, "staff.qr.text", kQrTestText, cut_top(text, 64.0f),
            {FontRole::Title, color::kPrimary, Align::Left});
  // The size the payment screen would give a code of this many modules in this room.
  const float side = std::min(area.GetWidth(), area.GetHeight());
  const ImRect box = centered(area, ImVec2(side, side));
  fill(box, color::kSurface, metric::kRounding);
  const Texture t = qr_texture(c, kQrTestText, qr_module_px(kQrTestText, side));
  if (t.valid())
    image(c, "staff.qr.image", t,
          centered(box, ImVec2(static_cast<float>(t.width), static_cast<float>(t.height))));
}

std::optional<core::Event> network(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area,
                                   ImRect row) {
  std::optional<core::Event> out;
  const float w = std::max(260.0f, button_width(c, c.tr("staff.network.again"), FontRole::Body));
  if (button(c, "staff.network.again", cut_right(row, w),
             {ButtonKind::Secondary, FontRole::Body, !v.testing, false}))
    out = core::DeviceTestChosen{core::DeviceTest::Network};
  if (v.testing) {
    text_line(c, "staff.network.testing", c.tr("staff.network.testing"), cut_top(area, 52.0f),
              {FontRole::Body, color::kPrimary, Align::Left});
    return out;
  }
  if (!v.network || v.network->items.empty()) {
    text_line(c, "staff.network.empty", c.tr("staff.network.empty"), cut_top(area, 52.0f),
              {FontRole::Body, color::kTextMuted, Align::Left});
    return out;
  }
  begin_list(c, "staff.network.list", area, s.status_list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  for (std::size_t i = 0; i < v.network->items.size(); ++i) {
    ImRect r = list_row(c, status_item_height(c, v.network->items[i], width));
    r.Max.x = r.Min.x + width;
    status_item(c, "staff.net." + std::to_string(i), v.network->items[i], r);
  }
  end_list(c, s.status_list);
  return out;
}

}  // namespace dev_page

std::optional<core::Event> devices_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c,
                                        ImRect area) {
  std::optional<core::Event> out;
  const bool open = v.test == core::DeviceTest::KeyReader || v.test == core::DeviceTest::Qr ||
                    v.test == core::DeviceTest::Network;
  std::string_view title = "staff.page.devices";
  for (const auto& t : dev_page::kTests)
    if (open && t.test == v.test) title = t.key;
  bool unused = false;
  area = page_head(c, title, area, {}, false, unused);
  result_line(c, v, core::MaintenancePage::Devices, area);
  if (!open) {
    text_line(c, "staff.devices.intro", c.tr("staff.devices.intro"), cut_top(area, 52.0f, metric::kGap),
              {FontRole::Body, color::kText, Align::Left});
    // Two columns of tiles in landscape, one in portrait.
    const bool portrait = c.layout.portrait();
    const int cols = portrait ? 1 : 2;
    const int rows = (static_cast<int>(std::size(dev_page::kTests)) + cols - 1) / cols;
    const float tile_h = std::min(
        200.0f, (area.GetHeight() - metric::kGap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
    const auto lines =
        split_v(ImRect(area.Min, ImVec2(area.Max.x, area.Min.y + tile_h * static_cast<float>(rows) +
                                                        metric::kGap * static_cast<float>(rows - 1))),
                rows, metric::kGap);
    for (std::size_t i = 0; i < std::size(dev_page::kTests); ++i) {
      const auto& t = dev_page::kTests[i];
      const auto cells = split_h(lines[i / static_cast<std::size_t>(cols)], cols, metric::kGap);
      if (tile(c, t.key, t.hint, cells[i % static_cast<std::size_t>(cols)], ButtonKind::Secondary))
        out = core::DeviceTestChosen{t.test};
    }
    return out;
  }
  ImRect back_row = cut_bottom(area, metric::kButtonH, metric::kGap);
  const float bw = std::max(300.0f, button_width(c, c.tr("staff.devices.back"), FontRole::Body));
  if (button(c, "staff.devices.back", cut_left(back_row, bw)))
    out = core::DeviceTestChosen{core::DeviceTest::None};
  if (v.test == core::DeviceTest::KeyReader) {
    dev_page::key_reader(v, s, c, area);
  } else if (v.test == core::DeviceTest::Qr) {
    dev_page::qr_test(c, area);
  } else if (auto e = dev_page::network(v, s, c, area, back_row)) {
    out = std::move(e);
  }
  return out;
}

}  // namespace ui::staff
