#include "socket.h"

#include <zmq.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "context.h"
#include "errors.h"
#include "module.h"
#include "pgm_probe.h"

namespace zmq_napi {

namespace {

std::string AddressArgument(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) {
    throw Napi::TypeError::New(info.Env(), "Expected a string for address");
  }
  std::string address = info[0].As<Napi::String>().Utf8Value();
  // libzmq reads a C string: an embedded NUL would silently cut the address short.
  if (address.find('\0') != std::string::npos) {
    throw ErrnoError(info.Env(), EINVAL, address.c_str(), "address contains a NUL character");
  }
  return address;
}

// libzmq aborts the whole process when a pgm:// socket cannot open its raw socket (the I/O
// thread asserts after zmq_bind/zmq_connect already returned 0). Check the privilege first.
// (Builds without OpenPGM skip it: libzmq refuses pgm:// itself, with EPROTONOSUPPORT.)
void CheckPgmPrivilege(Napi::Env env, const std::string& address) {
#ifndef ZMQ_NAPI_NO_PGM
  if (address.compare(0, 6, "pgm://") != 0) return;
  int fd = socket(AF_INET, SOCK_RAW, 113 /* IPPROTO_PGM */);
  if (fd >= 0) {
    close(fd);
    return;
  }
  int error = errno;
  throw ErrnoError(env, error == EACCES ? EPERM : error, address,
                   "pgm:// needs the CAP_NET_RAW capability (raw IP sockets), which this process "
                   "lacks; epgm:// (PGM over UDP) needs no privilege");
#endif
}

// libzmq binds to interface names and numeric addresses, but does not resolve host names for
// bind (ENODEV). Like connect, bind should accept `tcp://localhost:5555`. BindHost gives the
// host part of a tcp:// or ws:// address that could be such a name, or "".
std::string BindHost(const std::string& address, size_t* host_end) {
  size_t scheme_end = address.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = address.substr(0, scheme_end);
  if (scheme != "tcp" && scheme != "ws") return "";
  size_t host_start = scheme_end + 3;
  size_t colon = address.find(':', host_start);
  if (colon == std::string::npos || address[host_start] == '[') return "";
  std::string host = address.substr(host_start, colon - host_start);
  if (host.empty() || host == "*" || host.find(';') != std::string::npos) return "";
  *host_end = colon;
  return host;
}

bool HasHostToResolve(const std::string& address) {
  size_t host_end = 0;
  return !BindHost(address, &host_end).empty();
}

// The address to bind instead of one naming a host (blocking: getaddrinfo), or "" when there is
// none. It touches no socket, so bind() runs it on a worker thread.
std::string ResolveBindAddress(const std::string& address) {
  size_t host_end = 0;
  std::string host = BindHost(address, &host_end);
  if (host.empty()) return "";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return "";
  char numeric[INET6_ADDRSTRLEN] = {0};
  bool v6 = found->ai_family == AF_INET6;
  getnameinfo(found->ai_addr, found->ai_addrlen, numeric, sizeof(numeric), nullptr, 0,
              NI_NUMERICHOST);
  freeaddrinfo(found);
  return address.substr(0, address.find("://") + 3) + (v6 ? "[" : "") + numeric + (v6 ? "]" : "") +
         address.substr(host_end);
}

// zmq_bind's errno, or 0.
int ZmqBind(void* socket, const std::string& address) {
  return zmq_bind(socket, address.c_str()) == 0 ? 0 : zmq_errno();
}

// What libzmq can bind alone, without blocking: pgm's checks, then zmq_bind. ENODEV means a host
// name that only ResolveBindAddress can turn into an address to bind.
int BindDirectly(void* socket, const std::string& address, std::string* why) {
  int error = ProbePgm(socket, address, why);
  return error != 0 ? error : ZmqBind(socket, address);
}

// bind() when libzmq did not know the host: the name is resolved on the thread pool (getaddrinfo
// blocks), then the resolved address is bound on the main thread, so the socket stays usable
// meanwhile (options, subscriptions, events).
class HostNameBinder : public Napi::AsyncWorker {
 public:
  HostNameBinder(Napi::Env env, Socket* socket, Napi::Object self, std::string address)
      : Napi::AsyncWorker(env, "zmq-napi:bind"),
        socket_(socket),
        self_(Napi::Persistent(self)),
        address_(std::move(address)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Worker thread: no socket, no JavaScript.
  void Execute() override { resolved_ = ResolveBindAddress(address_); }

  void OnOK() override {
    Napi::Env env = Env();
    // Closed meanwhile: as in zeromq v6, the operation completes and the socket stays closed.
    if (!socket_->open()) {
      deferred_.Resolve(env.Undefined());
      return;
    }
    // A proxy took the socket meanwhile: it must not be used from two threads.
    if (socket_->lent()) {
      deferred_.Reject(
          ErrnoError(env, EBUSY, address_, "Socket is used by a running proxy").Value());
      return;
    }
    int error = resolved_.empty() ? ENODEV : ZmqBind(socket_->handle(), resolved_);
    if (error != 0) {
      deferred_.Reject(ErrnoError(env, error, address_).Value());
      return;
    }
    socket_->NoteEndpoint("bound to", address_);
    deferred_.Resolve(env.Undefined());
  }

 private:
  Socket* socket_;
  Napi::ObjectReference self_;  // Keeps the socket alive until the work is done.
  std::string address_;
  std::string resolved_;
  Napi::Promise::Deferred deferred_;
};

Napi::Promise Settled(Napi::Env env, int error, const std::string& address,
                      const std::string& why) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (error != 0) {
    deferred.Reject(ErrnoError(env, error, address, why).Value());
  } else {
    deferred.Resolve(env.Undefined());
  }
  return deferred.Promise();
}

}  // namespace

