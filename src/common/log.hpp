// Structured logging: one line per event, as `text` (message key=value ...) or `json` (one object).
// Values are escaped by the logger; callers never format secrets into messages (credentials are
// passed only as redacted fields, if at all).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace berth::log {

enum class Format { text, json };
enum class Level { debug, info, warn, error };

struct Field {
  std::string_view key;
  std::string value;
};

// Call once at start-up; before it, events go to stderr as text at info level.
void init(Format format, Level level);
bool parse_format(std::string_view text, Format& out);
bool parse_level(std::string_view text, Level& out);
bool enabled(Level level);

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::error, m, f); }

}  // namespace berth::log
