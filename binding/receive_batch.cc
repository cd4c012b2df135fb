// The batched receive path: many messages per call, with the bytes of small frames packed
// into one ArrayBuffer per batch and described in an Int32Array the JavaScript side shares,
// so that each received frame costs a Buffer view (tens of nanoseconds) rather than a native
// allocation and several Node-API calls.
//
// Layout of the shared Int32Array after a call that returned a batch:
//   [0]                 number of messages n
//   then per message:   parts p, then p pairs (offset, length) into the slab; offset -1 means
//                       "the next element of `extra`" (a frame above kSlabFrameBytes).
// A message that does not fit the rest of the array is given whole as the next element of
// `extra` (an array of Buffers), marked by p = -1.
#include <zmq.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "errors.h"
#include "message.h"
#include "socket.h"

namespace zmq_napi {

namespace {

// Frames up to this size are packed: an ArrayBuffer of its own per frame costs more than
// copying a few KiB into the slab (measured: 4 KiB frames need ~30 % less CPU packed; at
// 8 KiB packing gained nothing). Larger frames get their own Buffer (see TakeMessageBuffer).
constexpr size_t kSlabFrameBytes = 4096;
// A batch stops growing once its slab reaches this size. It bounds what one retained small
// Buffer keeps alive (its slab, shrunk to what the batch used).
constexpr size_t kSlabBytes = 64 * 1024;
constexpr size_t kSlabCapacity = kSlabBytes + kSlabFrameBytes;

// The slab becomes the ArrayBuffer's memory as it is, so its bytes are copied once (from the
// message), not twice. Runtimes that refuse external ArrayBuffers get a copy.
napi_value HandOverSlab(napi_env env, char* slab, size_t used) {
  if (used == 0) {
    std::free(slab);
    napi_value empty = nullptr;
    void* data = nullptr;
    napi_create_arraybuffer(env, 0, &data, &empty);
    return empty;
  }
  // Shrinking in place is cheap and gives the unused tail back.
  char* fitted = static_cast<char*>(std::realloc(slab, used));
  if (fitted != nullptr) slab = fitted;
  napi_value buffer = nullptr;
  napi_status status = napi_create_external_arraybuffer(
      env, slab, used, [](napi_env, void* data, void*) { std::free(data); }, nullptr, &buffer);
  if (status == napi_ok) return buffer;
  void* data = nullptr;
  status = napi_create_arraybuffer(env, used, &data, &buffer);
  if (status == napi_ok) std::memcpy(data, slab, used);
  std::free(slab);
  return status == napi_ok ? buffer : nullptr;
}

}  // namespace

void Socket::SetReceiveMeta(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, "Expected an Int32Array for meta");
  }
  Napi::Int32Array meta = info[0].As<Napi::Int32Array>();
  if (meta.ElementLength() < 16) throw Napi::RangeError::New(env, "meta is too small");
  meta_ = Napi::Persistent(meta);
  meta_data_ = meta.Data();
  meta_length_ = meta.ElementLength();
}