Napi::Function Socket::Define(Napi::Env env) {
  return DefineClass(env, "Socket",
                     // trySend, receiveBatch and watch are each instance's own functions
                     // (socket_direct_methods.cc), not the prototype's.
                     {
                         InstanceMethod<&Socket::Bind>("bind"),
                         InstanceMethod<&Socket::Unbind>("unbind"),
                         InstanceMethod<&Socket::BindSync>("bindSync"),
                         InstanceMethod<&Socket::UnbindSync>("unbindSync"),
                         InstanceMethod<&Socket::Connect>("connect"),
                         InstanceMethod<&Socket::Disconnect>("disconnect"),
                         InstanceMethod<&Socket::CloseMethod>("close"),
                         InstanceMethod<&Socket::TrySendMany>("trySendMany"),
                         InstanceMethod<&Socket::ReceiveWithMetadata>("receiveWithMetadata"),
                         InstanceMethod<&Socket::Join>("join"),
                         InstanceMethod<&Socket::Leave>("leave"),
                         InstanceMethod<&Socket::GetOption>("getOption"),
                         InstanceMethod<&Socket::SetOption>("setOption"),
                         InstanceMethod<&Socket::Monitor>("monitor"),
                         InstanceMethod<&Socket::MonitorVersioned>("monitorVersioned"),
                         InstanceAccessor<&Socket::GetEvents>("events"),
                         InstanceAccessor<&Socket::IsClosed>("closed"),
                     });
}

Socket::Socket(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Socket>(info), Closable(Kind::kSocket) {
  Napi::Env env = info.Env();
  module_ = env.GetInstanceData<Module>();
  if (!info[0].IsObject() ||
      !info[0].As<Napi::Object>().InstanceOf(module_->context_constructor().Value())) {
    throw Napi::TypeError::New(env, "Expected a Context for context");
  }
  if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "Expected a number for type");
  if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "Expected a function for onReady");

  Context* context = Context::Unwrap(info[0].As<Napi::Object>());
  if (context->closed()) throw ErrnoError(env, ETERM);
  int type = info[1].As<Napi::Number>().Int32Value();
  type_info_ = &FindSocketType(type);
  handle_ = zmq_socket(context->handle(), type);
  if (handle_ == nullptr) throw ErrnoError(env);

  zmq_fd_t fd{};
  size_t fd_size = sizeof(fd);
  if (zmq_getsockopt(handle_, ZMQ_FD, &fd, &fd_size) != 0) {
    // Thread-safe (draft) sockets have no ZMQ_FD. A zmq_poller holding the socket provides
    // the same kind of descriptor: its signaler, raised whenever the socket's state changes.
    zpoller_ = zmq_poller_new();
    if (zpoller_ == nullptr ||
        zmq_poller_add(zpoller_, handle_, nullptr, ZMQ_POLLIN | ZMQ_POLLOUT) != 0 ||
        zmq_poller_fd(zpoller_, &fd) != 0) {
      int error = zmq_errno();
      if (zpoller_ != nullptr) zmq_poller_destroy(&zpoller_);
      zmq_close(handle_);
      handle_ = nullptr;
      throw ErrnoError(env, error);
    }
  }
  poller_ = module_->CreatePoller(fd, this);
  if (poller_ == nullptr) {
    int error = errno;
    zmq_close(handle_);
    handle_ = nullptr;
    throw ErrnoError(env, error);
  }

  context_ = context;
  context_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  // Weak until something is pending (see Watch): the callback closes over the JavaScript
  // socket, and a strong reference would keep an idle, dropped socket alive forever.
  on_ready_ = Napi::Reference<Napi::Function>::New(info[2].As<Napi::Function>(), 0);
  context->Register(this);
  module_->Register(this);
  InstallDirectMethods(info.This().As<Napi::Object>());
}

