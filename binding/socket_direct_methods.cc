// The socket's hot methods (trySend, receiveBatch, watch), installed on each instance rather
// than on the prototype: an own function whose data points at the socket finds it without
// napi_unwrap, which looks the wrapped pointer up as a private property (~870 instructions per
// call under callgrind, a fifth of sending a 16-byte message). The functions point at a small
// DirectTarget rather than at the socket itself: the target outlives the socket (~Socket
// clears it) and is freed when the socket and every function holding it are gone, so a
// function kept after its socket was collected fails as a closed socket does.
#include "socket.h"

namespace zmq_napi {

struct Socket::DirectTarget {
  Socket* socket;
  int holders;  // The socket and each function; all are released on the JavaScript thread.
};

void Socket::ReleaseDirectTarget(DirectTarget* target) {
  if (--target->holders == 0) delete target;
}

template <Napi::Value (Socket::*method)(const Napi::CallbackInfo&)>
Napi::Value Socket::CallThroughTarget(const Napi::CallbackInfo& info) {
  Socket* socket = static_cast<DirectTarget*>(info.Data())->socket;
  if (socket == nullptr) throw ClosedError(info.Env());
  return (socket->*method)(info);
}

void Socket::InstallDirectMethods(Napi::Object self) {
  direct_target_ = new DirectTarget{this, 1};
  auto install = [&](const char* name, Napi::Function function) {
    direct_target_->holders++;
    function.AddFinalizer([](Napi::Env, DirectTarget* target) { ReleaseDirectTarget(target); },
                          direct_target_);
    // Read-only, as the prototype's methods are.
    self.DefineProperty(Napi::PropertyDescriptor::Value(name, function, napi_default));
  };
  Napi::Env env = self.Env();
  install("trySend",
          Napi::Function::New<CallThroughTarget<&Socket::TrySend>>(env, "trySend", direct_target_));
  install("receiveBatch", Napi::Function::New<CallThroughTarget<&Socket::ReceiveBatch>>(
                              env, "receiveBatch", direct_target_));
  install("watch",
          Napi::Function::New<CallThroughTarget<&Socket::Watch>>(env, "watch", direct_target_));
}

void Socket::DetachDirectTarget() {
  if (direct_target_ == nullptr) return;
  direct_target_->socket = nullptr;
  ReleaseDirectTarget(direct_target_);
  direct_target_ = nullptr;
}

}  // namespace zmq_napi
