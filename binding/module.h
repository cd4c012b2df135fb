// The addon instance: one per JavaScript environment (main thread or worker). Everything that
// refers to JavaScript values lives here, never in statics, so worker threads stay independent.
#pragma once

#include <napi.h>
#include <zmq.h>

#include <array>
#include <memory>
#include <unordered_set>

#include "closable.h"
#include "poller.h"

namespace zmq_napi {

class ThreadPollerHub;
class ZeroCopyNotifier;

class Module : public Napi::Addon<Module> {
 public:
  Module(Napi::Env env, Napi::Object exports);
  ~Module();

  Napi::FunctionReference& context_constructor() { return context_constructor_; }
  // ZmqError (src/errors.ts), once setErrorClass() has handed it over; empty before.
  Napi::FunctionReference& error_constructor() { return error_constructor_; }

  // Poll handles close asynchronously. Under Node the environment's teardown waits (through an
  // async cleanup hook) until every one has closed: Node unloads a worker's addons right after,
  // and a close callback must not run in unloaded code.
  // A poller for a socket's ZMQ_FD: libuv's, or the Node-API-only one after useThreadPoller()
  // (runtimes without uv_poll). Returns nullptr with errno set on failure.
  Poller* CreatePoller(zmq_fd_t fd, Poller::Listener* listener);

  // Returns the argument for PollerClosed, counting one more poller that is closing.
  void* PollerClosing();
  static void PollerClosed(void* gate);
  Napi::FunctionReference& socket_constructor() { return socket_constructor_; }
  // This environment's ZeroCopyFrame releases (zero_copy_frame.h), made on first use; throws
  // where the runtime cannot support zero-copy frames.
  ZeroCopyNotifier* zero_copy_notifier();
  // What teardown closes (closable.h): registered while open, unregistered when closed.
  void Register(Closable* closable) { closables(closable->closable_kind()).insert(closable); }
  void Unregister(Closable* closable) { closables(closable->closable_kind()).erase(closable); }

 private:
  // Environment teardown: close every socket and context still open, while the event loop
  // can still run the poll handles' close callbacks. Synchronous by default (Deno double-frees
  // async hook handles); useAsyncTeardown() switches Node to the async hook.
  static void OnTeardown(void* data);
  static void OnAsyncTeardown(napi_async_cleanup_hook_handle handle, void* data);
  void UseAsyncTeardown(const Napi::CallbackInfo& info);
  void UseThreadPoller(const Napi::CallbackInfo& info);
  void SetErrorClass(const Napi::CallbackInfo& info);
  void FinishAsyncTeardown();
  void Teardown();
  std::unordered_set<Closable*>& closables(Closable::Kind kind) {
    return closables_[static_cast<size_t>(kind)];
  }

  Napi::FunctionReference context_constructor_;
  Napi::FunctionReference socket_constructor_;
  Napi::FunctionReference error_constructor_;
  // By kind, in teardown order.
  std::array<std::unordered_set<Closable*>, Closable::kKinds> closables_;
  napi_env env_;
  // Which cleanup hook the runtime will call: the synchronous one, or (Node) the async one.
  bool hook_registered_ = false;
  napi_async_cleanup_hook_handle async_hook_ = nullptr;
  // kOpen until Teardown; kTornDown after; kTornDownInAsyncHook when the async hook did it and
  // waits for the poll handles to finish closing (FinishAsyncTeardown).
  enum class Phase { kOpen, kTornDown, kTornDownInAsyncHook };
  Phase phase_ = Phase::kOpen;
  // Outlives the module while poll handles are still closing (see PollerClosing).
  struct TeardownGate {
    Module* module = nullptr;
    int closing = 0;
  };
  TeardownGate* gate_;
  bool use_thread_poller_ = false;
  // Never freed once created: queued thread-safe calls may still name it at teardown.
  ThreadPollerHub* hub_ = nullptr;
  ZeroCopyNotifier* zero_copy_notifier_ = nullptr;
};

}  // namespace zmq_napi
