# Cross-compiling for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu and the arm64 -dev
# packages installed through multiarch (dpkg --add-architecture arm64); tests run under
# qemu-aarch64 (qemu-user), which reads the CPU model from $QEMU_CPU. Used by the arm64 preset.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# Libraries and headers come from the multiarch paths (/usr/lib/aarch64-linux-gnu, /usr/include)
# as well as the toolchain's root.
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# No -L: the loader and libc come from the multiarch libc6:arm64 (/lib/ld-linux-aarch64.so.1),
# matching the -dev packages; mixing in the cross toolchain's own libc hangs at thread creation.
# libstdc++6:arm64 provides the C++ runtime there.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
