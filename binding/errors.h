// Errors that cross into JavaScript: a ZmqError whose .code is the errno name (EAGAIN, EFSM, ...)
// and whose .errno is the number, built from one table (errors.cc).
//
// The ZmqError class is the TypeScript layer's (src/errors.ts). It hands the constructor to the
// addon once, at load (setErrorClass), and the Module instance keeps it; before that (or for
// an errno the table does not name) ErrnoError builds a plain Error with the same properties.
//
// How native code reports failure — one convention per kind of code:
//
// - On the JavaScript thread, including the per-message paths (trySend, trySendMany,
//   receiveBatch): throw a C++ exception (ErrnoError, Napi::TypeError...). node-addon-api turns
//   it into the JavaScript exception at the method's boundary; RAII (MessageParts) frees what
//   was half built. Nothing in between returns error codes or leaves an exception pending for a
//   caller to notice. Helpers made of raw Node-API calls for speed (InitMessage, the batch
//   writer) return false / nullptr on failure, and their caller throws at once with
//   ThrowPendingOr. While the environment is going away the throw is swallowed
//   (NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS), so teardown needs no special return value.
// - Off the JavaScript thread (the thread pool's part of bind, the proxy thread) nothing may
//   touch JavaScript: such code returns an errno value (and, where it has one, a "why"
//   message), and its completion on the JavaScript thread turns that into an ErrnoError to
//   reject with.
#pragma once

#include <napi.h>

#include <string>

namespace zmq_napi {

// The symbolic name of an errno value ("EAGAIN", "EFSM"), or "" when unknown.
const char* ErrnoName(int error_number);

// A ZmqError for `error_number` (zmq_errno() when omitted), with .code and .errno, and
// .address when an endpoint was involved.
Napi::Error ErrnoError(Napi::Env env, int error_number, const std::string& address = "",
                       const std::string& message = "");
Napi::Error ErrnoError(Napi::Env env);

// Throws the pending JavaScript exception a failed Node-API call left, or, when there is none
// (a libzmq or allocation failure), ErrnoError(env, error_number).
[[noreturn]] void ThrowPendingOr(Napi::Env env, int error_number);

// Exports the errno table as { [name]: number } so the TypeScript layer shares it.
Napi::Object ErrnoTable(Napi::Env env);

}  // namespace zmq_napi
