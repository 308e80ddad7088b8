// What every target shares: cutting one fuzz input into the values its parser takes, and an
// invariant check that libFuzzer records as a crash, so wrong answers are found, not only crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace berth::fuzz {

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The first byte, consumed; 0 once the input is used up, so short inputs still select a mode.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto first = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return first;
  }

  // Up to the next '\n' (consumed), or everything left.
  std::string_view line() {
    const auto end = rest_.find('\n');
    const std::string_view out = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
    return out;
  }

  bool empty() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// abort() is what libFuzzer saves a crasher for; the message says which invariant broke.
inline void check(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
  std::abort();
}

}  // namespace berth::fuzz
