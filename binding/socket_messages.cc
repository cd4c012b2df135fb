// Socket's messages: the non-blocking send path (single and batched) and DISH group
// membership. The receive path is receive_batch.cc.
#include <zmq.h>

#include <cerrno>
#include <string>

#include "errors.h"
#include "message.h"
#include "socket.h"
#include "zero_copy_frame.h"

namespace zmq_napi {

namespace {

// libzmq 4.3.4's udp engine buffer (MAX_UDP_MSG in udp_engine.hpp).
constexpr size_t kMaxUdpDatagram = 8192;

// A RADIO/DISH group: its bytes, from a Buffer (or any byte view) or a string (UTF-8). A NUL
// would cut it short (libzmq takes a C string: "g\0x" would reach group "g"): EINVAL.
std::string GroupArgument(Napi::Env env, Napi::Value value) {
  std::string group;
  if (value.IsString()) {
    group = value.As<Napi::String>().Utf8Value();
  } else if (value.IsTypedArray()) {
    Napi::TypedArray view = value.As<Napi::TypedArray>();
    const char* data = static_cast<const char*>(view.ArrayBuffer().Data()) + view.ByteOffset();
    group.assign(data, view.ByteLength());
  } else {
    throw Napi::TypeError::New(env, "Expected a string or Buffer for group");
  }
  if (group.find('\0') != std::string::npos) {
    throw ErrnoError(env, EINVAL, "", "group contains a NUL character");
  }
  return group;
}

// A message with no parts (an empty array): a TypeError with Node's code for a bad value.
Napi::TypeError EmptyMessageError(Napi::Env env) {
  Napi::TypeError error = Napi::TypeError::New(env, "Expected at least one message part");
  error.Set("code", "ERR_INVALID_ARG_VALUE");
  return error;
}

}  // namespace

// --- messages -----------------------------------------------------------------------------

bool Socket::SendOne(Napi::Env env, napi_value message, napi_value routing_id,
                     const std::string* group) {
  bool is_array = false;
  napi_is_array(env, message, &is_array);
  uint32_t count = 1;
  if (is_array) napi_get_array_length(env, message, &count);
  if (count == 0) throw EmptyMessageError(env);
  // DGRAM and STREAM messages are exactly [address or routing id, data]. libzmq checks frame
  // by frame, so a wrong shape would leave the first frame queued and the socket stuck
  // mid-message; refuse it before sending anything.
  if (type_info_->frames == FrameShape::kPair && count != 2) {
    throw ErrnoError(env, EINVAL, "", type_info_->pair_rule);
  }

  // Convert every part before sending any: a bad part must not leave half a message behind.
  // Whatever is thrown from here on, `parts` closes what it holds.
  MessageParts parts;
  // After `parts`: its ZeroCopyFrames learn whether they were sent before `parts` closes them.
  ZeroCopyHandover handover(env, &parts);
  for (uint32_t index = 0; index < count; index++) {
    napi_value part = message;
    if (is_array) napi_get_element(env, message, index, &part);
    zmq_msg_t* msg = parts.Append();
    if (msg == nullptr) throw Napi::Error::New(env, "Out of memory for the parts of a message");
    if (!InitMessage(env, part, msg, &handover)) {
      parts.DropLast();  // InitMessage leaves it uninitialised.
      ThrowPendingOr(env, ENOMEM);
    }
  }

  // An array element's getter is JavaScript, which may have closed or lent the socket.
  if (handle_ == nullptr || close_pending_) throw ErrnoError(env, EBADF);
  if (lent()) throw ErrnoError(env, EBUSY);
  if (uses_udp_ && type_info_->udp && type_info_->writable) {
    // libzmq 4.3.4 puts a udp datagram in an 8 KiB buffer (group length byte, group, body):
    // refuse what cannot fit rather than have it dropped (or, unpatched, overflow). A RADIO
    // datagram carries the group; a DGRAM one is its body frame (the address is the header).
    size_t datagram = 0;
    if (type_info_->metadata == MessageMetadata::kGroup) {
      datagram = 1 + (group != nullptr ? group->size() : 0) + zmq_msg_size(parts.at(0));
    } else if (count >= 2) {
      datagram = zmq_msg_size(parts.at(1));
    }
    if (datagram > kMaxUdpDatagram) {
      throw ErrnoError(env, EMSGSIZE, "",
                       "a message over udp:// carries at most 8192 bytes (with its group)");
    }
  }

  if (routing_id != nullptr) {
    uint32_t id = 0;
    napi_get_value_uint32(env, routing_id, &id);
    if (zmq_msg_set_routing_id(parts.at(0), id) != 0) throw ErrnoError(env);
  }
  if (group != nullptr && zmq_msg_set_group(parts.at(0), group->c_str()) != 0) {
    throw ErrnoError(env);
  }
  // No JavaScript runs from here on: cut it off the zero-copy frames' bytes before any leave.
  handover.Detach(env);

  for (uint32_t sent = 0; sent < count; sent++) {
    int flags = ZMQ_DONTWAIT | (sent + 1 < count ? ZMQ_SNDMORE : 0);
    int rc;
    do {
      rc = zmq_msg_send(parts.at(sent), handle_, flags);
    } while (rc < 0 && zmq_errno() == EINTR);
    if (rc < 0) {
      int error = zmq_errno();
      // Only the first part can meet back-pressure: once it is accepted libzmq takes the
      // rest of the message whole.
      if (error == EAGAIN && sent == 0) return false;
      throw ErrnoError(env, error);
    }
    // Sent parts belong to libzmq now; `parts` closes the ones it never took.
    parts.Consumed(sent + 1);
  }
  return true;
}

Napi::Value Socket::TrySend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  napi_value routing_id = nullptr;
  if (info.Length() > 1 && info[1].IsNumber()) routing_id = info[1];
  std::string group;
  bool has_group = info.Length() > 2 && !info[2].IsUndefined();
  if (has_group) group = GroupArgument(env, info[2]);
  return Napi::Boolean::New(env, SendOne(env, info[0], routing_id, has_group ? &group : nullptr));
}

Napi::Value Socket::TrySendMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "Expected an array for messages");
  Napi::Array messages = info[0].As<Napi::Array>();
  uint32_t start = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  uint32_t length = messages.Length();
  uint32_t index = start;
  for (; index < length; index++) {
    napi_value message = nullptr;
    napi_get_element(env, messages, index, &message);
    if (!SendOne(env, message, nullptr, nullptr)) break;
  }
  return Napi::Number::New(env, index - start);
}

void Socket::GroupCall(const Napi::CallbackInfo& info, int (*call)(void*, const char*)) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  std::string group = GroupArgument(env, info[0]);
  if (call(handle_, group.c_str()) != 0) throw ErrnoError(env);
}

void Socket::Join(const Napi::CallbackInfo& info) { GroupCall(info, zmq_join); }
void Socket::Leave(const Napi::CallbackInfo& info) { GroupCall(info, zmq_leave); }

}  // namespace zmq_napi
