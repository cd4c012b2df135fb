// The addon instance: one per JavaScript environment (main thread or worker). Everything that
// refers to JavaScript values lives here, never in statics, so worker threads stay independent.
#pragma once

#include <napi.h>

#include <unordered_set>

namespace zmq_napi {

class Context;
class Socket;

class Module : public Napi::Addon<Module> {
 public:
  Module(Napi::Env env, Napi::Object exports);
  ~Module();

  Napi::FunctionReference& context_constructor() { return context_constructor_; }
  std::unordered_set<Context*>& contexts() { return contexts_; }
  std::unordered_set<Socket*>& sockets() { return sockets_; }
  Napi::FunctionReference& socket_constructor() { return socket_constructor_; }
  // Running proxies (ProxyJob*, see proxy.cc).
  std::unordered_set<void*>& proxies() { return proxies_; }

 private:
  // Environment teardown: close every socket and context still open while the event loop can
  // still run the poll handles' close callbacks. Node waits for `done` to be called.
  static void OnTeardown(napi_async_cleanup_hook_handle handle, void* data);
  void Teardown();

  Napi::FunctionReference context_constructor_;
  Napi::FunctionReference socket_constructor_;
  std::unordered_set<Context*> contexts_;
  std::unordered_set<Socket*> sockets_;
  std::unordered_set<void*> proxies_;
  napi_async_cleanup_hook_handle cleanup_hook_ = nullptr;
  bool torn_down_ = false;
};

}  // namespace zmq_napi
