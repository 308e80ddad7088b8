// `berth audit [--repository R] [--since T] [--json]`: who issued which credential and who changed
// which repository's content, oldest first (the events of metadata_store.hpp's AuditEvent).
//
// Text: one line per event, `<time> <action> <repository> <reference>` followed by the known
// fields as key=value (digest, previous, role, session, subject, the audited web identity claims,
// source), values with spaces or quotes JSON-quoted. JSON: one array of objects, streamed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "app/settings.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::app {

struct AuditOptions {
  std::optional<std::string> repository;
  std::optional<std::string> since;  // as given on the command line; see parse_since
  bool json = false;
};

// `--since`: an RFC 3339 time (`2026-11-26T10:00:00Z`, `2026-11-26T11:00:00.5+01:00`) or a duration
// before `now` (`90s`, `90m`, `24h`, `7d`). Returns seconds since the epoch; invalid_argument
// otherwise.
Result<std::int64_t> parse_since(std::string_view text, std::chrono::system_clock::time_point now);

// `2026-11-26T10:00:00Z`.
std::string format_rfc3339(std::int64_t unix_seconds);

// The event as one text line (without the newline), and as a JSON object.
std::string audit_line(const metadata::AuditEvent& event);
std::string audit_json(const metadata::AuditEvent& event);

// Prints every matching event to `out`; errors go to stderr. Exit code: 0 printed, 1 the store
// failed, 2 invalid --since.
int print_audit_events(const Settings& settings, const AuditOptions& options, std::ostream& out);

}  // namespace berth::app
