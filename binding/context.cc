#include "context.h"

#include <zmq.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "errors.h"
#include "module.h"
#include "socket.h"
#include "termination.h"

namespace zmq_napi {

namespace {

// The process-wide context, shared by every environment (main thread and workers) and
// counted by them: the last environment to go terminates it, so queued messages honour
// linger at process exit.
struct SharedContext {
  std::mutex mutex;
  void* handle = nullptr;
  int users = 0;
};
SharedContext& Shared() {
  static SharedContext* shared = new SharedContext();  // Never destroyed: outlives every env.
  return *shared;
}

void* AcquireShared() {
  SharedContext& shared = Shared();
  std::lock_guard<std::mutex> lock(shared.mutex);
  if (shared.handle == nullptr) shared.handle = zmq_ctx_new();
  if (shared.handle != nullptr) shared.users++;
  return shared.handle;
}

// Returns the shared context's handle when this was its last user (the caller terminates it).
void* ReleaseShared() {
  SharedContext& shared = Shared();
  void* to_terminate = nullptr;
  std::lock_guard<std::mutex> lock(shared.mutex);
  if (--shared.users == 0) std::swap(to_terminate, shared.handle);
  return to_terminate;
}

// Every live Context of every environment, for CloseAllAtProcessExit.
std::mutex& RegistryMutex() {
  static std::mutex* mutex = new std::mutex();
  return *mutex;
}
std::unordered_set<Context*>& Registry() {
  static auto* registry = new std::unordered_set<Context*>();
  return *registry;
}

}  // namespace

Napi::Function Context::Define(Napi::Env env) {
  return DefineClass(env, "Context",
                     {
                         InstanceMethod<&Context::GetOption>("getOption"),
                         InstanceMethod<&Context::SetOption>("setOption"),
                         InstanceMethod<&Context::CloseMethod>("close"),
                         InstanceAccessor<&Context::IsClosed>("closed"),
                     });
}

Context::Context(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Context>(info), Closable(Kind::kContext) {
  module_ = info.Env().GetInstanceData<Module>();
  shared_ = info.Length() > 0 && info[0].ToBoolean();
  handle_ = shared_ ? AcquireShared() : zmq_ctx_new();
  if (handle_ == nullptr) throw ErrnoError(info.Env());
  module_->Register(this);
  static std::once_flag at_exit;
  std::call_once(at_exit, [] { std::atexit(&Context::CloseAllAtProcessExit); });
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry().insert(this);
}

void Context::CloseAllAtProcessExit() {
  std::vector<void*> to_terminate;
  std::string waiting_for;
  bool shared_in_use = false;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    for (Context* context : Registry()) {
      if (context->handle_ == nullptr) continue;
      // A socket lent to a proxy thread cannot be closed from here, and its context cannot
      // be terminated without waiting forever for it.
      bool lent = false;
      for (Socket* socket : context->sockets_) {
        if (socket->lent()) {
          lent = true;
        } else {
          if (waiting_for.empty()) waiting_for = socket->DescribeIfLingering();
          socket->CloseAtProcessExit();
        }
      }
      if (context->shared_) {
        shared_in_use = shared_in_use || lent;
      } else if (!lent) {
        to_terminate.push_back(context->handle_);
        context->handle_ = nullptr;
      }
    }
  }
  SharedContext& shared = Shared();
  {
    std::lock_guard<std::mutex> lock(shared.mutex);
    if (shared.handle != nullptr && !shared_in_use) {
      to_terminate.push_back(shared.handle);
      shared.handle = nullptr;
    }
  }
  TerminateAtExit(to_terminate, waiting_for);
}

Context::~Context() {
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    Registry().erase(this);
  }
  if (module_ != nullptr) module_->Unregister(this);
  void* handle = Release(/*notify=*/false);
  if (handle != nullptr) TerminateInBackground(handle);
}

void Context::CloseAtTeardown(TeardownWork* work) {
  void* handle = Release(/*notify=*/false);
  if (handle != nullptr) work->to_terminate.push_back(handle);
}

void* Context::Release(bool notify) {
  if (handle_ == nullptr) return nullptr;
  // Sockets unregister themselves while closing, so iterate over a copy.
  std::vector<Socket*> open(sockets_.begin(), sockets_.end());
  for (Socket* socket : open) {
    socket->Close(notify ? Socket::CloseReason::kContextClosed : Socket::CloseReason::kTeardown);
  }
  sockets_.clear();
  void* handle = handle_;
  handle_ = nullptr;
  return shared_ ? ReleaseShared() : handle;
}

Napi::Value Context::GetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr) throw ErrnoError(env, EBADF);
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "option id must be a number");
  // -1 is a valid value (e.g. ZMQ_THREAD_SCHED_POLICY); only errno tells an error apart.
  errno = 0;
  int value = zmq_ctx_get(handle_, info[0].As<Napi::Number>().Int32Value());
  if (value == -1 && errno != 0) throw ErrnoError(env);
  return Napi::Number::New(env, value);
}

void Context::SetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr) throw ErrnoError(env, EBADF);
  if (!info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "option id and value must be numbers");
  }
  int option = info[0].As<Napi::Number>().Int32Value();
  int value = info[1].As<Napi::Number>().Int32Value();
  if (zmq_ctx_set(handle_, option, value) != 0) throw ErrnoError(env);
}

void Context::CloseMethod(const Napi::CallbackInfo& info) {
  void* handle = Release(/*notify=*/true);
  if (handle != nullptr) TerminateInBackground(handle);
}

Napi::Value Context::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ == nullptr);
}

}  // namespace zmq_napi
