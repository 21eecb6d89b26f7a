// Embind bindings: thin by design. Every function takes and returns strings (JSON text);
// the typed JS surface lives in wasm/js/.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "storelink/api.hpp"

using namespace emscripten;
namespace api = storelink::api;

namespace {

// The byte boundary of normalize: JS writes the body's UTF-8 straight into `input` (one copy,
// TextEncoder.encodeInto or Uint8Array.set), and reads the result from `output` as ASCII bytes
// (api::normalizeInto with asciiOnly), which TextDecoder turns into a string without UTF-8
// decoding. Embind's std::string marshalling does both with per-byte JS loops instead.
std::string input;
std::string output;

// A view of `n` writable bytes; earlier bytes are kept (a caller may grow it mid-encode).
// Views die when memory grows: JS asks again after every call that may allocate.
val inputBuffer(size_t n) {
  input.resize(n);
  return val(typed_memory_view(n, reinterpret_cast<unsigned char*>(input.data())));
}

size_t normalizeInput(const std::string& platform, const std::string& entity, size_t n, const std::string& options) {
  if (n > input.size()) n = input.size();
  if (output.capacity() > (8u << 20)) std::string().swap(output);
  api::normalizeInto(output, platform, entity, std::string_view(input.data(), n), options, true);
  // A huge body once should not pin its buffers for the life of the module.
  if (input.capacity() > (8u << 20)) std::string().swap(input);
  return output.size();
}

// Whether the first `n` input bytes hold U+FFFD (EF BF BD), which is what encodeInto writes
// for a lone surrogate: only a string body whose bytes hold it needs JS's isWellFormed scan
// (a full pass over every body otherwise). Eight bytes per step looking for 0xEF, which no
// Vietnamese letter's UTF-8 contains.
bool inputHasReplacement(size_t n) {
  if (n > input.size()) n = input.size();
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  size_t i = 0;
  for (;;) {
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      const uint64_t x = w ^ (ones * 0xEF);
      if ((x - ones) & ~x & high) break;  // some byte of this word may be 0xEF
    }
    const size_t stop = std::min(i + 8, n);
    for (; i < stop; ++i) {
      if (p[i] == 0xEF && i + 2 < n && p[i + 1] == 0xBF && p[i + 2] == 0xBD) return true;
    }
    if (i >= n) return false;
  }
}

// sl.normalize's records as columns (api::normalizeRecords): wasm/js/core.js builds the
// objects from them, which is cheaper than TextDecoder + JSON.parse of the same records as text.
storelink::RecordStream stream;
std::string tail;

size_t normalizeRecordsInput(const std::string& platform, const std::string& entity, size_t n, const std::string& options) {
  if (n > input.size()) n = input.size();
  stream.words.release(4u << 20);
  stream.numbers.release(4u << 20);
  stream.ascii.release(8u << 20);
  stream.wide.release(8u << 20);
  if (tail.capacity() > (1u << 20)) std::string().swap(tail);
  const size_t count = api::normalizeRecords(stream, tail, platform, entity, std::string_view(input.data(), n), options);
  if (input.capacity() > (8u << 20)) std::string().swap(input);
  return count;
}

// [words: Uint32Array, numbers: Float64Array, ascii: Uint8Array, wide: Uint16Array, tail: Uint8Array]
val recordViews() {
  val views = val::array();
  views.set(0, val(typed_memory_view(stream.words.size(), stream.words.data())));
  views.set(1, val(typed_memory_view(stream.numbers.size(), stream.numbers.data())));
  views.set(2, val(typed_memory_view(stream.ascii.size(), reinterpret_cast<unsigned char*>(stream.ascii.data()))));
  views.set(3, val(typed_memory_view(stream.wide.size(), stream.wide.data())));
  views.set(4, val(typed_memory_view(tail.size(), reinterpret_cast<unsigned char*>(tail.data()))));
  return views;
}

val outputView() { return val(typed_memory_view(output.size(), reinterpret_cast<unsigned char*>(output.data()))); }

// {heapBytes: linear memory size, usedBytes: allocated by malloc}: what the module holds.
std::string memoryJson() {
  const size_t heap = __builtin_wasm_memory_size(0) * 65536;
  struct mallinfo mi = mallinfo();
  return "{\"heapBytes\":" + std::to_string(heap) + ",\"usedBytes\":" + std::to_string(mi.uordblks) + "}";
}

}  // namespace

EMSCRIPTEN_BINDINGS(storelink) {
  function("version", &api::version);
  function("platforms", &api::platformsJson);
  function("normalize", &api::normalizeJson);
  function("fillSecrets", &api::fillSecretsJson);
  function("keepSecrets", &api::keepSecretsJson);
  function("buildUrl", &api::buildUrlJson);
  function("inspectWebhook", &api::inspectWebhookJson);
  function("checkCredentials", &api::checkCredentialsJson);
  function("connect", &api::connectJson);
  function("inputBuffer", &inputBuffer);
  function("normalizeInput", &normalizeInput);
  function("outputView", &outputView);
  function("inputHasReplacement", &inputHasReplacement);
  function("normalizeRecords", &normalizeRecordsInput);
  function("recordViews", &recordViews);
  function("memory", &memoryJson);
  class_<api::Job>("Job")
      .constructor<>()
      .function("init", &api::Job::init)
      .function("next", &api::Job::next)
      .function("receive", &api::Job::receive)
      .function("takeRecords", &api::Job::takeRecords)
      .function("progress", &api::Job::progress)
      .function("checkpoint", &api::Job::checkpoint)
      .function("cancel", &api::Job::cancel);
}
