#include "pgm_probe.h"

#ifdef ZMQ_NAPI_NO_PGM

// No OpenPGM in this build (Windows): libzmq refuses pgm:// and epgm:// itself.
int zmq_napi::ProbePgm(void*, const std::string&, std::string*) { return 0; }

#else

#include <pgm/pgm.h>
#include <zmq.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>

#include "socket_types.h"

namespace zmq_napi {

namespace {

int IntOption(void* socket, int option) {
  int value = 0;
  size_t size = sizeof(value);
  zmq_getsockopt(socket, option, &value, &size);
  return value;
}

// zmq::pgm_socket_t::compute_sqns: the transmit/receive window in packets.
int ComputeSqns(int rate, int recovery_ivl, int tpdu) {
  uint64_t bytes_per_ms = static_cast<uint64_t>(rate) / 8;
  uint64_t size = static_cast<uint64_t>(recovery_ivl) * bytes_per_ms;
  uint64_t sqns = tpdu > 0 ? size / static_cast<uint64_t>(tpdu) : 0;
  return static_cast<int>(sqns == 0 ? 1 : sqns);
}

struct Probe {
  explicit Probe(std::string* why) : why(why) {}
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  pgm_sock_t* sock = nullptr;
  pgm_addrinfo_t* res = nullptr;
  pgm_error_t* error = nullptr;
  std::string* why;

  ~Probe() {
    if (sock != nullptr) pgm_close(sock, FALSE);
    if (res != nullptr) pgm_freeaddrinfo(res);
    if (error != nullptr) pgm_error_free(error);
  }

  int Fail(const char* step) {
    *why = std::string("OpenPGM refused the endpoint (") + step +
           (error != nullptr && error->message != nullptr ? std::string(": ") + error->message
                                                          : std::string()) +
           ")";
    return EINVAL;
  }

