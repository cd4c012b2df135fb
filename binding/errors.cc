#include "errors.h"

#include <zmq.h>

#include <cerrno>

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
  Napi::Error error =
      Napi::Error::New(env, message.empty() ? zmq_strerror(error_number) : message.c_str());
  Napi::Object object = error.Value();
  const char* name = ErrnoName(error_number);
  if (*name) object.Set("code", name);
  object.Set("errno", error_number);
  if (!address.empty()) object.Set("address", address);
  return error;
}

Napi::Error ErrnoError(Napi::Env env) { return ErrnoError(env, zmq_errno()); }

Napi::Object ErrnoTable(Napi::Env env) {
  Napi::Object table = Napi::Object::New(env);
#define XX(name) table.Set(#name, name);
  ZMQ_NAPI_ERRNO_MAP(XX)
#undef XX
  return table;
}

}  // namespace zmq_napi
