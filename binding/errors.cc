#include "errors.h"

#include <zmq.h>

#include <cerrno>

#include "module.h"

namespace zmq_napi {

// The single source of errno names. libzmq defines its own codes (EFSM, ETERM, ...) past
// ZMQ_HAUSNUMERO and reuses the system's where the platform has them.
#define ZMQ_NAPI_ERRNO_MAP(XX) \
  XX(EPERM)                    \
  XX(ENOENT)                   \
  XX(EINTR)                    \
  XX(EIO)                      \
  XX(EBADF)                    \
  XX(EAGAIN)                   \
  XX(ENOMEM)                   \
  XX(EACCES)                   \
  XX(EFAULT)                   \
  XX(EBUSY)                    \
  XX(EEXIST)                   \
  XX(ENODEV)                   \
  XX(EINVAL)                   \
  XX(EMFILE)                   \
  XX(ENOSPC)                   \
  XX(EPIPE)                    \
  XX(ENAMETOOLONG)             \
  XX(ENOSYS)                   \
  XX(ENOTSUP)                  \
  XX(EPROTONOSUPPORT)          \
  XX(ENOBUFS)                  \
  XX(ENETDOWN)                 \
  XX(EADDRINUSE)               \
  XX(EADDRNOTAVAIL)            \
  XX(ECONNREFUSED)             \
  XX(EINPROGRESS)              \
  XX(ENOTSOCK)                 \
  XX(EMSGSIZE)                 \
  XX(EAFNOSUPPORT)             \
  XX(ENETUNREACH)              \
  XX(ECONNABORTED)             \
  XX(ECONNRESET)               \
  XX(ENOTCONN)                 \
  XX(ETIMEDOUT)                \
  XX(EHOSTUNREACH)             \
  XX(ENETRESET)                \
  XX(EFSM)                     \
  XX(ENOCOMPATPROTO)           \
  XX(ETERM)                    \
  XX(EMTHREAD)

const char* ErrnoName(int error_number) {
#define XX(name) \
  if (error_number == name) return #name;
  ZMQ_NAPI_ERRNO_MAP(XX)
#undef XX
  return "";
}

Napi::Error ErrnoError(Napi::Env env, int error_number, const std::string& address,
                       const std::string& message) {
  std::string text = message.empty() ? zmq_strerror(error_number) : message;
  const char* name = ErrnoName(error_number);
  Module* module = env.GetInstanceData<Module>();
  if (*name && module != nullptr && !module->error_constructor().IsEmpty()) {
    // new ZmqError(code, message, address), then the platform's number for the code.
    Napi::Object error = module->error_constructor().New(
        {Napi::String::New(env, name), Napi::String::New(env, text),
         address.empty() ? env.Undefined() : Napi::String::New(env, address)});
    error.Set("errno", error_number);
    return {env, error};
  }
  Napi::Object error = Napi::Error::New(env, text).Value();
  if (*name) error.Set("code", name);
  error.Set("errno", error_number);
  if (!address.empty()) error.Set("address", address);
  return {env, error};
}

Napi::Error ErrnoError(Napi::Env env) { return ErrnoError(env, zmq_errno()); }

void ThrowPendingOr(Napi::Env env, int error_number) {
  if (env.IsExceptionPending()) throw env.GetAndClearPendingException();
  throw ErrnoError(env, error_number);
}

Napi::Object ErrnoTable(Napi::Env env) {
  Napi::Object table = Napi::Object::New(env);
#define XX(name) table.Set(#name, name);
  ZMQ_NAPI_ERRNO_MAP(XX)
#undef XX
  return table;
}

}  // namespace zmq_napi
