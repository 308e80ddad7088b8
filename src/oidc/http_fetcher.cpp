#include "oidc/http_fetcher.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "common/curl_library.hpp"

namespace berth::oidc {
namespace {

struct Transfer {
  std::string body;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.body.size() + bytes > transfer.limit) {
    transfer.too_large = true;
    return 0;  // anything but `bytes` makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer.body.append(data, bytes);
  return bytes;
}

Error communication_error(const std::string& url, std::string_view reason) {
  return make_error(ErrorCode::aws_idp_communication_error, "fetching " + url + ": " + std::string(reason));
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::chrono::seconds> response_max_age(const CurlEasy& easy) {
  curl_header* header = nullptr;
  if (easy.library().easy_header(easy.get(), "Cache-Control", 0, CURLH_HEADER, -1, &header) != CURLHE_OK) return std::nullopt;
  const std::size_t amount = header->amount;
  for (std::size_t index = 0; index < amount; ++index) {
    if (index > 0 && easy.library().easy_header(easy.get(), "Cache-Control", index, CURLH_HEADER, -1, &header) != CURLHE_OK) break;
    if (auto max_age = parse_max_age(header->value)) return max_age;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  constexpr std::string_view kDirective = "max-age=";
  while (!cache_control.empty()) {
    const std::size_t comma = cache_control.find(',');
    const std::string_view directive = trim(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
    if (!starts_with_ignoring_case(directive, kDirective)) continue;
    const std::string_view digits = directive.substr(kDirective.size());
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (error != std::errc{} || end != digits.data() + digits.size() || seconds < 0 || digits.empty()) {
      return std::nullopt;
    }
    return std::chrono::seconds(seconds);
  }
  return std::nullopt;
}

CurlHttpFetcher::CurlHttpFetcher(CurlFetcherOptions options) : options_(options) {}

Result<FetchedDocument> CurlHttpFetcher::get(const std::string& url) {
  const bool https = starts_with_ignoring_case(url, "https://");
  if (!https && !(options_.allow_insecure && starts_with_ignoring_case(url, "http://"))) {
    return communication_error(url, options_.allow_insecure ? "not an http(s) URL" : "not an https URL");
  }
  Result<CurlEasy> easy = CurlEasy::create();
  if (!easy) return communication_error(url, easy.error().message);
  const CurlLibrary& lib = easy->library();
  CURL* curl = easy->get();

  Transfer transfer{.body = {}, .limit = options_.max_body_bytes, .too_large = false};
  lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
  lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, options_.allow_insecure ? "http,https" : "https");
  lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts must not use signals in a threaded server
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  lib.easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "berth");

  const CURLcode code = lib.easy_perform(curl);
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return communication_error(url, "response larger than " + std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (code != CURLE_OK) return communication_error(url, lib.easy_strerror(code));

  long status = 0;
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return communication_error(url, "HTTP status " + std::to_string(status));
  return FetchedDocument{.body = std::move(transfer.body), .max_age = response_max_age(*easy)};
}

}  // namespace berth::oidc
