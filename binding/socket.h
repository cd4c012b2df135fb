// A libzmq socket, and the primitive operations the TypeScript layer builds its API on:
// non-blocking send/receive (single and batched), endpoints, options, and readiness
// notifications from the event loop.
#pragma once

#include <napi.h>

#include <atomic>
#include <string>
#include <vector>

#include "closable.h"
#include "poller.h"
#include "socket_types.h"

namespace zmq_napi {

class Context;
class Module;

class Socket : public Napi::ObjectWrap<Socket>, public Closable, private Poller::Listener {
 public:
  enum class CloseReason { kUser, kContextClosed, kTeardown };

  // Passed to the onReady callback, beside ZMQ_POLLIN / ZMQ_POLLOUT, when the socket was
  // closed by its context rather than by the JavaScript that owns it.
  static constexpr int kClosedByContext = 0x100;

  // A receive batch stops at this many bytes even when more
  // messages are ready, so that one busy socket hands the event loop back in bounded time.
  static constexpr size_t kBatchBytes = size_t{4} * 1024 * 1024;

  static Napi::Function Define(Napi::Env env);

  // new Socket(context, type, onReady(readyMask))
  explicit Socket(const Napi::CallbackInfo& info);
  ~Socket() override;

  void Close(CloseReason reason);
  // Closes the libzmq socket only (see Context::CloseAllAtProcessExit): no JavaScript, no
  // libuv; the process is exiting.
  void CloseAtProcessExit();
  void CloseAtTeardown(TeardownWork* work) override;
  void DetachModule() override { module_ = nullptr; }

  // Lends the libzmq socket to another thread (a proxy). Until it is returned, operations
  // from JavaScript fail with EBUSY and poll wake-ups are deferred: libzmq sockets must not be
  // used by two threads at once.
  void LendToThread(const char* reason);
  // Called on the borrowing thread when it will not touch the socket again.
  void ThreadDone() { thread_using_.store(false, std::memory_order_release); }
  // Called on the main thread once the borrower is done: replays a deferred close or wake-up.
  void ReturnFromThread();
  bool lent() const { return lent_reason_ != nullptr; }
  // Remembers the latest endpoint, for DescribeIfLingering ("connected to", "bound to").
  void NoteEndpoint(const char* how, const std::string& address) {
    endpoint_ = std::string(how) + " " + address;
  }
  // "a DEALER socket connected to tcp://…" when closing it now may leave messages lingering
  // (linger is not 0 and it has an endpoint); else "".
  std::string DescribeIfLingering() const;
  bool open() const { return handle_ != nullptr && !close_pending_; }
  void* handle() const { return handle_; }
  Context* context() const { return context_; }

 private:
  // Endpoints.
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Unbind(const Napi::CallbackInfo& info);
  void BindSync(const Napi::CallbackInfo& info);
  void UnbindSync(const Napi::CallbackInfo& info);
  void Connect(const Napi::CallbackInfo& info);
  void Disconnect(const Napi::CallbackInfo& info);
  std::string EndpointArgument(const Napi::CallbackInfo& info);
  void EndpointCall(const Napi::CallbackInfo& info, int (*call)(void*, const char*));

  // Messages (socket_messages.cc).
  Napi::Value TrySend(const Napi::CallbackInfo& info);
  Napi::Value TrySendMany(const Napi::CallbackInfo& info);
  // receive_batch.cc: the one receive path, for every socket type.
  Napi::Value ReceiveBatch(const Napi::CallbackInfo& info);
  // socket_metadata.cc: one message with its connection's metadata (zmq_msg_gets).
  Napi::Value ReceiveWithMetadata(const Napi::CallbackInfo& info);
  void Join(const Napi::CallbackInfo& info);
  void Leave(const Napi::CallbackInfo& info);
  void GroupCall(const Napi::CallbackInfo& info, int (*call)(void*, const char*));

  // Readiness.
  Napi::Value Watch(const Napi::CallbackInfo& info);
  Napi::Value GetEvents(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  void CloseMethod(const Napi::CallbackInfo& info);

  // Options (socket_options.cc).
  Napi::Value GetOption(const Napi::CallbackInfo& info);
  void SetOption(const Napi::CallbackInfo& info);

  // Monitoring: zmq_socket_monitor to an inproc endpoint (null stops it).
  void Monitor(const Napi::CallbackInfo& info);
  // zmq_socket_monitor_versioned, version 2 (monitor.cc).
  void MonitorVersioned(const Napi::CallbackInfo& info);

  // socket_direct_methods.cc: the hot methods as own functions of the instance, which reach
  // the socket through a DirectTarget instead of napi_unwrap.
  struct DirectTarget;
  void InstallDirectMethods(Napi::Object self);
  // Called from ~Socket: later calls of those functions fail as on a closed socket.
  void DetachDirectTarget();
  static void ReleaseDirectTarget(DirectTarget* target);
  template <Napi::Value (Socket::*method)(const Napi::CallbackInfo&)>
  static Napi::Value CallThroughTarget(const Napi::CallbackInfo& info);

  void OnPollReady() override;
  // Remembers that the socket uses udp://, whose datagrams have a size limit.
  void NoteUdp(const std::string& address) {
    if (address.compare(0, 6, "udp://") == 0) uses_udp_ = true;
  }
  // Sets what the poller waits for; waiting keeps the event loop alive.
  void SetWant(int mask);
  int Events();
  // EBADF "Socket is closed", naming `address` when an endpoint operation was refused.
  static Napi::Error ClosedError(Napi::Env env, const std::string& address = "");
  // Throws EBADF for a closed socket and EBUSY while it is lent to another thread; the error
  // names `address` when an endpoint operation was refused.
  void CheckUsable(Napi::Env env, const std::string& address = "") const;
  // Sends one message (or the parts of a multipart one) without blocking. Returns true when
  // sent, false when libzmq pushes back (EAGAIN); throws for anything else (errors.h).
  bool SendOne(Napi::Env env, napi_value message, napi_value routing_id, const std::string* group);

  Module* module_ = nullptr;
  Context* context_ = nullptr;
  Napi::ObjectReference context_ref_;
  Napi::FunctionReference on_ready_;
  void* handle_ = nullptr;
  Poller* poller_ = nullptr;
  void* zpoller_ = nullptr;  // Thread-safe sockets only: the zmq_poller whose fd we watch.
  // The type's entry in the socket-type table (src/socket-types.ts, socket_types.h).
  const SocketType* type_info_ = &kUnknownSocketType;
  int want_ = 0;
  const char* lent_reason_ = nullptr;
  std::atomic<bool> thread_using_{false};
  bool close_pending_ = false;
  bool uses_udp_ = false;
  std::string endpoint_;
  CloseReason pending_close_reason_ = CloseReason::kUser;
  DirectTarget* direct_target_ = nullptr;
};

}  // namespace zmq_napi
