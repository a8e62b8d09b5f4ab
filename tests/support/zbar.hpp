// What a real QR decoder (zbarimg, Debian zbar-tools) reads in a PNG: the payment screen's QR must scan.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace testsupport {

// The first code's text, without the trailing newline; empty when zbarimg finds none or is missing.
inline std::string zbar(const std::filesystem::path& png) {
  const std::string cmd = "zbarimg --raw -q '" + png.string() + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {};
  std::string s;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) s.append(buf, n);
  if (pclose(p) != 0) return {};
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace testsupport
