// How a plan reads: text for people (optionally coloured, for a terminal) and a stable JSON shape
// for machines:
//   {"changes":[{"action":"create|update|delete","address":"...","detail":"..."}],
//    "kept":[{"address":"...","detail":"..."}],
//    "summary":{"create":N,"update":N,"delete":N},
//    "skipped_modules":["main.tf:3:1: module \"x\" ..."],
//    "github_trust":[{"repository":"owner/repo","subject":"repo:owner@65/repo@74:*","pinned":true,
//                     "note":"ids from GitHub"}]}
// Neither ever shows a secret value: details are written by the planner without them.
#pragma once

#include <string>
#include <string_view>

#include "provision/plan.hpp"

namespace berth::provision {

std::string render_plan(const Plan& plan, bool colour);
std::string render_plan_json(const Plan& plan);

// "+", "~" or "-".
std::string_view action_symbol(Action action);

}  // namespace berth::provision
