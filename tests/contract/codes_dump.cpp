// Prints the platform's code table as JSON {code: HTTP status}: tests/contract/check_responses.py holds
// the Error400 … Error503 schemas of services/platform/openapi.yaml to exactly these codes.
#include <cstdio>
#include <string>

#include "contract/codes.hpp"
#include "contract/json.hpp"

int main() {
  contract::Json table = contract::Json::object();
  for (const auto& c : contract::all_codes()) table[std::string(c.code)] = c.http_status;
  std::puts(table.dump().c_str());
  return 0;
}