// An exception leaving a destructor is std::terminate. Teardown calls no JavaScript; what can
// throw there is a Napi::Reference's Reset when napi_delete_reference fails, and a reference
// the environment could not delete has nobody left to report it to.
Socket::~Socket() {
  DetachDirectTarget();
  try {
    Close(CloseReason::kTeardown);
  } catch (const Napi::Error&) {
  }
}

void Socket::Close(CloseReason reason) {
  if (handle_ == nullptr) return;
  if (lent()) {
    if (reason != CloseReason::kTeardown) {
      // Another thread is using the socket: close when it is returned.
      close_pending_ = true;
      if (reason == CloseReason::kContextClosed) pending_close_reason_ = reason;
      return;
    }
    // The environment is going away and will not see the socket returned: wait for the
    // borrowing thread to let go (bind/unbind finish quickly; proxies are terminated first).
    while (thread_using_.load(std::memory_order_acquire)) std::this_thread::yield();
    lent_reason_ = nullptr;
  }
  if (poller_ != nullptr) {
    if (module_ != nullptr) {
      poller_->Close(&Module::PollerClosed, module_->PollerClosing());
    } else {
      poller_->Close(nullptr, nullptr);
    }
    poller_ = nullptr;
  }
  if (zpoller_ != nullptr) zmq_poller_destroy(&zpoller_);
  zmq_close(handle_);
  handle_ = nullptr;
  want_ = 0;
  if (context_ != nullptr) context_->Unregister(this);
  context_ = nullptr;
  if (module_ != nullptr) module_->Unregister(this);

  if (reason == CloseReason::kContextClosed && !on_ready_.IsEmpty()) {
    Napi::Function callback = on_ready_.Value();
    // Called synchronously from Context.close(), which runs in JavaScript already.
    if (!callback.IsEmpty()) callback.Call({Napi::Number::New(callback.Env(), kClosedByContext)});
  }
  on_ready_.Reset();
  context_ref_.Reset();
}

void Socket::CloseAtTeardown(TeardownWork* work) {
  if (work->waiting_for.empty()) work->waiting_for = DescribeIfLingering();
  Close(CloseReason::kTeardown);
}

std::string Socket::DescribeIfLingering() const {
  if (handle_ == nullptr || endpoint_.empty()) return "";
  int linger = 0;
  size_t size = sizeof(linger);
  if (zmq_getsockopt(handle_, ZMQ_LINGER, &linger, &size) != 0 || linger == 0) return "";
  return std::string("a ") + type_info_->name + " socket " + endpoint_;
}

void Socket::CloseAtProcessExit() {
  if (handle_ == nullptr) return;
  if (zpoller_ != nullptr) zmq_poller_destroy(&zpoller_);
  zmq_close(handle_);
  handle_ = nullptr;
}

void Socket::CloseMethod(const Napi::CallbackInfo& info) { Close(CloseReason::kUser); }

Napi::Value Socket::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ == nullptr || close_pending_);
}

Napi::Error Socket::ClosedError(Napi::Env env, const std::string& address) {
  return ErrnoError(env, EBADF, address, "Socket is closed");
}

void Socket::CheckUsable(Napi::Env env, const std::string& address) const {
  if (handle_ == nullptr || close_pending_) {
    throw ClosedError(env, address);
  }
  if (lent()) {
    throw ErrnoError(env, EBUSY, address, std::string("Socket is busy: ") + lent_reason_);
  }
}

// --- endpoints ----------------------------------------------------------------------------

// The address argument of an endpoint call, once the socket and the address may be used.
std::string Socket::EndpointArgument(const Napi::CallbackInfo& info) {
  std::string address = AddressArgument(info);
  CheckUsable(info.Env(), address);
  CheckPgmPrivilege(info.Env(), address);
  NoteUdp(address);
  return address;
}

// bind() / unbind(): asynchronous, like zeromq v6's, but done at once when nothing blocks: only
// a host name libzmq does not know takes the thread pool (HostNameBinder). A bind that waited
// for a busy pool would let a program's next steps overtake it (a second bind of the same port
// succeeding after the first socket closed, for one).
Napi::Value Socket::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string address = EndpointArgument(info);
  std::string why;
  int error = BindDirectly(handle_, address, &why);
  if (error == ENODEV && HasHostToResolve(address)) {
    auto* worker = new HostNameBinder(env, this, info.This().As<Napi::Object>(), address);
    worker->Queue();
    return worker->Promise();
  }
  if (error == 0) NoteEndpoint("bound to", address);
  return Settled(env, error, address, why);
}

