// The JSON body of an ECR request (JSON 1.1 protocol, interfaces.md §6.1), read strictly: one
// object, no duplicate member names, only the members the operation's model declares, and each of
// the declared type. Every refusal is aws_validation_error (InvalidParameterException) naming the
// member's path, e.g. `imageIds[2].imageTag`. A JSON null reads as an absent member.
//
//   Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"repositoryName", "maxResults"});
//   Result<std::string> name = input->required_string("repositoryName");
//   Result<std::optional<std::int64_t>> max = input->integer("maxResults", 1, 1000);
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace berth::aws {

class EcrJsonInput {
 public:
  using Members = std::initializer_list<std::string_view>;

  // An empty body reads as `{}`, as some SDKs send nothing for operations without input.
  static Result<EcrJsonInput> parse(std::string_view body, Members members);

  // Whether the member is present (and not null).
  bool has(std::string_view member) const { return find(member) != nullptr; }
  Result<std::optional<std::string>> string(std::string_view member) const;
  Result<std::string> required_string(std::string_view member) const;
  Result<std::optional<bool>> boolean(std::string_view member) const;
  Result<std::optional<std::int64_t>> integer(std::string_view member, std::int64_t min, std::int64_t max) const;
  // A list of strings with between `min_items` and `max_items` entries.
  Result<std::optional<std::vector<std::string>>> strings(std::string_view member, std::size_t min_items,
                                                          std::size_t max_items) const;
  Result<std::optional<EcrJsonInput>> object(std::string_view member, Members members) const;
  Result<std::optional<std::vector<EcrJsonInput>>> objects(std::string_view member, Members members,
                                                           std::size_t min_items, std::size_t max_items) const;

  // An aws_validation_error about `member` of this object, in AWS's wording.
  Error invalid(std::string_view member, std::string_view constraint) const;

 private:
  EcrJsonInput(nlohmann::json value, std::string path) : value_(std::move(value)), path_(std::move(path)) {}
  static Result<EcrJsonInput> checked(nlohmann::json value, std::string path, Members members);

  // The member's value, or nullptr when absent or null.
  const nlohmann::json* find(std::string_view member) const;
  std::string path_of(std::string_view member) const;
  Result<const nlohmann::json*> list(std::string_view member, std::size_t min_items, std::size_t max_items) const;

  nlohmann::json value_;
  std::string path_;  // of this object within the body; empty at the top
};

}  // namespace berth::aws
