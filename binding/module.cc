#include "module.h"

#include <zmq.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "context.h"
#include "curve.h"
#include "errors.h"
#include "proxy.h"
#include "receive_layout.h"
#include "socket.h"
#include "termination.h"
#include "thread_poller.h"
#include "uv_poller.h"
#include "zero_copy_frame.h"

// OpenPGM's log threshold (openpgm/pgm/messages.c). Its warnings ("Interface lo reports as a
// loopback device") would go to the host program's stderr.
#ifndef ZMQ_NAPI_NO_PGM
extern "C" int pgm_min_log_level;
#endif

namespace zmq_napi {

namespace {

constexpr int kPgmLogLevelFatal = 6;  // PGM_LOG_LEVEL_FATAL: errors reach the caller as exceptions

std::string LibzmqVersion() {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

// What this libzmq build can do, as zmq_has() reports it. WebSocket support is spelled "WS".
Napi::Object CapabilityObject(Napi::Env env) {
  static const struct {
    const char* key;
    const char* zmq_name;
  } kCapabilities[] = {
      {"ipc", "ipc"},     {"pgm", "pgm"},       {"tipc", "tipc"},   {"norm", "norm"},
      {"curve", "curve"}, {"gssapi", "gssapi"}, {"draft", "draft"}, {"websockets", "WS"},
  };
  Napi::Object result = Napi::Object::New(env);
  for (const auto& capability : kCapabilities) {
    result.Set(capability.key, zmq_has(capability.zmq_name) != 0);
  }
  return result;
}

// See Context::CloseAllAtProcessExit; called from the "exit" event where atexit handlers
// do not run (Bun).
Napi::Value CloseAllAtExit(const Napi::CallbackInfo& info) {
  Context::CloseAllAtProcessExit();
  return info.Env().Undefined();
}

// setExitTimeout(ms): how long exit waits for lingering messages (-1: until delivered).
void SetExitTimeoutMethod(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "Expected a number for milliseconds");
  }
  SetExitTimeout(info[0].As<Napi::Number>().Int32Value());
}

// noteProcessExit(code): the main thread's "exit" event (see termination.h).
void NoteProcessExitMethod(const Napi::CallbackInfo& info) {
  NoteProcessExit(info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0);
}

}  // namespace

Module::Module(Napi::Env env, Napi::Object exports) : env_(env), gate_(new TeardownGate{this}) {
  // Unless the user asked for a level (OpenPGM reads PGM_MIN_LOG_LEVEL when a pgm socket is
  // first made), report only errors.
#ifndef ZMQ_NAPI_NO_PGM
  if (std::getenv("PGM_MIN_LOG_LEVEL") == nullptr) pgm_min_log_level = kPgmLogLevelFatal;
#endif
  Napi::Function context = Context::Define(env);
  Napi::Function socket = Socket::Define(env);
  context_constructor_ = Napi::Persistent(context);
  socket_constructor_ = Napi::Persistent(socket);
  DefineAddon(
      exports,
      {
          InstanceValue("version", Napi::String::New(env, LibzmqVersion()), napi_enumerable),
          InstanceValue("capability", CapabilityObject(env), napi_enumerable),
          InstanceValue("errno", ErrnoTable(env), napi_enumerable),
          InstanceValue("receiveLayout", ReceiveLayoutObject(env), napi_enumerable),
          InstanceValue("Context", context, napi_enumerable),
          InstanceValue("Socket", socket, napi_enumerable),
          InstanceMethod<&Module::UseAsyncTeardown>("useAsyncTeardown"),
          InstanceMethod<&Module::UseThreadPoller>("useThreadPoller"),
          InstanceMethod<&Module::SetErrorClass>("setErrorClass"),
          InstanceValue("closeAllAtExit", Napi::Function::New<CloseAllAtExit>(env),
                        napi_enumerable),
          InstanceValue("setExitTimeout", Napi::Function::New<SetExitTimeoutMethod>(env),
                        napi_enumerable),
          InstanceValue("noteProcessExit", Napi::Function::New<NoteProcessExitMethod>(env),
                        napi_enumerable),
          InstanceValue("runProxy", Napi::Function::New<RunProxy>(env), napi_enumerable),
          InstanceValue("curveKeyPair", Napi::Function::New<CurveKeyPair>(env), napi_enumerable),
          InstanceValue("curvePublic", Napi::Function::New<CurvePublic>(env), napi_enumerable),
          InstanceValue("z85Encode", Napi::Function::New<Z85Encode>(env), napi_enumerable),
          InstanceValue("z85Decode", Napi::Function::New<Z85Decode>(env), napi_enumerable),
          InstanceValue("createZeroCopyFrame", Napi::Function::New<CreateZeroCopyFrame>(env),
                        napi_enumerable),
          InstanceValue("zeroCopyFrameBuffer", Napi::Function::New<ZeroCopyFrameBuffer>(env),
                        napi_enumerable),
          InstanceValue("zeroCopyFrameSent", Napi::Function::New<ZeroCopyFrameSent>(env),
                        napi_enumerable),
          InstanceValue("zeroCopyFrameReleased", Napi::Function::New<ZeroCopyFrameReleased>(env),
                        napi_enumerable),
      });
  // A synchronous cleanup hook: the async variant double-frees its handle under Deno. Poll
  // handles closed here finish closing in the loop iteration the runtime runs before it
  // closes the loop.
  hook_registered_ = napi_add_env_cleanup_hook(env, &Module::OnTeardown, this) == napi_ok;
}