Napi::Value Socket::ReceiveBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  if (meta_data_ == nullptr) throw Napi::Error::New(env, "setReceiveMeta() was not called");
  uint32_t max = info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 1;
  bool watch_if_empty = info.Length() > 1 && info[1].ToBoolean();

  // Allocated at the first packed frame; owned here until HandOverSlab.
  std::unique_ptr<char, decltype(&std::free)> slab(nullptr, &std::free);
  size_t slab_used = 0;
  int32_t* meta = meta_data_;
  size_t used = 1;
  uint32_t count = 0;
  size_t bytes = 0;
  napi_value extra = nullptr;
  uint32_t extra_count = 0;
  auto add_extra = [&](napi_value value) {
    if (extra == nullptr) napi_create_array(env, &extra);
    napi_set_element(env, extra, extra_count++, value);
  };

  zmq_msg_t msg;
  while (count < max && bytes < kBatchBytes && slab_used < kSlabBytes) {
    zmq_msg_init(&msg);
    if (ReceiveFrame(handle_, &msg) < 0) {
      int error = zmq_errno();
      zmq_msg_close(&msg);
      if (error == EAGAIN) {
        // See ReceiveMany: the failed receive processed the commands, so the next message
        // raises ZMQ_FD; waiting needs no ZMQ_EVENTS check.
        if (count == 0 && watch_if_empty) SetWant(want_ | ZMQ_POLLIN);
        break;
      }
      // Messages already taken must not be lost: hand them over; libzmq reports the error
      // again on the next call.
      if (count > 0) break;
      throw ErrnoError(env, error);
    }

    // The message's frames: first into the rest of the shared array if they fit, else as one
    // array in `extra`. libzmq delivers messages whole, so the other frames are ready.
    size_t start = used;
    uint32_t extra_start = extra_count;
    bool inline_meta = true;
    int32_t parts = 0;
    napi_value whole = nullptr;
    used++;  // Room for the part count.
    for (;;) {
      bool more = zmq_msg_more(&msg) != 0;
      size_t size = zmq_msg_size(&msg);
      bytes += size;
      if (inline_meta && used + 2 > meta_length_) {
        // Out of room: restart this message as an array in `extra`.
        inline_meta = false;
        napi_create_array(env, &whole);
        // Frames already described for it become Buffers in the array, in order; its
        // entries in `extra` are given back.
        uint32_t extra_at = extra_start;
        for (int32_t i = 0; i < parts; i++) {
          int32_t offset = meta[start + 1 + 2 * i];
          int32_t length = meta[start + 2 + 2 * i];
          napi_value buffer = nullptr;
          if (offset >= 0) {
            void* copy = nullptr;
            napi_create_buffer_copy(env, length, slab.get() + offset, &copy, &buffer);
          } else {
            napi_get_element(env, extra, extra_at++, &buffer);
          }
          napi_set_element(env, whole, i, buffer);
        }
        extra_count = extra_start;
      }
      if (inline_meta && size <= kSlabFrameBytes && slab_used + size <= kSlabCapacity) {
        if (!slab) {
          slab.reset(static_cast<char*>(std::malloc(kSlabCapacity)));
          if (!slab) {
            zmq_msg_close(&msg);
            throw Napi::Error::New(env, "Out of memory for a receive batch");
          }
        }
        meta[used++] = static_cast<int32_t>(slab_used);
        meta[used++] = static_cast<int32_t>(size);
        if (size > 0) std::memcpy(slab.get() + slab_used, zmq_msg_data(&msg), size);
        slab_used += size;
        zmq_msg_close(&msg);
      } else {
        napi_value buffer = TakeMessageBuffer(env, &msg);
        if (buffer == nullptr) return env.Undefined();  // The environment is going away.
        if (inline_meta) {
          meta[used++] = -1;
          meta[used++] = static_cast<int32_t>(size);
          add_extra(buffer);
        } else {
          napi_set_element(env, whole, parts, buffer);
        }
      }
      parts++;
      if (!more) break;
      zmq_msg_init(&msg);
      if (ReceiveFrame(handle_, &msg) < 0) {
        int error = zmq_errno();
        zmq_msg_close(&msg);
        throw ErrnoError(env, error);
      }
    }
    if (inline_meta) {
      meta[start] = parts;
    } else {
      used = start + 1;
      meta[start] = -1;
      add_extra(whole);
    }
    count++;
  }

  if (count == 0) return env.Null();
  meta[0] = static_cast<int32_t>(count);
  napi_value slab_buffer = HandOverSlab(env, slab.release(), slab_used);
  if (slab_buffer == nullptr) return env.Undefined();
  napi_value result = nullptr;
  napi_create_array_with_length(env, 2, &result);
  napi_set_element(env, result, 0, slab_buffer);
  if (extra != nullptr) napi_set_element(env, result, 1, extra);
  return Napi::Value(env, result);
}

}  // namespace zmq_napi
