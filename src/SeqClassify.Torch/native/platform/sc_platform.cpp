#include "sc_platform.h"

#include <cstdlib>
#include <cstring>

#if defined(_WIN32)
#include <malloc.h>
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sc::platform {

void* aligned_allocate(size_t alignment, size_t bytes) {
    bytes = (bytes + alignment - 1) / alignment * alignment;
#if defined(_WIN32)
    return _aligned_malloc(bytes, alignment);
#else
    return std::aligned_alloc(alignment, bytes);
#endif
}

void aligned_free(void* block) {
#if defined(_WIN32)
    _aligned_free(block);
#else
    std::free(block);
#endif
}

void keep_big_blocks_mapped() {
#if defined(__GLIBC__)
    // Blocks up to 32 MB from the heap rather than fresh mappings, and free heap kept up to 256 MB:
    // the next batch reuses them instead of page-faulting new zeroed pages (sc_memory.h).
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

void return_free_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

bool cpu_supports(const char* feature) {
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
    // libgcc's (and compiler-rt's) checks include the operating system's support for the wider
    // registers (XCR0). __builtin_cpu_supports takes only literals, hence the comparisons.
    __builtin_cpu_init();
    if (std::strcmp(feature, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
    if (std::strcmp(feature, "avx2") == 0) return __builtin_cpu_supports("avx2");
    if (std::strcmp(feature, "fma") == 0) return __builtin_cpu_supports("fma");
#endif
    (void)feature;
    return false;
}

std::string library_folder() {
#if defined(_WIN32)
    HMODULE self = nullptr;
    GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       reinterpret_cast<LPCSTR>(&library_folder), &self);
    char path[MAX_PATH] = {};
    const DWORD length = self ? GetModuleFileNameA(self, path, MAX_PATH) : 0;
    std::string text(path, length);
    const auto slash = text.find_last_of("\\/");
#else
    Dl_info info{};
    const std::string text = dladdr(reinterpret_cast<void*>(&library_folder), &info) && info.dli_fname ? info.dli_fname : "";
    const auto slash = text.rfind('/');
#endif
    return slash == std::string::npos ? "." : text.substr(0, slash);
}

std::string library_file(const char* name) {
#if defined(_WIN32)
    return std::string(name) + ".dll";
#else
    return "lib" + std::string(name) + ".so";
#endif
}

void* load_library(const std::string& path, std::string* error) {
#if defined(_WIN32)
    void* library = reinterpret_cast<void*>(LoadLibraryA(path.c_str()));
    if (!library && error) *error = "LoadLibrary failed with error " + std::to_string(GetLastError());
#else
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library && error) *error = dlerror();
#endif
    return library;
}

void* find_symbol(void* library, const char* name) {
#if defined(_WIN32)
    return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(library), name));
#else
    return dlsym(library, name);
#endif
}

}  // namespace sc::platform
