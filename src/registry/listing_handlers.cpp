// GET /v2/<name>/tags/list, GET /v2/_catalog and GET /v2/<name>/referrers/<digest>.
#include <nlohmann/json.hpp>

#include "registry/handlers.hpp"
#include "registry/manifest_parser.hpp"
#include "registry/pagination.hpp"

namespace berth::registry {
namespace {

http::Response page_response(nlohmann::json body, const Page& page, std::string_view path, std::size_t limit) {
  http::Response response = http::Response::json(200, body.dump());
  if (page.more) response.headers.set("Link", next_page_link(path, limit, page.items.back()));
  return response;
}

}  // namespace

// Tags come in byte order ("ASCIIbetical"), which the spec allows alongside case-insensitive order.
HandlerResult ListingHandlers::tags(RegistryRequest& request) {
  const std::string& repository = request.route.repository;
  auto page_request =
      parse_page_request(request.http.query, context_.options.default_page_size, context_.options.max_page_size);
  if (!page_request.ok()) co_return std::move(page_request).error();
  auto page = collect_page(*page_request, [&](std::string_view after, std::size_t limit) {
    return context_.metadata.list_tags(repository, after, limit);
  });
  if (!page.ok()) co_return std::move(page).error();
  nlohmann::json body{{"name", repository}, {"tags", page->items}};
  co_return page_response(std::move(body), *page, "/v2/" + repository + "/tags/list", page_request->limit);
}

// Lists only what the caller may pull, so the catalog reveals no other repository's name; pages
// are counted over that filtered sequence.
HandlerResult ListingHandlers::catalog(http::Request& request, const auth::Caller& caller) {
  auto page_request =
      parse_page_request(request.query, context_.options.default_page_size, context_.options.max_page_size);
  if (!page_request.ok()) co_return std::move(page_request).error();
  auto page = collect_page(
      *page_request,
      [&](std::string_view after, std::size_t limit) { return context_.metadata.list_repositories(after, limit); },
      [&](std::string_view repository) { return context_.access.allows(caller, repository, auth::Action::pull); });
  if (!page.ok()) co_return std::move(page).error();
  nlohmann::json body{{"repositories", page->items}};
  co_return page_response(std::move(body), *page, "/v2/_catalog", page_request->limit);
}

// Every referrer fits in one response, so no Link header is sent.
HandlerResult ListingHandlers::referrers(RegistryRequest& request) {
  auto subject = Digest::parse(request.route.reference);
  if (!subject.ok()) co_return std::move(subject).error();
  std::optional<std::string_view> artifact_type = request.http.query.get("artifactType");
  if (artifact_type && artifact_type->empty()) artifact_type.reset();

  auto records = context_.metadata.referrers(request.route.repository, *subject, artifact_type);
  if (!records.ok()) co_return std::move(records).error();

  auto manifests = nlohmann::ordered_json::array();
  for (const auto& record : *records) {
    nlohmann::ordered_json descriptor{
        {"mediaType", record.media_type}, {"digest", record.digest.str()}, {"size", record.size}};
    if (!record.artifact_type.empty()) descriptor["artifactType"] = record.artifact_type;
    if (!record.annotations_json.empty()) {
      auto annotations = nlohmann::ordered_json::parse(record.annotations_json, nullptr, false);
      if (annotations.is_object() && !annotations.empty()) descriptor["annotations"] = std::move(annotations);
    }
    manifests.push_back(std::move(descriptor));
  }
  nlohmann::ordered_json body{{"schemaVersion", 2}, {"mediaType", kOciIndexType}, {"manifests", std::move(manifests)}};
  http::Response response = http::Response::json(200, body.dump(), std::string(kOciIndexType));
  if (artifact_type) response.headers.set("OCI-Filters-Applied", "artifactType");
  co_return response;
}

}  // namespace berth::registry
