#include "zero_copy_frame.h"

#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>

#include "errors.h"
#include "message.h"
#include "module.h"

namespace zmq_napi {

enum ReleaseState : int { kUnwatched, kWatched, kReleased };

// One frame's bytes and what JavaScript knows of them. Fields below `notifier` belong to the
// JavaScript thread.
struct ZeroCopyBlock {
  char* data = nullptr;
  size_t size = 0;
  // Live ArrayBuffers over `data`, libzmq while a message holds it, and the handle until the
  // frame is sent (a send attempt that did not happen may have detached every ArrayBuffer).
  std::atomic<int> byte_holders{0};
  // The JavaScript handle, the bytes while held, a queued release notification.
  std::atomic<int> refs{0};
  // Whether libzmq's reference belongs to a message being sent (set before the send, cleared
  // when it did not happen): an unsent part's close is no release.
  std::atomic<bool> handed_over{false};
  // Who must hear of the release: nobody yet (kUnwatched: libzmq's free function only records
  // it, so that a stream of frames nobody watches costs no wake-ups), a promise (kWatched: the
  // release goes through the notifier), or it happened (kReleased).
  std::atomic<int> release{kUnwatched};
  ZeroCopyNotifier* notifier = nullptr;
  ZeroCopyBlock* next = nullptr;  // In the notifier's queue (under its lock).

  // The Buffer JavaScript writes through, until a send detaches it. Strong: a queued send holds
  // only the handle, and were the program to transfer the ArrayBuffer and drop the frame, a weak
  // reference would be cleared and the detach check would pass bytes still reachable through
  // the transferred ArrayBuffer (test/zero-copy: "transferred while it waits for a peer").
  napi_ref buffer = nullptr;
  napi_deferred deferred = nullptr;
  bool claimed = false;  // In a message being converted and sent.
  bool sent = false;     // libzmq took it: never sendable again.
  bool awaited = false;  // Counted in the notifier's Awaiting.
};

namespace {

constexpr napi_type_tag kZeroCopyFrameTag = {0x7a6d716e61706921ULL, 0x7a65726f636f7079ULL};

void UnrefBlock(ZeroCopyBlock* block) {
  if (block->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  block->notifier->Unref();
  delete block;
}

// Any thread: one holder of the bytes is done with them. Returns true when it was the last and
// the bytes are freed: the reference they had on the block is then the caller's to drop.
bool ReleaseBytes(ZeroCopyBlock* block) {
  if (block->byte_holders.fetch_sub(1, std::memory_order_acq_rel) != 1) return false;
  std::free(block->data);
  block->data = nullptr;
  return true;
}

// ReleaseBytes, for a caller with a reference of its own on the block (which so outlives it).
void ReleaseBytesReferenced(ZeroCopyBlock* block) {
  if (ReleaseBytes(block)) block->refs.fetch_sub(1, std::memory_order_acq_rel);
}

void DropBytes(ZeroCopyBlock* block) {
  if (ReleaseBytes(block)) UnrefBlock(block);
}

void HoldBytes(ZeroCopyBlock* block) {
  if (block->byte_holders.fetch_add(1, std::memory_order_relaxed) == 0) {
    block->refs.fetch_add(1, std::memory_order_relaxed);
  }
}

// libzmq's free function: on an I/O thread, a receiving thread, zmq_ctx_term's, or ours when
// a part that was not sent is closed.
void LibzmqDone(void*, void* hint) {
  auto* block = static_cast<ZeroCopyBlock*>(hint);
  if (!block->handed_over.load(std::memory_order_acquire) ||
      block->release.exchange(kReleased, std::memory_order_acq_rel) != kWatched) {
    DropBytes(block);
    return;
  }
  // The notification's reference, taken while libzmq's hold on the bytes keeps the block.
  block->refs.fetch_add(1, std::memory_order_relaxed);
  ReleaseBytesReferenced(block);
  block->notifier->Post(block);
}

void ArrayBufferFinalized(napi_env, void*, void* hint) {
  DropBytes(static_cast<ZeroCopyBlock*>(hint));
}

// The frame's handle was collected.
void HandleFinalized(napi_env env, void* data, void*) {
  auto* block = static_cast<ZeroCopyBlock*>(data);
  if (block->buffer != nullptr) napi_delete_reference(env, block->buffer);
  block->buffer = nullptr;
  if (block->sent) {
    UnrefBlock(block);
    return;
  }
  ReleaseBytesReferenced(block);  // The handle's hold on the bytes, kept until a send.
  if (block->release.exchange(kReleased, std::memory_order_acq_rel) != kWatched) {
    UnrefBlock(block);
    return;
  }
  // Its bytes go with its buffer: the promise of their release resolves, through the notifier
  // (a finalizer must not run JavaScript), which takes over the handle's reference.
  block->notifier->Post(block);
}

napi_value NewBuffer(napi_env env, ZeroCopyBlock* block) {
  napi_value buffer = nullptr;
  HoldBytes(block);
  if (napi_create_external_buffer(env, block->size, block->data, ArrayBufferFinalized, block,
                                  &buffer) != napi_ok) {
    DropBytes(block);
    return nullptr;
  }
  napi_create_reference(env, buffer, 1, &block->buffer);
  return buffer;
}

// The ArrayBuffer under a frame's Buffer.
napi_value ArrayBufferOf(napi_env env, napi_ref buffer_ref) {
  napi_value buffer = nullptr;
  napi_value arraybuffer = nullptr;
  napi_get_reference_value(env, buffer_ref, &buffer);
  napi_get_typedarray_info(env, buffer, nullptr, nullptr, nullptr, &arraybuffer, nullptr);
  return arraybuffer;
}

bool IsDetached(napi_env env, napi_ref buffer_ref) {
  bool detached = false;
  napi_is_detached_arraybuffer(env, ArrayBufferOf(env, buffer_ref), &detached);
  return detached;
}

ZeroCopyBlock* BlockOf(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  bool ours = false;
  void* block = nullptr;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
  if (napi_check_object_type_tag(env, value, &kZeroCopyFrameTag, &ours) != napi_ok || !ours) {
    return nullptr;
  }
  napi_get_value_external(env, value, &block);
  return static_cast<ZeroCopyBlock*>(block);
}

ZeroCopyBlock* BlockArgument(const Napi::CallbackInfo& info) {
  ZeroCopyBlock* block = info.Length() > 0 ? BlockOf(info.Env(), info[0]) : nullptr;
  if (block == nullptr) throw Napi::TypeError::New(info.Env(), "Expected a ZeroCopyFrame handle");
  return block;
}

Napi::TypeError CodedTypeError(Napi::Env env, const std::string& message, const char* code) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", code);
  return error;
}

std::string FrameProblem(const char* problem) {
  return std::string("Expected a ZeroCopyFrame that can be sent for message, but ") + problem;
}

void ThrowFrameError(napi_env env, const char* problem) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", FrameProblem(problem).c_str());
}

constexpr const char* kDetachedProblem =
    "its buffer was detached or transferred (its bytes may be reachable elsewhere)";

// Whether this runtime has external ArrayBuffers that can be detached.
bool CanDetachExternalBuffers(napi_env env) {
  static char probe;
  napi_value buffer = nullptr;
  napi_value arraybuffer = nullptr;
  bool detached = false;
  if (napi_create_external_buffer(env, 1, &probe, nullptr, nullptr, &buffer) != napi_ok ||
      napi_get_typedarray_info(env, buffer, nullptr, nullptr, nullptr, &arraybuffer, nullptr) !=
          napi_ok ||
      napi_detach_arraybuffer(env, arraybuffer) != napi_ok ||
      napi_is_detached_arraybuffer(env, arraybuffer, &detached) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return false;
  }
  return detached;
}

}  // namespace