Module::~Module() {
  if (hook_registered_) napi_remove_env_cleanup_hook(env_, &Module::OnTeardown, this);
  Teardown();
  // Objects finalized after this point must not reach back into a destroyed module.
  for (auto& kind : closables_) {
    for (Closable* closable : kind) closable->DetachModule();
  }
  gate_->module = nullptr;
  if (gate_->closing == 0) delete gate_;
}

void Module::UseAsyncTeardown(const Napi::CallbackInfo& info) {
  if (async_hook_ != nullptr || phase_ != Phase::kOpen) return;
  if (napi_add_async_cleanup_hook(env_, &Module::OnAsyncTeardown, this, &async_hook_) != napi_ok) {
    async_hook_ = nullptr;
    return;
  }
  if (hook_registered_) napi_remove_env_cleanup_hook(env_, &Module::OnTeardown, this);
  hook_registered_ = false;
}

void Module::OnAsyncTeardown(napi_async_cleanup_hook_handle handle, void* data) {
  auto* module = static_cast<Module*>(data);
  module->Teardown();
  module->phase_ = Phase::kTornDownInAsyncHook;
  module->FinishAsyncTeardown();
}

void Module::UseThreadPoller(const Napi::CallbackInfo& info) {
  if (!closables(Closable::Kind::kSocket).empty()) {
    throw Napi::Error::New(info.Env(), "useThreadPoller() must come before the first socket");
  }
#ifdef _WIN32
  // thread_poller.cc waits with poll(2) on a pipe, which Windows lacks; Node polls with libuv.
  throw Napi::Error::New(info.Env(),
                         "zmq-napi: the thread poller (Deno, Bun, ZMQ_NAPI_POLLER=thread) is not "
                         "built on Windows");
#else
  use_thread_poller_ = true;
#endif
}

// setErrorClass(ZmqError): the class every ErrnoError is made with from now on.
void Module::SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "Expected a function for errorClass");
  }
  error_constructor_ = Napi::Persistent(info[0].As<Napi::Function>());
}

Poller* Module::CreatePoller(zmq_fd_t fd, Poller::Listener* listener) {
#ifndef _WIN32
  if (use_thread_poller_) {
    if (hub_ == nullptr) hub_ = new ThreadPollerHub(Napi::Env(env_));
    return hub_->Create(fd, listener);
  }
#endif
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env_, reinterpret_cast<struct uv_loop_s**>(&loop));
  return UvPoller::Create(loop, fd, listener);
}

ZeroCopyNotifier* Module::zero_copy_notifier() {
  if (zero_copy_notifier_ == nullptr) {
    if (phase_ != Phase::kOpen) {
      throw Napi::Error::New(Napi::Env(env_), "zmq-napi: the environment is shutting down");
    }
    zero_copy_notifier_ = ZeroCopyNotifier::Create(env_);
    if (zero_copy_notifier_ == nullptr) ThrowPendingOr(Napi::Env(env_), ENOMEM);
  }
  return zero_copy_notifier_;
}

void* Module::PollerClosing() {
  gate_->closing++;
  return gate_;
}

void Module::PollerClosed(void* data) {
  auto* gate = static_cast<TeardownGate*>(data);
  gate->closing--;
  if (gate->module != nullptr) {
    gate->module->FinishAsyncTeardown();
  } else if (gate->closing == 0) {
    delete gate;  // The module is gone and this was the last handle it waited for.
  }
}

void Module::FinishAsyncTeardown() {
  if (phase_ != Phase::kTornDownInAsyncHook || gate_->closing > 0 || async_hook_ == nullptr) {
    return;
  }
  napi_async_cleanup_hook_handle handle = async_hook_;
  async_hook_ = nullptr;
  napi_remove_async_cleanup_hook(handle);
}

void Module::OnTeardown(void* data) {
  auto* module = static_cast<Module*>(data);
  module->hook_registered_ = false;  // Runtimes remove a hook once it has run.
  module->Teardown();
}

void Module::Teardown() {
  if (phase_ != Phase::kOpen) return;
  phase_ = Phase::kTornDown;
  // In the order of Closable::Kind. A blocking termination at the end is what lets messages
  // queued with a linger leave before the environment goes away.
  TeardownWork work;
  for (auto& kind : closables_) {
    // Closing one may close and unregister others (a context its sockets): work on a copy.
    std::vector<Closable*> open(kind.begin(), kind.end());
    for (Closable* closable : open) {
      if (kind.count(closable) == 0) continue;
      closable->CloseAtTeardown(&work);
      kind.erase(closable);
    }
  }
  TerminateAtExit(work.to_terminate, work.waiting_for);
  // After the termination, whose dropped messages release frames: none is delivered now, and
  // releases still to come (a termination that outlives the wait) find the notifier shut.
  if (zero_copy_notifier_ != nullptr) zero_copy_notifier_->Shutdown();
  zero_copy_notifier_ = nullptr;
#ifndef _WIN32
  if (hub_ != nullptr) hub_->Shutdown();
#endif
}

}  // namespace zmq_napi

using zmq_napi::Module;
NODE_API_NAMED_ADDON(zmq_napi, Module)
