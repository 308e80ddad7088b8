#include "app/audit_command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>

#include "app/data_stores.hpp"
#include "auth/session_token.hpp"

namespace berth::app {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr std::size_t kPageSize = 1000;

Error invalid_since(std::string_view text) {
  return make_error(ErrorCode::invalid_argument,
                    "--since '" + std::string(text) +
                        "': expected an RFC 3339 time such as 2026-11-26T10:00:00Z or a duration such as 90m, "
                        "24h, 7d");
}

// Reads exactly `digits` decimal digits at `*pos` into `value`.
bool read_number(std::string_view text, std::size_t& pos, std::size_t digits, int& value) {
  if (pos + digits > text.size()) return false;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + digits, value);
  pos += digits;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view choices) {
  if (pos >= text.size() || choices.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// RFC 3339 §5.6 date-time; the `T` and `Z` may be lower case, and a space may separate date and
// time (§5.6 NOTE). Fractional seconds are dropped: events have whole seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_number(text, pos, 4, year) || !expect(text, pos, "-") || !read_number(text, pos, 2, month) ||
      !expect(text, pos, "-") || !read_number(text, pos, 2, day) || !expect(text, pos, "Tt ") ||
      !read_number(text, pos, 2, hour) || !expect(text, pos, ":") || !read_number(text, pos, 2, minute) ||
      !expect(text, pos, ":") || !read_number(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;
  }
  int offset_minutes = 0;
  if (expect(text, pos, "Zz")) {
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int offset_hour = 0, offset_minute = 0;
    if (!read_number(text, pos, 2, offset_hour) || !expect(text, pos, ":") ||
        !read_number(text, pos, 2, offset_minute) || offset_hour > 23 || offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (offset_hour * 60 + offset_minute);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  // A leap second (60) is accepted as RFC 3339 allows and lands on the next second.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  const auto local = std::chrono::sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     seconds{second} - std::chrono::minutes{offset_minutes};
  return local.time_since_epoch().count();
}

// `<digits><unit>`, unit one of s, m, h, d.
std::optional<seconds> parse_duration(std::string_view text) {
  constexpr std::size_t kMaxDigits = 9;  // keeps the product far from overflow
  if (text.size() < 2 || text.size() - 1 > kMaxDigits) return std::nullopt;
  std::int64_t count = 0;
  const char* end = text.data() + text.size() - 1;
  auto [stop, error] = std::from_chars(text.data(), end, count);
  if (error != std::errc() || stop != end || text.front() == '-' || text.front() == '+') return std::nullopt;
  switch (text.back()) {
    case 's':
      return seconds{count};
    case 'm':
      return std::chrono::minutes{count};
    case 'h':
      return std::chrono::hours{count};
    case 'd':
      return std::chrono::days{count};
    default:
      return std::nullopt;
  }
}

// The value as is when it reads unambiguously in a key=value list, else JSON-quoted.
std::string as_field_value(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \t\"=\\") == std::string_view::npos &&
      std::ranges::all_of(value, [](char c) { return static_cast<unsigned char>(c) >= 0x20; })) {
    return std::string(value);
  }
  return json(value).dump();
}

// The event's claims as an object; {} when the event has none.
nlohmann::ordered_json claims_of(const metadata::AuditEvent& event) {
  auto claims = nlohmann::ordered_json::parse(event.claims_json, nullptr, /*allow_exceptions=*/false);
  return claims.is_object() ? claims : nlohmann::ordered_json::object();
}

Status print_page(metadata::MetadataStore& metadata, metadata::AuditQuery& query, bool as_json, bool& first,
                  std::ostream& out, bool& more) {
  auto page = metadata.list_audit_events(query);
  if (!page.ok()) return std::move(page).error();
  for (const auto& event : *page) {
    if (as_json) {
      out << (first ? "\n  " : ",\n  ") << audit_json(event);
    } else {
      out << audit_line(event) << "\n";
    }
    first = false;
  }
  more = page->size() == query.limit;
  if (!page->empty()) query.after_id = page->back().id;
  return {};
}

}  // namespace

Result<std::int64_t> parse_since(std::string_view text, std::chrono::system_clock::time_point now) {
  if (auto absolute = parse_rfc3339(text)) return *absolute;
  if (auto duration = parse_duration(text)) {
    return std::chrono::duration_cast<seconds>(now.time_since_epoch() - *duration).count();
  }
  return invalid_since(text);
}

std::string format_rfc3339(std::int64_t unix_seconds) {
  const std::chrono::sys_seconds time{seconds{unix_seconds}};
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

std::string audit_line(const metadata::AuditEvent& event) {
  auto or_dash = [](const std::string& value) { return value.empty() ? std::string("-") : as_field_value(value); };
  std::string line = format_rfc3339(event.time_unix) + " " + as_field_value(event.action) + " " +
                     or_dash(event.repository) + " " + or_dash(event.reference);
  auto field = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) line += " " + std::string(key) + "=" + as_field_value(value);
  };
  field("digest", event.digest);
  field("previous", event.previous_digest);
  field("role", event.role_arn);
  field("session", event.role_session_name);
  field("subject", event.subject);
  const auto claims = claims_of(event);
  for (std::string_view name : auth::kAuditedClaims) {
    auto claim = claims.find(name);
    if (claim != claims.end() && claim->is_string()) field(name, claim->get<std::string>());
  }
  field("source", event.source_address);
  return line;
}

std::string audit_json(const metadata::AuditEvent& event) {
  return nlohmann::ordered_json{{"id", event.id},
                                {"time", format_rfc3339(event.time_unix)},
                                {"action", event.action},
                                {"repository", event.repository},
                                {"reference", event.reference},
                                {"digest", event.digest},
                                {"previous_digest", event.previous_digest},
                                {"role_arn", event.role_arn},
                                {"role_session_name", event.role_session_name},
                                {"access_key_id", event.access_key_id},
                                {"source_address", event.source_address},
                                {"issuer", event.issuer},
                                {"subject", event.subject},
                                {"audience", event.audience},
                                {"claims", claims_of(event)}}
      .dump();
}

int print_audit_events(const Settings& settings, const AuditOptions& options, std::ostream& out) {
  metadata::AuditQuery query;
  query.repository = options.repository;
  query.limit = kPageSize;
  if (options.since) {
    auto since = parse_since(*options.since, std::chrono::system_clock::now());
    if (!since.ok()) {
      std::cerr << "berth: " << since.error().message << "\n";
      return 2;
    }
    query.since_unix = *since;
  }
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;

  if (options.json) out << "[";
  bool first = true;
  for (bool more = true; more;) {
    auto printed = print_page(*metadata, query, options.json, first, out, more);
    if (!printed.ok()) {
      // Whatever was printed stays valid JSON, so a consumer sees the events before the failure.
      if (options.json) out << (first ? "]\n" : "\n]\n");
      std::cerr << "berth: " << printed.error().message << "\n";
      return 1;
    }
  }
  if (options.json) out << (first ? "]\n" : "\n]\n");
  return 0;
}

}  // namespace berth::app
