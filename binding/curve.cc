#include "curve.h"

#include <zmq.h>

#include <string>
#include <vector>

#include "errors.h"

namespace zmq_napi {

Napi::Value CurveKeyPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char public_key[41];
  char secret_key[41];
  if (zmq_curve_keypair(public_key, secret_key) != 0) throw ErrnoError(env);
  Napi::Object pair = Napi::Object::New(env);
  pair.Set("publicKey", Napi::String::New(env, public_key, 40));
  pair.Set("secretKey", Napi::String::New(env, secret_key, 40));
  return pair;
}

Napi::Value CurvePublic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "Expected a Z85 string for secretKey");
  std::string secret = info[0].As<Napi::String>().Utf8Value();
  if (secret.size() != 40)
    throw Napi::RangeError::New(env, "Expected a 40-character Z85 key for secretKey");
  char public_key[41];
  if (zmq_curve_public(public_key, secret.c_str()) != 0) throw ErrnoError(env);
  return Napi::String::New(env, public_key, 40);
}

Napi::Value Z85Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBuffer()) throw Napi::TypeError::New(env, "Expected a Buffer for data");
  Napi::Buffer<uint8_t> data = info[0].As<Napi::Buffer<uint8_t>>();
  if (data.Length() % 4 != 0) {
    throw Napi::RangeError::New(env, "Expected a length divisible by 4 for data");
  }
  std::vector<char> text(data.Length() * 5 / 4 + 1);
  if (zmq_z85_encode(text.data(), data.Data(), data.Length()) == nullptr) throw ErrnoError(env);
  return Napi::String::New(env, text.data(), text.size() - 1);
}

Napi::Value Z85Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "Expected a string for text");
  std::string text = info[0].As<Napi::String>().Utf8Value();
  if (text.size() % 5 != 0) {
    throw Napi::RangeError::New(env, "Expected a length divisible by 5 for text");
  }
  std::vector<uint8_t> data(text.size() * 4 / 5);
  if (zmq_z85_decode(data.data(), text.c_str()) == nullptr) {
    throw Napi::RangeError::New(env, "Expected valid Z85 characters for text");
  }
  return Napi::Buffer<uint8_t>::Copy(env, data.data(), data.size());
}

}  // namespace zmq_napi
