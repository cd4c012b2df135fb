// A libzmq context: its I/O threads and the sockets made in it.
#pragma once

#include <napi.h>

#include <unordered_set>

#include "closable.h"

namespace zmq_napi {

class Module;
class Socket;

class Context : public Napi::ObjectWrap<Context>, public Closable {
 public:
  static Napi::Function Define(Napi::Env env);

  // new Context(shared?: boolean). The shared context is one per process, so that inproc://
  // endpoints connect sockets across worker threads.
  explicit Context(const Napi::CallbackInfo& info);
  ~Context() override;

  void* handle() const { return handle_; }
  bool closed() const { return handle_ == nullptr; }

  void Register(Socket* socket) { sockets_.insert(socket); }
  void Unregister(Socket* socket) { sockets_.erase(socket); }

  // Closes every socket still open in this context and gives up the context: returns the
  // handle for the caller to terminate (see termination.h), or nullptr (the shared context
  // while other environments use it). With `notify`, the sockets' JavaScript owners hear that
  // they were closed.
  void* Release(bool notify);
  // Teardown: Release, the handle left for the caller to terminate.
  void CloseAtTeardown(TeardownWork* work) override;
  void DetachModule() override { module_ = nullptr; }

  // process.exit() ends the process without tearing environments down, so no cleanup hook
  // runs and libzmq's I/O threads would die with messages still queued. An atexit handler
  // closes every open socket and terminates every context instead, honouring linger within
  // the exit timeout. It touches no JavaScript state (the environments are not running).
  static void CloseAllAtProcessExit();

 private:
  Napi::Value GetOption(const Napi::CallbackInfo& info);
  void SetOption(const Napi::CallbackInfo& info);
  void CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);

  Module* module_;
  void* handle_ = nullptr;
  bool shared_ = false;
  std::unordered_set<Socket*> sockets_;
};

}  // namespace zmq_napi
