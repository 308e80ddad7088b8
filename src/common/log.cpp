#include "common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>

namespace berth::log {
namespace {

std::atomic<Format> g_format{Format::text};
std::atomic<Level> g_level{Level::info};

std::shared_ptr<spdlog::logger> make_logger() {
  // stderr, unsynchronised per line by spdlog's mutex sink; the pattern is the raw line we build.
  auto logger = std::make_shared<spdlog::logger>("berth", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = make_logger();
  return *instance;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

void append_json_string(std::string& out, std::string_view value) {
  out += '"';
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(millis));
  return buffer;
}

}  // namespace

void init(Format format, Level level) {
  g_format = format;
  g_level = level;
}

bool parse_format(std::string_view text, Format& out) {
  if (text == "text") { out = Format::text; return true; }
  if (text == "json") { out = Format::json; return true; }
  return false;
}

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug") { out = Level::debug; return true; }
  if (text == "info") { out = Level::info; return true; }
  if (text == "warn") { out = Level::warn; return true; }
  if (text == "error") { out = Level::error; return true; }
  return false;
}

bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(128);
  if (g_format.load(std::memory_order_relaxed) == Format::json) {
    line += "{\"time\":\"";
    line += timestamp();
    line += "\",\"level\":\"";
    line += level_name(level);
    line += "\",\"msg\":";
    append_json_string(line, message);
    for (const Field& field : fields) {
      line += ',';
      append_json_string(line, field.key);
      line += ':';
      append_json_string(line, field.value);
    }
    line += '}';
  } else {
    line += timestamp();
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += message;
    for (const Field& field : fields) {
      line += ' ';
      line += field.key;
      line += '=';
      if (needs_quotes(field.value)) {
        append_json_string(line, field.value);
      } else {
        line += field.value;
      }
    }
  }
  logger().log(spdlog::level::info, line);
}

}  // namespace berth::log