bool IsZeroCopyFrame(napi_env env, napi_value value) { return BlockOf(env, value) != nullptr; }

// --- the JavaScript functions ---------------------------------------------------------------

Napi::Value CreateZeroCopyFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "Expected a number for byteLength");
  double length = info[0].As<Napi::Number>().DoubleValue();
  // src/zero-copy.ts checks the range against buffer.constants.MAX_LENGTH first.
  if (!(length >= 0 && length <= 9007199254740991.0)) {
    throw Napi::RangeError::New(env, "byteLength is out of range");
  }
  ZeroCopyNotifier* notifier = env.GetInstanceData<Module>()->zero_copy_notifier();
  auto size = static_cast<size_t>(length);
  // One byte at least: a null pointer would make the ArrayBuffer detached from the start.
  size_t bytes = size > 0 ? size : 1;
  char* data = static_cast<char*>(info[1].ToBoolean() ? std::calloc(bytes, 1) : std::malloc(bytes));
  auto* block = data != nullptr ? new (std::nothrow) ZeroCopyBlock() : nullptr;
  if (block == nullptr) {
    std::free(data);
    throw Napi::RangeError::New(
        env, "Cannot allocate " + std::to_string(size) + " bytes for a ZeroCopyFrame");
  }
  block->data = data;
  block->size = size;
  block->notifier = notifier;
  notifier->Ref();
  block->refs.store(1);  // the handle's, taken over by HandleFinalized below
  HoldBytes(block);      // the handle's too, until the frame is sent
  // No napi_adjust_external_memory, unlike a received frame (TakeMessageBuffer): a sent frame's
  // bytes leave its ArrayBuffer at the send and libzmq frees them once sent, so only unsent
  // frames wait for a collection, and V8's own count of their ArrayBuffers is enough for those
  // (test/zero-copy.test.ts: 1 GiB of them dropped). Counting them again doubled the
  // collections a stream of unsent frames causes.
  napi_value buffer = NewBuffer(env, block);
  napi_value handle = nullptr;
  if (buffer == nullptr ||
      napi_create_external(env, block, HandleFinalized, nullptr, &handle) != napi_ok) {
    HandleFinalized(env, block, nullptr);
    ThrowPendingOr(env, ENOMEM);
  }
  napi_type_tag_object(env, handle, &kZeroCopyFrameTag);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Value(env, handle));
  result.Set(1u, Napi::Value(env, buffer));
  return result;
}

