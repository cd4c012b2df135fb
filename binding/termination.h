// Terminating libzmq contexts. zmq_ctx_term blocks until every socket is closed and its linger
// has passed, so it never runs on the event-loop thread while JavaScript runs; at exit (the
// process's, or a worker's environment teardown) waiting is the point, since it lets queued
// messages leave, but the wait is bounded by default and announced on stderr.
#pragma once

#include <string>
#include <vector>

namespace zmq_napi {

// How long exit waits for lingering messages, in ms; -1 waits until they are delivered.
constexpr int kDefaultExitTimeoutMs = 1500;
// After this long waiting at exit, one warning says what is waiting and how to change it.
constexpr int kExitWarningMs = 250;

void SetExitTimeout(int milliseconds);
int ExitTimeout();

// The main thread's process is exiting with `code` (its "exit" event): a wait at exit that
// runs out ends the process with that code rather than leave libzmq threads running while
// the process's static objects are destroyed.
void NoteProcessExit(int code);

// Terminates `handles` on a thread of its own and waits (see the top of this file);
// `waiting_for` names an example of what may still be queued, for the warning.
void TerminateAtExit(const std::vector<void*>& handles, const std::string& waiting_for);

// Terminates `handle` on a detached thread: for a context closed while JavaScript runs.
void TerminateInBackground(void* handle);

}  // namespace zmq_napi
