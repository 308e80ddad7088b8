#include "provision/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/curl_library.hpp"

namespace berth::provision {
namespace {

struct CurlSlistFree {
  const CurlLibrary* library;
  void operator()(curl_slist* list) const { library->slist_free_all(list); }
};
using UniqueSlist = std::unique_ptr<curl_slist, CurlSlistFree>;

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

struct Transfer {
  HttpResponse response;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.response.body.size() + size * count > transfer.limit) {
    transfer.too_large = true;
    return 0;  // anything but size * count makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer.response.body.append(data, size * count);
  return size * count;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = static_cast<Transfer*>(user)->response;
  const std::string_view line(data, size * count);
  // A new status line (after a 100 Continue) starts a new header block.
  if (line.starts_with("HTTP/")) {
    response.headers.clear();
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    response.headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

void set_blob(const CurlLibrary& lib, CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  lib.easy_setopt(curl, option, &blob);
}

void apply_tls(const CurlLibrary& lib, CURL* curl, const TlsOptions& tls) {
  if (!tls.ca_pem.empty()) {
    set_blob(lib, curl, CURLOPT_CAINFO_BLOB, tls.ca_pem);
  } else if (!tls.ca_file.empty()) {
    lib.easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.client_cert_pem.empty()) {
    set_blob(lib, curl, CURLOPT_SSLCERT_BLOB, tls.client_cert_pem);
  } else if (!tls.client_cert_file.empty()) {
    lib.easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  }
  if (!tls.client_key_pem.empty()) {
    set_blob(lib, curl, CURLOPT_SSLKEY_BLOB, tls.client_key_pem);
  } else if (!tls.client_key_file.empty()) {
    lib.easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  }
  lib.easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  lib.easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lower_case_name) const {
  if (auto found = headers.find(std::string(lower_case_name)); found != headers.end()) return found->second;
  return std::nullopt;
}

ErrorCode error_code_for_status(long status) {
  if (status == 401 || status == 403) return ErrorCode::denied;
  if (status == 404) return ErrorCode::not_found;
  if (status == 409) return ErrorCode::conflict;
  if (status == 400 || status == 422) return ErrorCode::invalid_argument;
  if (status >= 500 || status == 429) return ErrorCode::unavailable;
  return ErrorCode::internal;
}

std::string error_message(const HttpResponse& response) {
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  constexpr std::size_t kMaxShown = 200;
  return response.body.substr(0, kMaxShown);
}

Status check_base_url(std::string_view url) {
  const std::string text = lower(url);
  if (text.starts_with("https://") && text.size() > 8) return {};
  for (std::string_view host : {"http://127.0.0.1", "http://localhost"}) {
    if (text.starts_with(host)) {
      const std::string_view rest = std::string_view(text).substr(host.size());
      if (rest.empty() || rest.front() == ':' || rest.front() == '/') return {};
    }
  }
  return make_error(ErrorCode::invalid_argument,
                    "URL " + std::string(url) + " is not https (plain http is allowed only to 127.0.0.1 or localhost)");
}

std::string encode_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string result;
  for (const char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      result += c;
    } else {
      result += '%';
      result += kHex[byte >> 4];
      result += kHex[byte & 0xF];
    }
  }
  return result;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) const {
  BERTH_TRY(check_base_url(request.url));
  Result<CurlEasy> easy = CurlEasy::create();
  if (!easy) return std::move(easy).error();
  const CurlLibrary& lib = easy->library();
  CURL* curl = easy->get();

  UniqueSlist headers(nullptr, CurlSlistFree{&lib});
  for (const auto& header : request.headers) {
    curl_slist* extended = lib.slist_append(headers.get(), header.c_str());
    if (extended == nullptr) return make_error(ErrorCode::internal, "curl_slist_append failed");
    static_cast<void>(headers.release());
    headers.reset(extended);
  }
  // An empty body must still be sent (with Content-Length: 0) for PUT and PATCH.
  const bool has_body =
      !request.body.empty() || request.method == "PUT" || request.method == "PATCH" || request.method == "POST";

  Transfer transfer{.response = {}, .limit = options_.max_body_bytes, .too_large = false};
  lib.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (has_body) {
    lib.easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "GET") {
    lib.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "berth");
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  lib.easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  apply_tls(lib, curl, options_.tls);

  const CURLcode code = lib.easy_perform(curl);
  if (transfer.too_large) {
    return make_error(ErrorCode::unavailable,
                      "response larger than " + std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    return make_error(ErrorCode::unavailable, lib.easy_strerror(code));
  }
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  return std::move(transfer.response);
}

}  // namespace berth::provision