Napi::Value Socket::Unbind(const Napi::CallbackInfo& info) {
  std::string address = EndpointArgument(info);
  int error = zmq_unbind(handle_, address.c_str()) == 0 ? 0 : zmq_errno();
  return Settled(info.Env(), error, address, "");
}

void Socket::LendToThread(const char* reason) {
  lent_reason_ = reason;
  thread_using_.store(true, std::memory_order_release);
  if (poller_ != nullptr) poller_->Suspend();
}

void Socket::ReturnFromThread() {
  lent_reason_ = nullptr;
  if (close_pending_) {
    close_pending_ = false;
    Close(pending_close_reason_);
  } else if (want_ != 0) {
    // Edges raised while the socket was lent were not watched: resume and look now.
    poller_->Start();
    OnPollReady();
  }
}

void Socket::EndpointCall(const Napi::CallbackInfo& info, int (*call)(void*, const char*)) {
  Napi::Env env = info.Env();
  std::string address = EndpointArgument(info);
  if (call == zmq_connect) {
    std::string why;
    int error = ProbePgm(handle_, address, &why);
    if (error != 0) throw ErrnoError(env, error, address, why);
  }
  if (call(handle_, address.c_str()) != 0) throw ErrnoError(env, zmq_errno(), address);
  if (call == zmq_connect) NoteEndpoint("connected to", address);
}

void Socket::BindSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string address = EndpointArgument(info);
  std::string why;
  int error = BindDirectly(handle_, address, &why);
  if (error == ENODEV) {
    std::string resolved = ResolveBindAddress(address);
    if (!resolved.empty()) error = ZmqBind(handle_, resolved);
  }
  if (error != 0) throw ErrnoError(env, error, address, why);
  NoteEndpoint("bound to", address);
}
void Socket::UnbindSync(const Napi::CallbackInfo& info) { EndpointCall(info, zmq_unbind); }
void Socket::Connect(const Napi::CallbackInfo& info) { EndpointCall(info, zmq_connect); }
void Socket::Disconnect(const Napi::CallbackInfo& info) { EndpointCall(info, zmq_disconnect); }

void Socket::Monitor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  if (info[0].IsNull()) {
    if (zmq_socket_monitor(handle_, nullptr, 0) != 0) throw ErrnoError(env);
    return;
  }
  std::string address = AddressArgument(info);
  int events = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : ZMQ_EVENT_ALL;
  if (zmq_socket_monitor(handle_, address.c_str(), events) != 0) {
    throw ErrnoError(env, zmq_errno(), address);
  }
}

// --- readiness ----------------------------------------------------------------------------

int Socket::Events() {
  if (handle_ == nullptr) return 0;
  int events = 0;
  size_t size = sizeof(events);
  while (zmq_getsockopt(handle_, ZMQ_EVENTS, &events, &size) != 0) {
    if (zmq_errno() != EINTR) return 0;
  }
  return events;
}

Napi::Value Socket::GetEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr || lent()) return Napi::Number::New(env, 0);
  return Napi::Number::New(env, Events());
}

Napi::Value Socket::Watch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr || close_pending_) return Napi::Number::New(env, 0);
  int mask = info[0].ToNumber().Int32Value() & (ZMQ_POLLIN | ZMQ_POLLOUT);
  SetWant(mask);
  // ZMQ_FD only reports changes: whatever is ready already must be acted on by the caller.
  if (mask == 0 || lent()) return Napi::Number::New(env, 0);
  return Napi::Number::New(env, Events() & mask);
}

void Socket::SetWant(int mask) {
  if (mask != 0 && want_ == 0) {
    // While lent the poller stays suspended; ReturnFromThread starts it.
    if (!lent()) poller_->Start();
    // Strong while something waits: a pending receive keeps its socket (and the process) alive.
    on_ready_.Ref();
  } else if (mask == 0 && want_ != 0) {
    if (!lent()) poller_->Stop();
    on_ready_.Unref();
  }
  want_ = mask;
}

void Socket::OnPollReady() {
  if (lent()) return;  // Suspended; ReturnFromThread looks again.
  if (zpoller_ != nullptr) {
    // Lower the signaler before looking at the state, so a change after this look raises it
    // again (zmq_poller_wait with no timeout only resets and checks).
    zmq_poller_event_t event;
    zmq_poller_wait(zpoller_, &event, 0);
  }
  int ready = Events() & want_;
  if (ready == 0 || on_ready_.IsEmpty()) return;
  Napi::Env env = on_ready_.Env();
  Napi::HandleScope scope(env);
  Napi::Function callback = on_ready_.Value();
  if (callback.IsEmpty()) return;
  try {
    // MakeCallback, not Call: it runs the microtasks (promise continuations) afterwards.
    callback.MakeCallback(env.Global(), {Napi::Number::New(env, ready)});
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

}  // namespace zmq_napi
