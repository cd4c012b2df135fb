#include "message.h"

#include <cerrno>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "zero_copy_frame.h"

namespace zmq_napi {

namespace {

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;  // float64, bigint64, biguint64
  }
}

bool InitFromBytes(const void* data, size_t length, zmq_msg_t* msg) {
  if (zmq_msg_init_size(msg, length) != 0) return false;
  if (length > 0) std::memcpy(zmq_msg_data(msg), data, length);
  return true;
}

bool InitFromString(napi_env env, napi_value value, zmq_msg_t* msg) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) return false;
  // napi writes a terminating NUL, which the message must not contain: small strings go
  // through the stack, large ones are written once into a heap block libzmq then owns.
  char stack[256];
  if (length < sizeof(stack)) {
    napi_get_value_string_utf8(env, value, stack, sizeof(stack), &length);
    return InitFromBytes(stack, length, msg);
  }
  char* heap = static_cast<char*>(std::malloc(length + 1));
  if (heap == nullptr) return false;
  napi_get_value_string_utf8(env, value, heap, length + 1, &length);
  return zmq_msg_init_data(
             msg, heap, length, [](void* data, void*) { std::free(data); }, nullptr) == 0;
}

void ThrowUnsupported(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, value, &type);
  static const char* const kNames[] = {"undefined", "null",   "boolean",  "number",   "string",
                                       "symbol",    "object", "function", "external", "bigint"};
  std::string message =
      "Expected Buffer, TypedArray, DataView, ArrayBuffer, string, number or null for message "
      "but received ";
  message += kNames[type];
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message.c_str());
}

}  // namespace

bool InitMessage(napi_env env, napi_value value, zmq_msg_t* msg, ZeroCopyHandover* handover) {
  bool is = false;
  napi_is_buffer(env, value, &is);
  if (is) {
    void* data = nullptr;
    size_t length = 0;
    napi_get_buffer_info(env, value, &data, &length);
    return InitFromBytes(data, length, msg);
  }
  napi_valuetype type = napi_undefined;
  napi_typeof(env, value, &type);
  switch (type) {
    case napi_string:
      return InitFromString(env, value, msg);
    case napi_number: {
      napi_value text = nullptr;
      napi_coerce_to_string(env, value, &text);
      return InitFromString(env, text, msg);
    }
    case napi_null:
      return zmq_msg_init(msg) == 0;
    case napi_object:
      break;
    case napi_external:
      if (IsZeroCopyFrame(env, value)) return handover->Claim(value, msg);
      ThrowUnsupported(env, value);
      return false;
    default:
      ThrowUnsupported(env, value);
      return false;
  }
  napi_is_typedarray(env, value, &is);
  if (is) {
    napi_typedarray_type array_type;
    size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env, value, &array_type, &length, &data, nullptr, nullptr);
    return InitFromBytes(data, length * ElementSize(array_type), msg);
  }
  napi_is_dataview(env, value, &is);
  if (is) {
    size_t length = 0;
    void* data = nullptr;
    napi_get_dataview_info(env, value, &length, &data, nullptr, nullptr);
    return InitFromBytes(data, length, msg);
  }
  napi_is_arraybuffer(env, value, &is);
  if (is) {
    size_t length = 0;
    void* data = nullptr;
    napi_get_arraybuffer_info(env, value, &data, &length);
    return InitFromBytes(data, length, msg);
  }
  ThrowUnsupported(env, value);
  return false;
}

int ReceiveFrame(void* socket, zmq_msg_t* msg) {
  int rc;
  do {
    rc = zmq_msg_recv(msg, socket, ZMQ_DONTWAIT);
  } while (rc < 0 && zmq_errno() == EINTR);
  return rc;
}

