// The receive path, for every socket type: many whole messages per call, with the bytes of
// small frames packed into one ArrayBuffer (the slab) per batch and described in an Int32Array
// the TypeScript layer passes in (receive_layout.h), so that each received frame costs a Buffer
// view (tens of nanoseconds) rather than a native allocation and several Node-API calls.
#include <zmq.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "errors.h"
#include "message.h"
#include "receive_layout.h"
#include "socket.h"

namespace zmq_napi {

namespace layout = receive_layout;

namespace {

// Frames up to this size are packed: an ArrayBuffer of its own per frame costs more than
// copying a few KiB into the slab (measured: 4 KiB frames need ~30 % less CPU packed; at
// 8 KiB packing gained nothing). Larger frames get their own Buffer (see TakeMessageBuffer).
constexpr size_t kSlabFrameBytes = 4096;
// A batch stops growing once its slab reaches this size. It bounds what one retained small
// Buffer keeps alive (its slab, shrunk to what the batch used).
constexpr size_t kSlabBytes = size_t{64} * 1024;
constexpr size_t kSlabCapacity = kSlabBytes + kSlabFrameBytes;
constexpr size_t kSlabInitialBytes = 256;
// Slabs up to this size are copied into an engine-allocated ArrayBuffer (see HandOverSlab).
constexpr size_t kSlabCopyBytes = 8192;

// The slab as an ArrayBuffer. A small one is copied into memory the engine allocates: an
// external ArrayBuffer costs more than copying a few KiB (callgrind, one 16-byte reply per
// batch: ~5,000 instructions for the external one, most of a round trip's native work), and
// its memory is then freed without a finalizer. A larger one becomes the ArrayBuffer's memory
// as it is, so its bytes are copied once (from the message), not twice; runtimes that refuse
// external ArrayBuffers get a copy.
napi_value HandOverSlab(napi_env env, char* slab, size_t used) {
  napi_value buffer = nullptr;
  if (used <= kSlabCopyBytes) {
    void* data = nullptr;
    napi_status status = napi_create_arraybuffer(env, used, &data, &buffer);
    if (status == napi_ok && used > 0) std::memcpy(data, slab, used);
    std::free(slab);
    return status == napi_ok ? buffer : nullptr;
  }
  // Shrinking in place is cheap and gives the unused tail back.
  char* fitted = static_cast<char*>(std::realloc(slab, used));
  if (fitted != nullptr) slab = fitted;
  napi_status status = napi_create_external_arraybuffer(
      env, slab, used, [](napi_env, void* data, void*) { std::free(data); }, nullptr, &buffer);
  if (status == napi_ok) return buffer;
  void* data = nullptr;
  status = napi_create_arraybuffer(env, used, &data, &buffer);
  if (status == napi_ok) std::memcpy(data, slab, used);
  std::free(slab);
  return status == napi_ok ? buffer : nullptr;
}

// One batch being written: the description array (bounds-checked), the slab and `extra`.
class BatchWriter {
 public:
  BatchWriter(napi_env env, int32_t* meta, size_t length)
      : env_(env), meta_(meta), length_(length) {}

  bool HasRoomForHeader() const { return used_ + layout::kHeaderSlots <= length_; }
  bool HasRoomFor(size_t parts) const {
    // Overflow-safe: parts is at most the frames of one message.
    return parts <= (length_ - used_ - layout::kHeaderSlots) / layout::kFrameSlots;
  }
  bool SlabFull() const { return slab_used_ >= kSlabBytes; }
  uint32_t count() const { return count_; }

  // Writes a message's header; returns where it is, for the fields set afterwards.
  size_t BeginMessage(int32_t parts) {
    size_t header = used_;
    Write(header + layout::kPartsField, parts);
    Write(header + layout::kRoutingIdField, 0);
    Write(header + layout::kGroupOffsetField, layout::kInExtra);
    Write(header + layout::kGroupLengthField, layout::kNoGroup);
    used_ += layout::kHeaderSlots;
    count_++;
    return header;
  }

  void SetRoutingId(size_t header, uint32_t id) {
    Write(header + layout::kRoutingIdField, static_cast<int32_t>(id));
  }

  bool SetGroup(size_t header, const char* group) {
    size_t length = group != nullptr ? std::strlen(group) : 0;
    Write(header + layout::kGroupLengthField, static_cast<int32_t>(length));
    int32_t offset = Pack(group, length);
    if (offset == kPackFailed) return false;
    if (offset != layout::kInExtra) {
      Write(header + layout::kGroupOffsetField, offset);
      return true;
    }
    napi_value buffer = nullptr;
    void* copy = nullptr;
    if (napi_create_buffer_copy(env_, length, group, &copy, &buffer) != napi_ok) return false;
    return AddExtra(buffer);
  }