Napi::Value ZeroCopyFrameBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ZeroCopyBlock* block = BlockArgument(info);
  if (block->sent) {
    throw CodedTypeError(
        env, "The ZeroCopyFrame was sent: its bytes belong to libzmq until it frees them",
        "ERR_INVALID_STATE");
  }
  if (block->buffer == nullptr) {
    // A send attempt detached the last one and then did not happen.
    if (NewBuffer(env, block) == nullptr) ThrowPendingOr(env, ENOMEM);
  }
  napi_value buffer = nullptr;
  napi_get_reference_value(env, block->buffer, &buffer);
  return Napi::Value(env, buffer);
}

Napi::Value ZeroCopyFrameSent(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), BlockArgument(info)->sent);
}

Napi::Value ZeroCopyFrameReleased(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ZeroCopyBlock* block = BlockArgument(info);
  if (block->deferred != nullptr) {
    throw Napi::Error::New(env, "zeroCopyFrameReleased: called twice for one frame");
  }
  napi_value promise = nullptr;
  napi_deferred deferred = nullptr;
  if (napi_create_promise(env, &deferred, &promise) != napi_ok) ThrowPendingOr(env, ENOMEM);
  int unwatched = kUnwatched;
  if (!block->release.compare_exchange_strong(unwatched, kWatched, std::memory_order_acq_rel)) {
    napi_resolve_deferred(env, deferred, env.Undefined());  // Released already.
    return Napi::Value(env, promise);
  }
  // The notifier delivers on this thread, after this call: setting it now is in time.
  block->deferred = deferred;
  if (block->sent && !block->awaited) {
    block->awaited = true;
    block->notifier->Awaiting(env, 1);
  }
  return Napi::Value(env, promise);
}

// --- ZeroCopyHandover -----------------------------------------------------------------------

bool ZeroCopyHandover::Claim(napi_value handle, zmq_msg_t* msg) {
  ZeroCopyBlock* block = BlockOf(env_, handle);
  if (block->sent) {
    ThrowFrameError(env_, "it was sent already");
    return false;
  }
  if (block->claimed) {
    ThrowFrameError(env_, "it is in this message twice");
    return false;
  }
  if (block->buffer != nullptr && IsDetached(env_, block->buffer)) {
    ThrowFrameError(env_, kDetachedProblem);
    return false;
  }
  try {
    claimed_.push_back({block, parts_->count() - 1});
  } catch (const std::bad_alloc&) {
    return false;
  }
  HoldBytes(block);
  if (zmq_msg_init_data(msg, block->data, block->size, LibzmqDone, block) != 0) {
    DropBytes(block);
    claimed_.pop_back();
    return false;
  }
  block->claimed = true;
  return true;
}

void ZeroCopyHandover::Detach(Napi::Env env) {
  // Check every frame before detaching any: a refused message leaves its frames as they were.
  for (const Claimed& claim : claimed_) {
    ZeroCopyBlock* block = claim.block;
    if (block->buffer != nullptr && IsDetached(env, block->buffer)) {
      throw CodedTypeError(env, FrameProblem(kDetachedProblem), "ERR_INVALID_ARG_VALUE");
    }
  }
  for (const Claimed& claim : claimed_) {
    ZeroCopyBlock* block = claim.block;
    if (block->buffer != nullptr) {
      if (napi_detach_arraybuffer(env, ArrayBufferOf(env, block->buffer)) != napi_ok) {
        // CanDetachExternalBuffers said this works; should it not, nothing leaves.
        throw Napi::Error::New(env, "zmq-napi: could not detach a ZeroCopyFrame's buffer");
      }
      napi_delete_reference(env, block->buffer);
      block->buffer = nullptr;
    }
  }
  for (const Claimed& claim : claimed_) {
    claim.block->handed_over.store(true, std::memory_order_release);
  }
}