  bool Set(int level, int option, const void* value, socklen_t size) {
    return pgm_setsockopt(sock, level, option, value, size) == TRUE;
  }
};

}  // namespace

int ProbePgm(void* socket, const std::string& address, std::string* why) {
  bool udp = address.compare(0, 7, "epgm://") == 0;
  if (!udp && address.compare(0, 6, "pgm://") != 0) return 0;
  PgmRole role = FindSocketType(IntOption(socket, ZMQ_TYPE)).pgm;
  if (role == PgmRole::kNone) return 0;  // libzmq refuses these types itself.
  bool receiver = role == PgmRole::kReceiver;

  Probe probe(why);
  std::string network = address.substr(udp ? 7 : 6);
  size_t port_delimiter = network.rfind(':');
  if (port_delimiter >= 255) {  // no ':' (npos), or past libzmq's 256-byte buffer
    *why = "expected <interface>;<multicast group>:<port>";
    return EINVAL;
  }
  // libzmq reads the port with atoi and fails without setting errno for 0; accept exactly
  // what is a port.
  std::string port_text = network.substr(port_delimiter + 1);
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) {
      port = -1;
      break;
    }
    port = port * 10 + (c - '0');
  }
  if (port_text.empty() || port < 1 || port > 65535) {
    *why = "expected a port from 1 to 65535";
    return EINVAL;
  }
  network.resize(port_delimiter);
  if (pgm_getaddrinfo(network.c_str(), nullptr, &probe.res, &probe.error) != TRUE) {
    return probe.Fail("interface or group");
  }
  sa_family_t family = probe.res->ai_send_addrs[0].gsr_group.ss_family;
  if (pgm_socket(&probe.sock, family, SOCK_SEQPACKET, udp ? IPPROTO_UDP : IPPROTO_PGM,
                 &probe.error) != TRUE) {
    return probe.Fail("socket");
  }
  if (udp) {
    if (!probe.Set(IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT, &port, sizeof(port)) ||
        !probe.Set(IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT, &port, sizeof(port))) {
      return probe.Fail("port");
    }
  }

  int rate = IntOption(socket, ZMQ_RATE);
  int recovery_ivl = IntOption(socket, ZMQ_RECOVERY_IVL);
  int max_tpdu = IntOption(socket, ZMQ_MULTICAST_MAXTPDU);
  int rcvbuf = IntOption(socket, ZMQ_RCVBUF);
  int sndbuf = IntOption(socket, ZMQ_SNDBUF);
  int hops = IntOption(socket, ZMQ_MULTICAST_HOPS);
  // libzmq computes the byte rate as an int (rate * 1000 / 8), and OpenPGM asserts (aborts)
  // when a second's worth of bytes is smaller than one transport data unit.
  if (rate <= 0 || rate > INT32_MAX / 1000) {
    *why = "rate must be from 1 to 2147483 kbit/s";
    return EINVAL;
  }
  if (!receiver && static_cast<int64_t>(rate) * 1000 / 8 < max_tpdu) {
    *why = "rate is too low for multicastMaxTransportDataUnit: one second must carry one unit";
    return EINVAL;
  }
  if ((rcvbuf >= 0 && !probe.Set(SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) ||
      (sndbuf >= 0 && !probe.Set(SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf))) ||
      !probe.Set(IPPROTO_PGM, PGM_MTU, &max_tpdu, sizeof(max_tpdu))) {
    return probe.Fail("buffer sizes or multicastMaxTransportDataUnit");
  }
  int sqns = ComputeSqns(rate, recovery_ivl, max_tpdu);
  if (receiver) {
    const int recv_only = 1, peer_expiry = pgm_secs(300), spmr_expiry = pgm_msecs(25),
              nak_bo_ivl = pgm_msecs(50), nak_rpt_ivl = pgm_msecs(200),
              nak_rdata_ivl = pgm_msecs(200), nak_data_retries = 50, nak_ncf_retries = 50;
    if (!probe.Set(IPPROTO_PGM, PGM_RECV_ONLY, &recv_only, sizeof(recv_only)) ||
        !probe.Set(IPPROTO_PGM, PGM_RXW_SQNS, &sqns, sizeof(sqns)) ||
        !probe.Set(IPPROTO_PGM, PGM_PEER_EXPIRY, &peer_expiry, sizeof(peer_expiry)) ||
        !probe.Set(IPPROTO_PGM, PGM_SPMR_EXPIRY, &spmr_expiry, sizeof(spmr_expiry)) ||
        !probe.Set(IPPROTO_PGM, PGM_NAK_BO_IVL, &nak_bo_ivl, sizeof(nak_bo_ivl)) ||
        !probe.Set(IPPROTO_PGM, PGM_NAK_RPT_IVL, &nak_rpt_ivl, sizeof(nak_rpt_ivl)) ||
        !probe.Set(IPPROTO_PGM, PGM_NAK_RDATA_IVL, &nak_rdata_ivl, sizeof(nak_rdata_ivl)) ||
        !probe.Set(IPPROTO_PGM, PGM_NAK_DATA_RETRIES, &nak_data_retries,
                   sizeof(nak_data_retries)) ||
        !probe.Set(IPPROTO_PGM, PGM_NAK_NCF_RETRIES, &nak_ncf_retries, sizeof(nak_ncf_retries))) {
      return probe.Fail("receive window (rate, recoveryInterval, multicastMaxTransportDataUnit)");
    }
  } else {
    const int send_only = 1, max_rte = static_cast<int>((static_cast<int64_t>(rate) * 1000) / 8),
              ambient_spm = pgm_secs(30);
    const int heartbeat_spm[] = {pgm_msecs(100), pgm_msecs(100),  pgm_msecs(100),
                                 pgm_msecs(100), pgm_msecs(1300), pgm_secs(7),
                                 pgm_secs(16),   pgm_secs(25),    pgm_secs(30)};
    if (!probe.Set(IPPROTO_PGM, PGM_SEND_ONLY, &send_only, sizeof(send_only)) ||
        !probe.Set(IPPROTO_PGM, PGM_ODATA_MAX_RTE, &max_rte, sizeof(max_rte)) ||
        !probe.Set(IPPROTO_PGM, PGM_TXW_SQNS, &sqns, sizeof(sqns)) ||
        !probe.Set(IPPROTO_PGM, PGM_AMBIENT_SPM, &ambient_spm, sizeof(ambient_spm)) ||
        !probe.Set(IPPROTO_PGM, PGM_HEARTBEAT_SPM, &heartbeat_spm, sizeof(heartbeat_spm))) {
      return probe.Fail("transmit window (rate, recoveryInterval, multicastMaxTransportDataUnit)");
    }
  }

  pgm_sockaddr_t addr{};
  addr.sa_port = static_cast<uint16_t>(port);
  addr.sa_addr.sport = DEFAULT_DATA_SOURCE_PORT;
  std::random_device random;
  uint32_t seed[2] = {random(), random()};
  if (pgm_gsi_create_from_data(&addr.sa_addr.gsi, reinterpret_cast<uint8_t*>(seed), 8) != TRUE) {
    return probe.Fail("source id");
  }
  pgm_interface_req_t if_req{};
  if_req.ir_interface = probe.res->ai_recv_addrs[0].gsr_interface;
  if (family == AF_INET6) {
    sockaddr_in6 sa6{};
    std::memcpy(&sa6, &probe.res->ai_recv_addrs[0].gsr_group, sizeof(sa6));
    if_req.ir_scope_id = sa6.sin6_scope_id;
  }
  if (pgm_bind3(probe.sock, &addr, sizeof(addr), &if_req, sizeof(if_req), &if_req, sizeof(if_req),
                &probe.error) != TRUE) {
    return probe.Fail("bind to the interface");
  }
  for (unsigned i = 0; i < probe.res->ai_recv_addrs_len; i++) {
    if (!probe.Set(IPPROTO_PGM, PGM_JOIN_GROUP, &probe.res->ai_recv_addrs[i], sizeof(group_req))) {
      return probe.Fail("join the multicast group: no interface or route for it");
    }
  }
  if (!probe.Set(IPPROTO_PGM, PGM_SEND_GROUP, &probe.res->ai_send_addrs[0], sizeof(group_req))) {
    return probe.Fail("send group");
  }
  const int loop = 0, nonblocking = 1;
  if (!probe.Set(IPPROTO_PGM, PGM_MULTICAST_LOOP, &loop, sizeof(loop)) ||
      !probe.Set(IPPROTO_PGM, PGM_MULTICAST_HOPS, &hops, sizeof(hops)) ||
      !probe.Set(IPPROTO_PGM, PGM_NOBLOCK, &nonblocking, sizeof(nonblocking))) {
    return probe.Fail("multicastHops");
  }
  if (pgm_connect(probe.sock, &probe.error) != TRUE) return probe.Fail("connect");
  return 0;
}

}  // namespace zmq_napi

#endif  // ZMQ_NAPI_NO_PGM
