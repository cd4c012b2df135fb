/* Holds the addon's glibc requirement at 2.28 (Node 20's own floor) when it is built against a
   newer glibc, so that one linux binary loads on RHEL 8, Ubuntu 20.04 and Debian 11 as well as
   here. Linked into every glibc build on x86_64 and aarch64 (CMakeLists.txt,
   ZMQ_NAPI_GLIBC_FLOOR), so the test suite runs the same code the prebuilds ship;
   test/prebuild-glibc-floor.test.ts audits the result.

   A glibc newer than 2.28 gives a program two kinds of symbol it cannot load without:
   - functions that exist since long ago but got a new version when libpthread moved into libc
     (2.34) or for other reasons (pthread_sigmask 2.32). Every caller of those, including the
     objects of the static libstdc++, is redirected with `ld --wrap` to a trampoline here that
     calls the function's oldest version of the current ABI, named with `.symver`. The list is
     ZMQ_NAPI_PINNED below; CMakeLists.txt reads the names out of it for the --wrap flags.
   - symbols that did not exist in 2.28 at all: stat/fstat (2.33; before, the headers called
     __xstat/__fxstat), __libc_single_threaded (2.32, read by libstdc++), pthread_cond_clockwait
     (2.30, std::condition_variable with steady_clock), _dl_find_object (2.35, the static
     libgcc unwinder) and arc4random (2.36, std::random_device). Each is defined here in terms
     of what 2.28 has; the definitions are local to the addon (binding/exports.map), so they
     never interpose on the host's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define BASE "GLIBC_2.2.5"
/* __xstat's version argument: _STAT_VER_LINUX, the layout of <sys/stat.h>'s struct stat. */
#define STAT_VER 1
#elif defined(__aarch64__)
#define BASE "GLIBC_2.17"
#define STAT_VER 0
#else
#error "glibc_floor.c knows the base symbol versions of x86_64 and aarch64 only"
#endif

/* The version each function had before glibc 2.34 gave it a new one; where a function has two
   older versions (pthread_setaffinity_np's 2.3.3 took no size argument), the later one, which
   is the ABI the headers describe. aarch64 starts at 2.17, so everything is 2.17 there. */
#if defined(__x86_64__)
#define V_2_3_4 "GLIBC_2.3.4"
#define V_2_12 "GLIBC_2.12"
#else
#define V_2_3_4 BASE
#define V_2_12 BASE
#endif

/* X(return type, name, version, parameters, arguments) */
#define ZMQ_NAPI_PINNED(X)                                                                       \
  X(int, pthread_create, BASE,                                                                   \
    (pthread_t * thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg),          \
    (thread, attr, start, arg))                                                                  \
  X(int, pthread_detach, BASE, (pthread_t thread), (thread))                                     \
  X(int, pthread_join, BASE, (pthread_t thread, void** result), (thread, result))                \
  X(int, pthread_once, BASE, (pthread_once_t * once, void (*init)(void)), (once, init))          \
  X(int, pthread_key_create, BASE, (pthread_key_t * key, void (*destructor)(void*)),             \
    (key, destructor))                                                                           \
  X(int, __pthread_key_create, BASE, (pthread_key_t * key, void (*destructor)(void*)),           \
    (key, destructor))                                                                           \
  X(int, pthread_key_delete, BASE, (pthread_key_t key), (key))                                   \
  X(void*, pthread_getspecific, BASE, (pthread_key_t key), (key))                                \
  X(int, pthread_setspecific, BASE, (pthread_key_t key, const void* value), (key, value))        \
  X(int, pthread_mutex_trylock, BASE, (pthread_mutex_t * mutex), (mutex))                        \
  X(int, pthread_mutexattr_init, BASE, (pthread_mutexattr_t * attr), (attr))                     \
  X(int, pthread_mutexattr_destroy, BASE, (pthread_mutexattr_t * attr), (attr))                  \
  X(int, pthread_mutexattr_settype, BASE, (pthread_mutexattr_t * attr, int type), (attr, type))  \
  X(int, pthread_setaffinity_np, V_2_3_4, (pthread_t thread, size_t size, const cpu_set_t* set), \
    (thread, size, set))                                                                         \
  X(int, pthread_setname_np, V_2_12, (pthread_t thread, const char* name), (thread, name))       \
  X(int, pthread_sigmask, BASE, (int how, const sigset_t* set, sigset_t* old), (how, set, old))  \
  X(int, pthread_rwlock_init, BASE, (pthread_rwlock_t * lock, const pthread_rwlockattr_t* attr), \
    (lock, attr))                                                                                \
  X(int, pthread_rwlock_destroy, BASE, (pthread_rwlock_t * lock), (lock))                        \
  X(int, pthread_rwlock_rdlock, BASE, (pthread_rwlock_t * lock), (lock))                         \
  X(int, pthread_rwlock_tryrdlock, BASE, (pthread_rwlock_t * lock), (lock))                      \
  X(int, pthread_rwlock_wrlock, BASE, (pthread_rwlock_t * lock), (lock))                         \
  X(int, pthread_rwlock_trywrlock, BASE, (pthread_rwlock_t * lock), (lock))                      \
  X(int, pthread_rwlock_unlock, BASE, (pthread_rwlock_t * lock), (lock))

