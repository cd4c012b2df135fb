// Socket.monitorVersioned: libzmq's versioned monitor (zmq_socket_monitor_versioned, a draft
// API of libzmq 4.3.4, built here with drafts on). Version 2 events carry a 64-bit event id,
// their values, and both the local and the remote endpoint of the connection, where version 1
// (Socket.monitor, socket.cc) has one endpoint. Stopping either kind is monitor(null).
#include <zmq.h>

#include <cmath>
#include <string>

#include "errors.h"
#include "socket.h"

namespace zmq_napi {

void Socket::MonitorVersioned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "Expected a string for endpoint");
  std::string endpoint = info[0].As<Napi::String>().Utf8Value();
  if (endpoint.find('\0') != std::string::npos) {
    throw ErrnoError(env, EINVAL, endpoint, "endpoint contains a NUL character");
  }
  // The TypeScript layer builds the mask from ZMQ_EVENT_* constants; this is the last line
  // against a caller of the native layer passing something else.
  double events = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (!(events >= 0 && events <= 0xFFFFFFFF && std::trunc(events) == events)) {
    throw Napi::TypeError::New(env, "Expected a ZMQ_EVENT_* mask for events");
  }
  if (zmq_socket_monitor_versioned(handle_, endpoint.c_str(), static_cast<uint64_t>(events), 2,
                                   ZMQ_PAIR) != 0) {
    throw ErrnoError(env, zmq_errno(), endpoint);
  }
}

}  // namespace zmq_napi