zmq_msg_t* MessageParts::Append() {
  if (count_ == capacity_) {
    size_t capacity = capacity_ * 2;
    std::unique_ptr<zmq_msg_t[]> grown(new (std::nothrow) zmq_msg_t[capacity]);
    if (!grown) return nullptr;
    // A zmq_msg_t is moved with zmq_msg_move, never copied byte for byte.
    zmq_msg_t* old = parts();
    for (size_t i = consumed_; i < count_; i++) {
      zmq_msg_init(&grown[i]);
      zmq_msg_move(&grown[i], &old[i]);
      zmq_msg_close(&old[i]);
    }
    heap_ = std::move(grown);
    capacity_ = capacity;
  }
  zmq_msg_t* msg = &parts()[count_++];
  zmq_msg_init(msg);
  return msg;
}

size_t MessageParts::Bytes() const {
  size_t total = 0;
  for (size_t i = 0; i < count_; i++) total += zmq_msg_size(&parts()[i]);
  return total;
}

void MessageParts::Reset() {
  for (size_t i = consumed_; i < count_; i++) zmq_msg_close(&parts()[i]);
  count_ = 0;
  consumed_ = 0;
}

int ReceiveMessage(void* socket, MessageParts* parts) {
  parts->Reset();
  for (;;) {
    zmq_msg_t* msg = parts->Append();
    if (msg == nullptr) {
      parts->Reset();
      errno = ENOMEM;
      return -1;
    }
    if (ReceiveFrame(socket, msg) < 0) {
      int error = zmq_errno();
      zmq_msg_close(msg);
      parts->DropLast();
      // libzmq delivers messages whole: only a first part can find nothing ready.
      bool first = parts->count() == 0;
      parts->Reset();
      errno = first || error != EAGAIN ? error : EPROTO;
      return first && error == EAGAIN ? 0 : -1;
    }
    if (zmq_msg_more(msg) == 0) return 1;
  }
}

napi_value TakeMessageBuffer(napi_env env, zmq_msg_t* msg) {
  size_t size = zmq_msg_size(msg);
  napi_value buffer = nullptr;
  // A shared message (an inproc PUB gives every subscriber the same reference-counted buffer)
  // is copied: a Buffer over its bytes would let one receiver change what the others receive.
  if (size > kZeroCopyReceiveBytes && zmq_msg_get(msg, ZMQ_SHARED) != 1) {
    auto* owned = new zmq_msg_t;
    zmq_msg_init(owned);
    zmq_msg_move(owned, msg);  // `msg` is left empty and still needs closing.
    zmq_msg_close(msg);
    napi_status status = napi_create_external_buffer(
        env, size, zmq_msg_data(owned),
        [](napi_env env, void*, void* hint) {
          auto* owned = static_cast<zmq_msg_t*>(hint);
          int64_t ignored;  // the counter's new value
          napi_adjust_external_memory(env, -static_cast<int64_t>(zmq_msg_size(owned)), &ignored);
          zmq_msg_close(owned);
          delete owned;
        },
        owned, &buffer);
    // The bytes are reported to the engine on top of its own count of the backing store, as
    // `zeromq` does: it then collects sooner, and libzmq's allocator gets the memory back while
    // its pages are still mapped. Counted once, a stream of 64 KiB frames piled up ~100 MB
    // before the first mark-compact, and every new frame faulted in fresh pages (16 per frame;
    // a fault is dear in a VM): REQ↔REP 64 KiB took 318 µs a round trip against 250 µs.
    if (status == napi_ok) {
      int64_t ignored;
      napi_adjust_external_memory(env, static_cast<int64_t>(size), &ignored);
      return buffer;
    }
    // Runtimes that forbid external buffers get a copy.
    void* copy = nullptr;
    status = napi_create_buffer_copy(env, size, zmq_msg_data(owned), &copy, &buffer);
    zmq_msg_close(owned);
    delete owned;
    return status == napi_ok ? buffer : nullptr;
  }
  void* copy = nullptr;
  napi_status status = napi_create_buffer_copy(env, size, zmq_msg_data(msg), &copy, &buffer);
  zmq_msg_close(msg);
  return status == napi_ok ? buffer : nullptr;
}

}  // namespace zmq_napi
