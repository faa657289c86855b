// Every call the engine makes to its operating system, C library or compiler's CPU detection, in one
// place: the rest of the native code is plain C++17 and builds for any target. Built and checked for
// Linux x86-64 (gcc, clang) and Windows x86-64 (mingw-w64; scripts/check-native-portability.sh).
#pragma once
#include <cstddef>
#include <string>

namespace sc::platform {

// Memory: aligned blocks (std::aligned_alloc does not exist on Windows), and the C library's
// allocator tuned for big batch buffers and asked to return free memory (glibc only; elsewhere
// nothing).
void* aligned_allocate(size_t alignment, size_t bytes);
void aligned_free(void* block);
void keep_big_blocks_mapped();
void return_free_heap();

// CPU features for choosing a kernel set: "avx512f", "avx2", "fma" (false for any name on a CPU or
// compiler where the engine has no such kernels). Includes the operating system's support for the
// wider registers.
bool cpu_supports(const char* feature);

// The folder the engine's library was loaded from, and dynamic libraries beside it.
std::string library_folder();
// A library's file name on this platform: "libNAME.so", "NAME.dll".
std::string library_file(const char* name);
// Loads a library; null on failure, with the loader's reason in *error.
void* load_library(const std::string& path, std::string* error);
void* find_symbol(void* library, const char* name);

}  // namespace sc::platform
