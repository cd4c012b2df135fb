// CURVE key helpers: key pairs, public-from-secret, and the Z85 encoding (zmq_z85_*).
#pragma once

#include <napi.h>

namespace zmq_napi {

Napi::Value CurveKeyPair(const Napi::CallbackInfo& info);
Napi::Value CurvePublic(const Napi::CallbackInfo& info);
Napi::Value Z85Encode(const Napi::CallbackInfo& info);
Napi::Value Z85Decode(const Napi::CallbackInfo& info);

}  // namespace zmq_napi