  // Describes frame `msg` (consumed) in the slots that follow the header.
  bool AddFrame(zmq_msg_t* msg) {
    size_t size = zmq_msg_size(msg);
    int32_t offset = size <= kSlabFrameBytes
                         ? Pack(static_cast<const char*>(zmq_msg_data(msg)), size)
                         : layout::kInExtra;
    if (offset == kPackFailed) {
      zmq_msg_close(msg);
      return false;
    }
    Write(used_ + layout::kFrameOffsetField, offset);
    Write(used_ + layout::kFrameLengthField,
          offset == layout::kInExtra ? 0 : static_cast<int32_t>(size));
    used_ += layout::kFrameSlots;
    if (offset != layout::kInExtra) {
      zmq_msg_close(msg);
      return true;
    }
    napi_value buffer = TakeMessageBuffer(env_, msg);
    return buffer != nullptr && AddExtra(buffer);
  }

  bool AddExtra(napi_value value) {
    if (extra_ == nullptr && napi_create_array(env_, &extra_) != napi_ok) return false;
    return napi_set_element(env_, extra_, extra_count_++, value) == napi_ok;
  }

  // The slab, or [slab, extra] when some frames are not in it; nullptr with a pending
  // exception.
  napi_value Finish() {
    Write(layout::kCountSlot, static_cast<int32_t>(count_));
    napi_value slab = HandOverSlab(env_, slab_.release(), slab_used_);
    if (slab == nullptr || extra_ == nullptr) return slab;
    napi_value result = nullptr;
    if (napi_create_array_with_length(env_, 2, &result) != napi_ok) return nullptr;
    napi_set_element(env_, result, 0, slab);
    napi_set_element(env_, result, 1, extra_);
    return result;
  }

 private:
  static constexpr int32_t kPackFailed = -2;

  void Write(size_t slot, int32_t value) {
    // Every caller has checked room first; this is the last line, not the bound.
    if (slot < length_) meta_[slot] = value;
  }

  // Copies bytes into the slab: their offset, kInExtra when the slab has no room, or
  // kPackFailed (out of memory, with a pending exception).
  int32_t Pack(const char* data, size_t size) {
    if (slab_used_ + size > kSlabCapacity) return layout::kInExtra;
    if (slab_used_ + size > slab_capacity_ && !Grow(slab_used_ + size)) {
      napi_throw_error(env_, nullptr, "Out of memory for a receive batch");
      return kPackFailed;
    }
    int32_t offset = static_cast<int32_t>(slab_used_);
    if (size > 0) std::memcpy(slab_.get() + slab_used_, data, size);
    slab_used_ += size;
    return offset;
  }

  // The slab starts small and doubles (up to kSlabCapacity): a batch of one small reply,
  // the common case in request/reply, then costs a small allocation, not 68 KiB.
  bool Grow(size_t needed) {
    size_t capacity = slab_capacity_ == 0 ? kSlabInitialBytes : slab_capacity_;
    while (capacity < needed) capacity *= 2;
    if (capacity > kSlabCapacity) capacity = kSlabCapacity;
    auto* grown = static_cast<char*>(std::realloc(slab_.get(), capacity));
    if (grown == nullptr) return false;
    // realloc freed or kept the old block: the pointer is given up, not freed again.
    (void)slab_.release();
    slab_.reset(grown);
    slab_capacity_ = capacity;
    return true;
  }

