#include "module.h"

#include <zmq.h>

#include <string>

#include "errors.h"

namespace zmq_napi {

namespace {

std::string LibzmqVersion() {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

// What this libzmq build can do, as zmq_has() reports it. WebSocket support is spelled "WS".
Napi::Object CapabilityObject(Napi::Env env) {
  static const struct {
    const char* key;
    const char* zmq_name;
  } kCapabilities[] = {
      {"ipc", "ipc"},       {"pgm", "pgm"},     {"tipc", "tipc"}, {"norm", "norm"},
      {"curve", "curve"},   {"gssapi", "gssapi"}, {"draft", "draft"}, {"websockets", "WS"},
  };
  Napi::Object result = Napi::Object::New(env);
  for (const auto& capability : kCapabilities) {
    result.Set(capability.key, zmq_has(capability.zmq_name) != 0);
  }
  return result;
}

}  // namespace

Module::Module(Napi::Env env, Napi::Object exports) {
  DefineAddon(exports, {
                           InstanceValue("version", Napi::String::New(env, LibzmqVersion()),
                                         napi_enumerable),
                           InstanceValue("capability", CapabilityObject(env), napi_enumerable),
                           InstanceValue("errno", ErrnoTable(env), napi_enumerable),
                       });
}

}  // namespace zmq_napi

using zmq_napi::Module;
NODE_API_NAMED_ADDON(zmq_napi, Module)
