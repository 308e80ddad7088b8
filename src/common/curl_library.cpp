#include "common/curl_library.hpp"

#include <dlfcn.h>

#include <string>

namespace berth {
namespace {

// The soname of Debian's libcurl4 (the OpenSSL build that libcurl4-openssl-dev compiles against).
constexpr const char* kSoname = "libcurl.so.4";

// Sets `out` to the symbol; remembers the first one missing, so one error names it.
template <typename Function>
void bind(void* library, const char* symbol, Function*& out, std::string& missing) {
  out = reinterpret_cast<Function*>(dlsym(library, symbol));
  if (out == nullptr && missing.empty()) missing = symbol;
}

Result<const CurlLibrary*> load() {
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return make_error(ErrorCode::unavailable, std::string("cannot load ") + kSoname + ": " + (reason ? reason : "?"));
  }
  // Never unloaded: handles and global state live as long as the process.
  static CurlLibrary library{};
  std::string missing;
  bind(handle, "curl_easy_init", library.easy_init, missing);
  bind(handle, "curl_easy_setopt", library.easy_setopt, missing);
  bind(handle, "curl_easy_perform", library.easy_perform, missing);
  bind(handle, "curl_easy_getinfo", library.easy_getinfo, missing);
  bind(handle, "curl_easy_header", library.easy_header, missing);
  bind(handle, "curl_easy_strerror", library.easy_strerror, missing);
  bind(handle, "curl_easy_cleanup", library.easy_cleanup, missing);
  bind(handle, "curl_slist_append", library.slist_append, missing);
  bind(handle, "curl_slist_free_all", library.slist_free_all, missing);
  CURLcode (*global_init)(long) = nullptr;
  bind(handle, "curl_global_init", global_init, missing);
  if (!missing.empty()) {
    return make_error(ErrorCode::unavailable, std::string(kSoname) + " has no symbol " + missing);
  }
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
