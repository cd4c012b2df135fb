// Receiving one message together with the metadata of the connection it came on
// (zmq_msg_gets). Separate from the batched receive path (receive_batch.cc) so that programs
// which never ask for metadata pay nothing for it: the batch path does not look at it.
//
// libzmq answers zmq_msg_gets for a name only, and 4.3.4 cannot list the names a connection
// has, so the caller says which properties it wants.
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"
#include "message.h"
#include "socket.h"

namespace zmq_napi {

// receiveWithMetadata(names: string[]): null when no message is ready, else
// [frames: Buffer[], values: (string | null)[], routingId, group | null]: `values[i]` is
// zmq_msg_gets(names[i]) of the message (null when the connection has no such property),
// routingId and group those of a SERVER/PEER or DISH message (else 0 and null).
Napi::Value Socket::ReceiveWithMetadata(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "Expected an array of names");
  Napi::Array names_value = info[0].As<Napi::Array>();
  std::vector<std::string> names;
  names.reserve(names_value.Length());
  for (uint32_t i = 0; i < names_value.Length(); i++) {
    Napi::Value name = names_value.Get(i);
    if (!name.IsString()) throw Napi::TypeError::New(env, "Expected a string for each name");
    names.push_back(name.As<Napi::String>().Utf8Value());
  }

  MessageParts frames;
  int received = ReceiveMessage(handle_, &frames);
  if (received == 0) return env.Null();
  if (received < 0) throw ErrnoError(env, zmq_errno());

  // The frames that came off the wire carry their connection's metadata; read it before the
  // frames are handed over (a large one is moved into its Buffer). The last frame, because a
  // ROUTER's routing-id frame lacks it when ZMQ_EVENTS prefetched the message (router.cpp's
  // xhas_in, libzmq 4.3.4), and the routing id is always first.
  zmq_msg_t* first = frames.at(0);
  zmq_msg_t* last = frames.at(frames.count() - 1);
  Napi::Array values = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) {
    const char* value = zmq_msg_gets(last, names[i].c_str());
    values.Set(static_cast<uint32_t>(i),
               value != nullptr ? Napi::Value(Napi::String::New(env, value)) : env.Null());
  }
  uint32_t routing_id = 0;
  Napi::Value group = env.Null();
  if (type_info_->metadata == MessageMetadata::kRoutingId) {
    routing_id = zmq_msg_routing_id(first);
  } else if (type_info_->metadata == MessageMetadata::kGroup) {
    const char* name = zmq_msg_group(first);
    group = Napi::Buffer<char>::Copy(env, name, name != nullptr ? std::strlen(name) : 0);
  }

  size_t parts = frames.count();
  Napi::Array buffers = Napi::Array::New(env, parts);
  for (size_t i = 0; i < parts; i++) {
    frames.Consumed(i + 1);
    napi_value buffer = TakeMessageBuffer(env, frames.at(i));
    if (buffer == nullptr) ThrowPendingOr(env, ENOMEM);
    buffers.Set(static_cast<uint32_t>(i), Napi::Value(env, buffer));
  }

  Napi::Array result = Napi::Array::New(env, 4);
  result.Set(0u, buffers);
  result.Set(1u, values);
  result.Set(2u, Napi::Number::New(env, routing_id));
  result.Set(3u, group);
  return result;
}

}  // namespace zmq_napi
