// `berth gc [--dry-run]`: runs garbage collection now, on the data directory, with the ages of the
// `gc` settings block, while `berth serve` may be running. Prints one line per manifest and blob
// deleted (or due, with --dry-run):
//   manifest <repository> <digest>
//   blob <digest> <bytes>
// then a summary line.
#pragma once

#include <chrono>
#include <ostream>

#include "app/settings.hpp"
#include "gc/garbage_collector.hpp"

namespace berth::app {

// The collector's ages from the settings.
gc::GcOptions gc_options(const Settings& settings);

// Exit code: 0 done, 1 a store failed.
int run_gc_command(const Settings& settings, bool dry_run, std::ostream& out, std::chrono::system_clock::time_point now);

}  // namespace berth::app
