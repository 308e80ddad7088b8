// `berth serve`: opens the data stores, builds the front doors and runs the HTTP server until
// SIGTERM/SIGINT. Returns the process exit code.
#pragma once

#include "app/settings.hpp"

namespace berth::app {

int serve(const Settings& settings);

}  // namespace berth::app