ZeroCopyHandover::~ZeroCopyHandover() {
  size_t sent = parts_->consumed();
  for (const Claimed& claim : claimed_) {
    ZeroCopyBlock* block = claim.block;
    block->claimed = false;
    if (claim.part >= sent) {
      // libzmq never had it: the close that follows is ours, not a release.
      block->handed_over.store(false, std::memory_order_relaxed);
      continue;
    }
    block->sent = true;
    if (block->deferred != nullptr && !block->awaited) {
      block->awaited = true;
      block->notifier->Awaiting(env_, 1);
    }
    // The handle's hold on the bytes (libzmq's remains); the handle itself, on the caller's
    // stack, keeps the block.
    ReleaseBytesReferenced(block);
  }
}

// --- ZeroCopyNotifier -----------------------------------------------------------------------

ZeroCopyNotifier* ZeroCopyNotifier::Create(napi_env env) {
  if (!CanDetachExternalBuffers(env)) {
    napi_value message = nullptr;
    napi_value code = nullptr;
    napi_value error = nullptr;
    napi_create_string_utf8(env,
                            "zmq-napi: ZeroCopyFrame needs external ArrayBuffers that can be "
                            "detached, which this runtime does not provide; send a Buffer "
                            "(copied) instead",
                            NAPI_AUTO_LENGTH, &message);
    napi_create_string_utf8(env, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, message, &error);
    napi_set_named_property(env, error, "code", code);
    napi_throw(env, error);
    return nullptr;
  }
  auto* notifier = new ZeroCopyNotifier();
  napi_value name = nullptr;
  napi_create_string_utf8(env, "zmq-napi:zero-copy-release", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, notifier, Finalized,
                                      notifier, Deliver, &notifier->tsfn_) != napi_ok) {
    delete notifier;
    return nullptr;
  }
  // Only an awaited release keeps the event loop alive (Awaiting).
  napi_unref_threadsafe_function(env, notifier->tsfn_);
  return notifier;
}

void ZeroCopyNotifier::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void ZeroCopyNotifier::Post(ZeroCopyBlock* block) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (tsfn_ == nullptr) {
    lock.unlock();
    UnrefBlock(block);  // The environment is gone: nobody to tell.
    return;
  }
  block->next = nullptr;
  if (tail_ != nullptr) {
    tail_->next = block;
  } else {
    head_ = block;
  }
  tail_ = block;
  // One call carries every release queued until it runs.
  if (!call_pending_) {
    call_pending_ = napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking) == napi_ok;
  }
}

ZeroCopyBlock* ZeroCopyNotifier::TakeQueue() {
  ZeroCopyBlock* queue = head_;
  head_ = tail_ = nullptr;
  call_pending_ = false;
  return queue;
}

void ZeroCopyNotifier::Deliver(napi_env env, napi_value, void* context, void*) {
  auto* notifier = static_cast<ZeroCopyNotifier*>(context);
  if (env == nullptr) return;  // Dropped at teardown; Finalized frees what is queued.
  ZeroCopyBlock* block;
  {
    std::lock_guard<std::mutex> lock(notifier->mutex_);
    block = notifier->TakeQueue();
  }
  napi_value undefined = nullptr;
  napi_get_undefined(env, &undefined);
  while (block != nullptr) {
    ZeroCopyBlock* next = block->next;
    if (block->deferred != nullptr) {
      napi_resolve_deferred(env, block->deferred, undefined);
      block->deferred = nullptr;
    }
    if (block->awaited) notifier->Awaiting(env, -1);
    block->awaited = false;
    UnrefBlock(block);
    block = next;
  }
}

void ZeroCopyNotifier::Awaiting(napi_env env, int delta) {
  int before = awaiting_;
  awaiting_ += delta;
  if (tsfn_ == nullptr) return;
  if (before == 0 && awaiting_ > 0) napi_ref_threadsafe_function(env, tsfn_);
  if (before > 0 && awaiting_ == 0) napi_unref_threadsafe_function(env, tsfn_);
}

void ZeroCopyNotifier::Finalized(napi_env, void* data, void*) {
  auto* notifier = static_cast<ZeroCopyNotifier*>(data);
  ZeroCopyBlock* block;
  {
    std::lock_guard<std::mutex> lock(notifier->mutex_);
    notifier->tsfn_ = nullptr;
    block = notifier->TakeQueue();
  }
  while (block != nullptr) {
    ZeroCopyBlock* next = block->next;
    UnrefBlock(block);
    block = next;
  }
  notifier->Unref();
}

void ZeroCopyNotifier::Shutdown() {
  napi_threadsafe_function tsfn;
  ZeroCopyBlock* block;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tsfn = tsfn_;
    tsfn_ = nullptr;
    block = TakeQueue();
  }
  while (block != nullptr) {
    ZeroCopyBlock* next = block->next;
    UnrefBlock(block);
    block = next;
  }
  // Finalized follows (and drops the thread-safe function's reference).
  if (tsfn != nullptr) napi_release_threadsafe_function(tsfn, napi_tsfn_abort);
  Unref();
}

}  // namespace zmq_napi
