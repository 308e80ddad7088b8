#include "oidc/strict_json.hpp"

#include <set>
#include <string>
#include <vector>

namespace berth::oidc {

Result<nlohmann::json> parse_json_object(std::string_view text) {
  using nlohmann::json;
  // Member names of each object being read, innermost last.
  std::vector<std::set<std::string, std::less<>>> open_objects;
  bool duplicate = false;
  json::parser_callback_t track_keys = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.back().insert(parsed.get<std::string>()).second) duplicate = true;
        break;
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), track_keys, /*allow_exceptions=*/false);
  if (value.is_discarded()) return make_error(ErrorCode::invalid_argument, "malformed JSON");
  if (duplicate) return make_error(ErrorCode::invalid_argument, "duplicate member name in JSON object");
  if (!value.is_object()) return make_error(ErrorCode::invalid_argument, "JSON value is not an object");
  return value;
}

}  // namespace berth::oidc
