#include "proxy.h"

#include <zmq.h>

#include <cerrno>
#include <thread>
#include <vector>

#include "errors.h"
#include "module.h"
#include "socket.h"

namespace zmq_napi {

namespace {

struct ProxyJob : Closable {
  std::vector<Socket*> lent;                // Sockets the proxy thread uses.
  std::vector<Napi::ObjectReference> keep;  // Their JavaScript objects, alive until the end.
  void* front = nullptr;
  void* back = nullptr;
  void* capture = nullptr;
  void* control = nullptr;
  Socket* outer = nullptr;  // The JavaScript side of the control pair.
  std::thread thread;
  Napi::ThreadSafeFunction done;
  Napi::Promise::Deferred deferred;
  int result = 0;
  int error = 0;
  bool finished = false;

  explicit ProxyJob(Napi::Env env)
      : Closable(Kind::kProxy), deferred(Napi::Promise::Deferred::New(env)) {}

  // Environment teardown: terminate the proxy and wait for its thread.
  void CloseAtTeardown(TeardownWork* /*work*/) override {
    if (outer->open() && !outer->lent()) zmq_send(outer->handle(), "TERMINATE", 9, 0);
    if (thread.joinable()) thread.join();
    for (Socket* socket : lent) socket->ThreadDone();
    // The thread-safe function's queued call never runs now; the job is left to it (a small,
    // bounded leak at environment teardown rather than a use-after-free).
  }
  // Finished or closed at teardown before the module goes: nothing to detach.
  void DetachModule() override {}
};

Socket* SocketArgument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  Module* module = env.GetInstanceData<Module>();
  Napi::Value value = info[index];
  if (!value.IsObject() ||
      !value.As<Napi::Object>().InstanceOf(module->socket_constructor().Value())) {
    throw Napi::TypeError::New(env, std::string("Expected a Socket for ") + name);
  }
  Socket* socket = Socket::Unwrap(value.As<Napi::Object>());
  if (!socket->open()) throw ErrnoError(env, EBADF, "", std::string(name) + " is closed");
  if (socket->lent()) throw ErrnoError(env, EBUSY, "", std::string(name) + " is busy");
  return socket;
}

// Main thread, after the proxy thread ended: return the sockets and settle the promise.
void Finish(Napi::Env env, ProxyJob* job) {
  if (job->finished) return;
  job->finished = true;
  if (job->thread.joinable()) job->thread.join();
  env.GetInstanceData<Module>()->Unregister(job);
  for (Socket* socket : job->lent) socket->ReturnFromThread();
  // zmq_proxy_steerable returns 0 on TERMINATE and ETERM when the context was closed: both
  // are a proxy that ended as asked.
  if (job->result == 0 || job->error == ETERM) {
    job->deferred.Resolve(env.Undefined());
  } else {
    job->deferred.Reject(ErrnoError(env, job->error).Value());
  }
  job->done.Release();
  delete job;
}

}  // namespace

Napi::Value RunProxy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* front = SocketArgument(info, 0, "frontEnd");
  Socket* back = SocketArgument(info, 1, "backEnd");
  Socket* inner = SocketArgument(info, 2, "control");
  Socket* outer = SocketArgument(info, 3, "control");
  Socket* capture =
      info[4].IsNull() || info[4].IsUndefined() ? nullptr : SocketArgument(info, 4, "capture");
  if (front == back || front == capture || back == capture) {
    throw Napi::TypeError::New(env, "frontEnd, backEnd and capture must be different sockets");
  }
  // runProxy(…, frontHasEndpoints, backHasEndpoints): the TypeScript layer counts endpoints.
  // A proxy whose socket has none would wait forever.
  if (!info[5].ToBoolean()) {
    throw ErrnoError(env, EINVAL, "", "Front-end socket must be bound or connected");
  }
  if (!info[6].ToBoolean()) {
    throw ErrnoError(env, EINVAL, "", "Back-end socket must be bound or connected");
  }

  auto* job = new ProxyJob(env);
  job->front = front->handle();
  job->back = back->handle();
  job->control = inner->handle();
  job->capture = capture != nullptr ? capture->handle() : nullptr;
  job->outer = outer;
  for (size_t i = 0; i < 5; i++) {
    if (info[i].IsObject()) job->keep.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
  }
  job->lent = {front, back, inner};
  if (capture != nullptr) job->lent.push_back(capture);
  for (Socket* socket : job->lent) socket->LendToThread("it is used by a running proxy");

  // Keeps the event loop alive while the proxy runs, and brings its end back to this thread.
  job->done = Napi::ThreadSafeFunction::New(
      env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "zmq-napi:proxy", 0, 1);
  env.GetInstanceData<Module>()->Register(job);
  Napi::Promise promise = job->deferred.Promise();
  job->thread = std::thread([job] {
    job->result = zmq_proxy_steerable(job->front, job->back, job->capture, job->control);
    if (job->result != 0) job->error = zmq_errno();
    for (Socket* socket : job->lent) socket->ThreadDone();
    job->done.NonBlockingCall([job](Napi::Env env, Napi::Function) { Finish(env, job); });
  });
  return promise;
}

}  // namespace zmq_napi
