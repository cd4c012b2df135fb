# Cross-compiles for win32-x64 with Debian's mingw-w64 (the posix-threads flavour, whose
# libstdc++ has std::thread and std::mutex):
#   apt-get install g++-mingw-w64-x86-64 wine64
# Used by deps/build.js --toolchain (the vendored libraries) and by `npm run prebuilds` for the
# addon. No emulator: libzmq's run-time checks are POSIX ones, meaningless on Windows.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
# Windows 10: libzmq derives _WIN32_WINNT from it (0x0A00, which Node 20 requires anyway).
set(CMAKE_SYSTEM_VERSION 10.0)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)

# Headers and libraries from the target's root (and the prefixes we build into); programs
# from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
