// memcpy, memmove and memset as the wasm bulk-memory instructions, for the whole module.
//
// Emscripten 3.1.6's prebuilt libc copies in 4-byte words below 512 bytes and calls out to JS
// (HEAPU8.copyWithin) from 512 bytes up: one wasm→JS call per record the writer hands to a
// std::string, and word loops inside every libc++ string operation. Compiled with
// -mbulk-memory, each body below is one memory.copy / memory.fill, which the engine runs as
// a native memmove/memset. Defined here, in an object file, they take the place of libc's.
#include <stddef.h>

void* memcpy(void* restrict dest, const void* restrict src, size_t n) {
  __builtin_memcpy(dest, src, n);
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  __builtin_memmove(dest, src, n);
  return dest;
}

void* memset(void* dest, int c, size_t n) {
  __builtin_memset(dest, c, n);
  return dest;
}
