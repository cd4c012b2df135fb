#include "module.h"

#include <zmq.h>

#include <string>
#include <vector>

#include "context.h"
#include "curve.h"
#include "errors.h"
#include "proxy.h"
#include "socket.h"

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
      {"ipc", "ipc"},     {"pgm", "pgm"},       {"tipc", "tipc"},   {"norm", "norm"},
      {"curve", "curve"}, {"gssapi", "gssapi"}, {"draft", "draft"}, {"websockets", "WS"},
  };
  Napi::Object result = Napi::Object::New(env);
  for (const auto& capability : kCapabilities) {
    result.Set(capability.key, zmq_has(capability.zmq_name) != 0);
  }
  return result;
}

}  // namespace

Module::Module(Napi::Env env, Napi::Object exports) {
  Napi::Function context = Context::Define(env);
  Napi::Function socket = Socket::Define(env);
  context_constructor_ = Napi::Persistent(context);
  socket_constructor_ = Napi::Persistent(socket);
  DefineAddon(exports, {
                           InstanceValue("version", Napi::String::New(env, LibzmqVersion()),
                                         napi_enumerable),
                           InstanceValue("capability", CapabilityObject(env), napi_enumerable),
                           InstanceValue("errno", ErrnoTable(env), napi_enumerable),
                           InstanceValue("Context", context, napi_enumerable),
                           InstanceValue("Socket", socket, napi_enumerable),
                           InstanceValue("runProxy", Napi::Function::New<RunProxy>(env),
                                         napi_enumerable),
                           InstanceValue("curveKeyPair", Napi::Function::New<CurveKeyPair>(env),
                                         napi_enumerable),
                           InstanceValue("curvePublic", Napi::Function::New<CurvePublic>(env),
                                         napi_enumerable),
                           InstanceValue("z85Encode", Napi::Function::New<Z85Encode>(env),
                                         napi_enumerable),
                           InstanceValue("z85Decode", Napi::Function::New<Z85Decode>(env),
                                         napi_enumerable),
                       });
  napi_add_async_cleanup_hook(env, &Module::OnTeardown, this, &cleanup_hook_);
}

Module::~Module() {
  Teardown();
  // Objects finalized after this point must not reach back into a destroyed module.
  for (Socket* socket : sockets_) socket->DetachModule();
  for (Context* context : contexts_) context->DetachModule();
}

void Module::OnTeardown(napi_async_cleanup_hook_handle handle, void* data) {
  auto* module = static_cast<Module*>(data);
  module->Teardown();
  // Poll handles close asynchronously; their callbacks run in the loop iterations that Node
  // keeps running until every async cleanup hook has been removed.
  module->cleanup_hook_ = nullptr;
  napi_remove_async_cleanup_hook(handle);
}

void Module::Teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  // Closing sockets first lets their contexts terminate; a blocking termination here is what
  // lets messages queued with a linger leave before the environment goes away.
  TerminateProxies(this);
  std::vector<Socket*> sockets(sockets_.begin(), sockets_.end());
  for (Socket* socket : sockets) socket->Close(Socket::CloseReason::kTeardown);
  std::vector<Context*> contexts(contexts_.begin(), contexts_.end());
  for (Context* context : contexts) context->Close(/*blocking=*/true, /*notify=*/false);
}

}  // namespace zmq_napi

using zmq_napi::Module;
NODE_API_NAMED_ADDON(zmq_napi, Module)