  napi_env env_;
  int32_t* meta_;
  size_t length_;
  size_t used_ = layout::kFirstMessageSlot;
  uint32_t count_ = 0;
  std::unique_ptr<char, decltype(&std::free)> slab_{nullptr, &std::free};
  size_t slab_used_ = 0;
  size_t slab_capacity_ = 0;
  napi_value extra_ = nullptr;
  uint32_t extra_count_ = 0;
};

}  // namespace

Napi::Object ReceiveLayoutObject(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  auto set = [&](const char* name, double value) { result.Set(name, value); };
  set("countSlot", layout::kCountSlot);
  set("firstMessageSlot", layout::kFirstMessageSlot);
  set("partsField", layout::kPartsField);
  set("routingIdField", layout::kRoutingIdField);
  set("groupOffsetField", layout::kGroupOffsetField);
  set("groupLengthField", layout::kGroupLengthField);
  set("headerSlots", layout::kHeaderSlots);
  set("frameOffsetField", layout::kFrameOffsetField);
  set("frameLengthField", layout::kFrameLengthField);
  set("frameSlots", layout::kFrameSlots);
  set("inExtra", layout::kInExtra);
  set("wholeInExtra", layout::kWholeInExtra);
  set("noGroup", layout::kNoGroup);
  set("maxMessages", layout::kMaxMessages);
  set("metaLength", static_cast<double>(layout::kMetaLength));
  return result;
}

// receiveBatch(meta: Int32Array, max, watchIfEmpty): null when nothing was ready, else the
// slab or [slab, extra], with `meta` describing the messages (receive_layout.h). With watchIfEmpty,
// an empty result also starts the wait for ZMQ_POLLIN: the failed receive just processed the
// commands and found the queue empty, so the next message raises ZMQ_FD; no ZMQ_EVENTS check
// is needed.
Napi::Value Socket::ReceiveBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  // One napi_get_typedarray_info call: node-addon-api's accessors make one each.
  napi_typedarray_type meta_type = napi_uint8_array;
  size_t meta_length = 0;
  void* meta_data = nullptr;
  if (!info[0].IsTypedArray() ||
      napi_get_typedarray_info(env, info[0], &meta_type, &meta_length, &meta_data, nullptr,
                               nullptr) != napi_ok ||
      meta_type != napi_int32_array) {
    throw Napi::TypeError::New(env, "Expected an Int32Array for meta");
  }
  if (meta_length < layout::kMinMetaLength) {
    throw Napi::RangeError::New(env, "Expected an Int32Array of at least " +
                                         std::to_string(layout::kMinMetaLength) +
                                         " elements for meta");
  }
  uint32_t max = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 1;
  bool watch_if_empty = info.Length() > 2 && info[2].ToBoolean();

  BatchWriter batch(env, static_cast<int32_t*>(meta_data), meta_length);
  MessageParts frames;
  size_t bytes = 0;
  bool ended = false;  // A message went whole into `extra`: nothing may follow it.
  while (!ended && batch.count() < max && bytes < kBatchBytes && !batch.SlabFull() &&
         batch.HasRoomForHeader()) {
    int received = ReceiveMessage(handle_, &frames);
    if (received == 0) {
      if (batch.count() == 0 && watch_if_empty) SetWant(want_ | ZMQ_POLLIN);
      break;
    }
    if (received < 0) {
      // Messages already taken must not be lost: hand them over; libzmq reports the error
      // again on the next call.
      if (batch.count() > 0) break;
      throw ErrnoError(env, zmq_errno());
    }

    size_t parts = frames.count();
    bytes += frames.Bytes();
    bool inline_frames = batch.HasRoomFor(parts);
    size_t header =
        batch.BeginMessage(inline_frames ? static_cast<int32_t>(parts) : layout::kWholeInExtra);
    bool ok = true;
    if (type_info_->metadata == MessageMetadata::kRoutingId) {
      batch.SetRoutingId(header, zmq_msg_routing_id(frames.at(0)));
    } else if (type_info_->metadata == MessageMetadata::kGroup) {
      ok = batch.SetGroup(header, zmq_msg_group(frames.at(0)));
    }
    if (ok && inline_frames) {
      for (size_t i = 0; ok && i < parts; i++) {
        frames.Consumed(i + 1);
        ok = batch.AddFrame(frames.at(i));
      }
    } else if (ok) {
      // Too many frames for what is left of `meta`: the message goes whole, and ends the batch.
      napi_value whole = nullptr;
      ok = napi_create_array_with_length(env, parts, &whole) == napi_ok;
      for (size_t i = 0; ok && i < parts; i++) {
        frames.Consumed(i + 1);
        napi_value buffer = TakeMessageBuffer(env, frames.at(i));
        ok = buffer != nullptr &&
             napi_set_element(env, whole, static_cast<uint32_t>(i), buffer) == napi_ok;
      }
      ok = ok && batch.AddExtra(whole);
      ended = true;
    }
    // A failed Node-API call leaves a pending exception (errors.h: thrown here, as C++).
    if (!ok) ThrowPendingOr(env, ENOMEM);
  }

  if (batch.count() == 0) return env.Null();
  napi_value result = batch.Finish();
  if (result == nullptr) ThrowPendingOr(env, ENOMEM);
  return Napi::Value(env, result);
}

}  // namespace zmq_napi
