// Errors that cross into JavaScript: an Error whose .code is the errno name (EAGAIN, EFSM, ...)
// and whose .errno is the number, built from one table (errors.cc).
#pragma once

#include <napi.h>

#include <string>

namespace zmq_napi {

// The symbolic name of an errno value ("EAGAIN", "EFSM"), or "" when unknown.
const char* ErrnoName(int error_number);

// A JavaScript Error for `error_number` (zmq_errno() when omitted), with .code and .errno, and
// .address when an endpoint was involved.
Napi::Error ErrnoError(Napi::Env env, int error_number, const std::string& address = "",
                       const std::string& message = "");
Napi::Error ErrnoError(Napi::Env env);

// Exports the errno table as { [name]: number } so the TypeScript layer shares it.
Napi::Object ErrnoTable(Napi::Env env);

}  // namespace zmq_napi
