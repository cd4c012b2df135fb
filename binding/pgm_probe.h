// A dry run of libzmq's PGM socket set-up, before libzmq does it for real.
//
// libzmq creates a pgm:// or epgm:// socket on its I/O thread after zmq_bind/zmq_connect has
// already returned 0, and asserts (aborting the whole process) if OpenPGM refuses anything:
// an interface or group it cannot use, a default interface with no multicast route, a rate
// or transport data unit out of OpenPGM's range. ProbePgm performs the same steps with the
// socket's current options (mirroring zmq::pgm_socket_t::init of libzmq 4.3.4) on a throwaway
// OpenPGM socket, so that what would abort becomes an error for the caller.
#pragma once

#include <string>

namespace zmq_napi {

// Returns 0 when libzmq's set-up would succeed (or the address is not pgm/epgm), else an
// errno value (EINVAL, ENODEV, EPROTONOSUPPORT...) and a human-readable reason in *why.
int ProbePgm(void* socket, const std::string& address, std::string* why);

}  // namespace zmq_napi
