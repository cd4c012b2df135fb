// The addon instance: one per JavaScript environment (main thread or worker). Everything that
// refers to JavaScript values lives here, never in statics, so worker threads stay independent.
#pragma once

#include <napi.h>

namespace zmq_napi {

class Module : public Napi::Addon<Module> {
 public:
  Module(Napi::Env env, Napi::Object exports);

 private:
  Napi::Value Capability(const Napi::CallbackInfo& info);
};

}  // namespace zmq_napi