#define ZMQ_NAPI_TRAMPOLINE(type, name, version, params, args)    \
  extern type zmq_napi_glibc_##name params;                       \
  __asm__(".symver zmq_napi_glibc_" #name "," #name "@" version); \
  type __wrap_##name params;                                      \
  type __wrap_##name params { return zmq_napi_glibc_##name args; }
ZMQ_NAPI_PINNED(ZMQ_NAPI_TRAMPOLINE)

/* --- symbols 2.28 does not have ------------------------------------------------------------ */

#if __GLIBC_PREREQ(2, 33)
extern int zmq_napi_glibc_xstat(int version, const char* path, struct stat* buf);
extern int zmq_napi_glibc_fxstat(int version, int fd, struct stat* buf);
__asm__(".symver zmq_napi_glibc_xstat,__xstat@" BASE);
__asm__(".symver zmq_napi_glibc_fxstat,__fxstat@" BASE);

int stat(const char* path, struct stat* buf) { return zmq_napi_glibc_xstat(STAT_VER, path, buf); }

int fstat(int fd, struct stat* buf) { return zmq_napi_glibc_fxstat(STAT_VER, fd, buf); }
#endif

#if __GLIBC_PREREQ(2, 32)
/* Zero: "there may be other threads", so libstdc++ always takes its atomic paths. glibc sets
   its own copy to 1 in a single-threaded process only as an optimisation. */
char __libc_single_threaded = 0;
#endif

#if __GLIBC_PREREQ(2, 30)
/* libstdc++ waits on a std::condition_variable (whose pthread condition measures time by the
   realtime clock) until a steady_clock deadline. Without pthread_cond_clockwait it converts
   the deadline to the realtime clock, as libstdc++ built against an older glibc does, and
   re-checks the steady clock when woken. */
int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* deadline) {
  if (clock == CLOCK_REALTIME) return pthread_cond_timedwait(cond, mutex, deadline);
  if (clock != CLOCK_MONOTONIC) return EINVAL;
  struct timespec monotonic, realtime;
  clock_gettime(CLOCK_MONOTONIC, &monotonic);
  clock_gettime(CLOCK_REALTIME, &realtime);
  /* realtime + (deadline - monotonic); the nanoseconds sum lies in (-1 s, 2 s). */
  long nanoseconds = realtime.tv_nsec + (deadline->tv_nsec - monotonic.tv_nsec);
  time_t carry = nanoseconds >= 1000000000L ? 1 : nanoseconds < 0 ? -1 : 0;
  time_t seconds;
  struct timespec converted = {0, nanoseconds - carry * 1000000000L};
  if (__builtin_sub_overflow(deadline->tv_sec, monotonic.tv_sec, &seconds) ||
      __builtin_add_overflow(seconds, carry, &seconds) ||
      __builtin_add_overflow(seconds, realtime.tv_sec, &converted.tv_sec)) {
    /* Out of time_t's range: far in the past (time out now) or the future (never). */
    converted.tv_sec = deadline->tv_sec < 0 ? 0 : (time_t)INTPTR_MAX;
    converted.tv_nsec = 0;
  }
  return pthread_cond_timedwait(cond, mutex, &converted);
}
#endif

#if __GLIBC_PREREQ(2, 35)
#include <dlfcn.h>
#if DLFO_STRUCT_HAS_EH_DBASE || DLFO_STRUCT_HAS_EH_COUNT
#error "this _dl_find_object fills dlfo_eh_frame only, which is all x86_64 and aarch64 use"
#endif

struct find_object {
  uintptr_t address;
  struct dl_find_object* result;
};

static int find_object_in(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  struct find_object* search = data;
  uintptr_t low = UINTPTR_MAX, high = 0;
  void* eh_frame = NULL;
  int contains = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)* segment = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + segment->p_vaddr;
    if (segment->p_type == PT_GNU_EH_FRAME) eh_frame = (void*)start;
    if (segment->p_type != PT_LOAD) continue;
    uintptr_t end = start + segment->p_memsz;
    if (search->address >= start && search->address < end) contains = 1;
    if (start < low) low = start;
    if (end > high) high = end;
  }
  if (!contains) return 0;
  search->result->dlfo_flags = 0;
  search->result->dlfo_map_start = (void*)low;
  search->result->dlfo_map_end = (void*)high;
  search->result->dlfo_link_map = NULL;
  search->result->dlfo_eh_frame = eh_frame;
  return 1;
}

/* The unwinder asks which loaded object holds a return address and where its
   .eh_frame_hdr is: dl_iterate_phdr answers that (it is what libgcc used before 2.35). */
int _dl_find_object(void* address, struct dl_find_object* result) {
  struct find_object search = {(uintptr_t)address, result};
  return dl_iterate_phdr(find_object_in, &search) ? 0 : -1;
}
#endif

#if __GLIBC_PREREQ(2, 36)
static void read_all(int fd, unsigned char* next, size_t left) {
  while (left > 0) {
    ssize_t got = read(fd, next, left);
    if (got > 0) {
      next += got;
      left -= (size_t)got;
    } else if (!(got < 0 && errno == EINTR)) {
      abort();
    }
  }
}

/* glibc's arc4random reads the kernel's generator too (/dev/urandom where a sandbox refuses
   getrandom), and aborts when it cannot. */
uint32_t arc4random(void) {
  uint32_t value;
  unsigned char* next = (unsigned char*)&value;
  size_t left = sizeof value;
  while (left > 0) {
    ssize_t got = getrandom(next, left, 0);
    if (got > 0) {
      next += got;
      left -= (size_t)got;
    } else if (got < 0 && (errno == ENOSYS || errno == EPERM)) {
      int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
      if (fd < 0) abort();
      read_all(fd, next, left);
      close(fd);
      left = 0;
    } else if (!(got < 0 && errno == EINTR)) {
      abort();
    }
  }
  return value;
}
#endif
