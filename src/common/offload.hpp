// Runs blocking work (fsync, rename, database commits) on a worker pool so an io thread keeps
// serving other connections. In Asio 1.74 `co_await post(pool)` does not move the coroutine;
// co_spawn onto the pool does.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <type_traits>
#include <utility>

namespace berth {

// Asio 1.74's co_spawn default-constructs the result on its exception path, which Result<T> has
// not; the result therefore crosses the pool boundary inside a std::optional.
template <typename F>
auto offload(boost::asio::thread_pool& pool, F work) -> boost::asio::awaitable<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  std::optional<R> result = co_await boost::asio::co_spawn(
      pool, [work = std::move(work)]() mutable -> boost::asio::awaitable<std::optional<R>> { co_return work(); },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace berth
