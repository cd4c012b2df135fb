// Socket options by (id, kind). The TypeScript option table knows each option's libzmq id (from
// zmq.h), its kind and its range; this file only moves values across the boundary.
#include <zmq.h>

#include <cstdint>
#include <string>

#include "errors.h"
#include "socket.h"

namespace zmq_napi {

namespace {

// Must match OptionKind in src/options.ts.
enum OptionKind : int {
  kInt32 = 0,
  kInt64 = 1,
  kUint64 = 2,
  kString = 3,    // UTF-8 text, or null to reset
  kBinary = 4,    // bytes: Buffer out, Buffer or string in
  kCurveKey = 5,  // 32 bytes or 40 Z85 characters in, Z85 string out
};

int64_t ToInt64(Napi::Env env, Napi::Value value) {
  if (value.IsBigInt()) {
    bool lossless = false;
    int64_t result = value.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, "option value does not fit in 64 bits");
    return result;
  }
  if (value.IsNumber()) return value.As<Napi::Number>().Int64Value();
  throw Napi::TypeError::New(env, "Expected a number or bigint for option value");
}

}  // namespace

Napi::Value Socket::GetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  int option = info[0].As<Napi::Number>().Int32Value();
  int kind = info[1].As<Napi::Number>().Int32Value();
  switch (kind) {
    case kInt32: {
      int value = 0;
      size_t size = sizeof(value);
      if (zmq_getsockopt(handle_, option, &value, &size) != 0) throw ErrnoError(env);
      return Napi::Number::New(env, value);
    }
    case kInt64: {
      int64_t value = 0;
      size_t size = sizeof(value);
      if (zmq_getsockopt(handle_, option, &value, &size) != 0) throw ErrnoError(env);
      return Napi::Number::New(env, static_cast<double>(value));
    }
    case kUint64: {
      uint64_t value = 0;
      size_t size = sizeof(value);
      if (zmq_getsockopt(handle_, option, &value, &size) != 0) throw ErrnoError(env);
      return Napi::BigInt::New(env, value);
    }
    case kString:
    case kBinary: {
      char value[4096];  // Endpoints (ZMQ_LAST_ENDPOINT) can be long.
      size_t size = sizeof(value);
      if (zmq_getsockopt(handle_, option, value, &size) != 0) throw ErrnoError(env);
      if (kind == kBinary) return Napi::Buffer<char>::Copy(env, value, size);
      // libzmq counts the terminating NUL of string options.
      if (size > 0 && value[size - 1] == '\0') size--;
      return Napi::String::New(env, value, size);
    }
    case kCurveKey: {
      char value[41];  // Asking for 41 bytes makes libzmq answer in Z85.
      size_t size = sizeof(value);
      if (zmq_getsockopt(handle_, option, value, &size) != 0) throw ErrnoError(env);
      return Napi::String::New(env, value, 40);
    }
    default:
      throw Napi::TypeError::New(env, "unknown option kind");
  }
}

void Socket::SetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckUsable(env);
  int option = info[0].As<Napi::Number>().Int32Value();
  int kind = info[1].As<Napi::Number>().Int32Value();
  Napi::Value value = info[2];
  int rc = 0;
  switch (kind) {
    case kInt32: {
      if (!value.IsNumber()) throw Napi::TypeError::New(env, "Expected a number for option value");
      int number = value.As<Napi::Number>().Int32Value();
      rc = zmq_setsockopt(handle_, option, &number, sizeof(number));
      break;
    }
    case kInt64: {
      int64_t number = ToInt64(env, value);
      rc = zmq_setsockopt(handle_, option, &number, sizeof(number));
      break;
    }
    case kUint64: {
      uint64_t number = 0;
      if (value.IsBigInt()) {
        bool lossless = false;
        number = value.As<Napi::BigInt>().Uint64Value(&lossless);
        if (!lossless) throw Napi::RangeError::New(env, "option value does not fit in 64 bits");
      } else if (value.IsNumber()) {
        // A double holds up to 2^64 exactly; at or above that it means "all bits" (as
        // 0xffffffffffffffff written in JavaScript does), below zero it is refused.
        double given = value.As<Napi::Number>().DoubleValue();
        if (!(given >= 0)) throw Napi::RangeError::New(env, "option value must not be negative");
        number = given >= 18446744073709551616.0 ? UINT64_MAX : static_cast<uint64_t>(given);
      } else {
        throw Napi::TypeError::New(env, "Expected a number or bigint for option value");
      }
      rc = zmq_setsockopt(handle_, option, &number, sizeof(number));
      break;
    }
    case kString:
    case kBinary:
    case kCurveKey: {
      if (value.IsNull() || value.IsUndefined()) {
        rc = zmq_setsockopt(handle_, option, nullptr, 0);
      } else if (value.IsString()) {
        std::string text = value.As<Napi::String>().Utf8Value();
        rc = zmq_setsockopt(handle_, option, text.data(), text.size());
      } else if (value.IsBuffer()) {
        Napi::Buffer<char> bytes = value.As<Napi::Buffer<char>>();
        rc = zmq_setsockopt(handle_, option, bytes.Data(), bytes.Length());
      } else {
        throw Napi::TypeError::New(env, "Expected a string or Buffer for option value");
      }
      break;
    }
    default:
      throw Napi::TypeError::New(env, "unknown option kind");
  }
  if (rc != 0) throw ErrnoError(env);
}

}  // namespace zmq_napi
