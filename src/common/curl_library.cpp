#include "common/curl_library.hpp"

#include <string>

#include "common/shared_library.hpp"

namespace berth {
namespace {

// The soname of Debian's libcurl4 (the OpenSSL build that libcurl4-openssl-dev compiles against).
constexpr const char* kSoname = "libcurl.so.4";

Result<const CurlLibrary*> load() {
  Result<SharedLibrary> handle = SharedLibrary::open(kSoname);
  if (!handle) return std::move(handle).error();
  static CurlLibrary library{};
  handle->bind("curl_easy_init", library.easy_init);
  handle->bind("curl_easy_setopt", library.easy_setopt);
  handle->bind("curl_easy_perform", library.easy_perform);
  handle->bind("curl_easy_getinfo", library.easy_getinfo);
  handle->bind("curl_easy_header", library.easy_header);
  handle->bind("curl_easy_strerror", library.easy_strerror);
  handle->bind("curl_easy_cleanup", library.easy_cleanup);
  handle->bind("curl_slist_append", library.slist_append);
  handle->bind("curl_slist_free_all", library.slist_free_all);
  CURLcode (*global_init)(long) = nullptr;
  handle->bind("curl_global_init", global_init);
  BERTH_TRY(handle->complete());
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return make_error(ErrorCode::unavailable, "curl_global_init failed");
  }
  return &library;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static const Result<const CurlLibrary*> loaded = load();
  return loaded;
}

Result<CurlEasy> CurlEasy::create() {
  Result<const CurlLibrary*> library = curl_library();
  if (!library) return std::move(library).error();
  CURL* handle = (*library)->easy_init();
  if (handle == nullptr) return make_error(ErrorCode::unavailable, "curl_easy_init failed");
  return CurlEasy(*library, handle);
}

}  // namespace berth
