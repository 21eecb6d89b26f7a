// Native twin of the wasm normalize benchmark: the same C++ (api::normalizeJson, the string
// boundary the wasm module exports) on the same page bodies, timed in-process.
//
//   storelink_normalize_bench --ms 1500 <platform> <entity> <body.json>...
//
// Prints one JSON line: {"platform","entity","bytes","records","iterations","seconds"}
// where bytes/records are per iteration (all bodies once). Built with -DSTORELINK_BENCH=ON.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "storelink/api.hpp"

namespace {

std::string readFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Counts the records in a normalize result without a JSON parser: every record object
// starts with {"type":" (the writer's fixed field order).
size_t countRecords(const std::string& out) {
  size_t n = 0;
  for (size_t pos = out.find("{\"type\":\""); pos != std::string::npos; pos = out.find("{\"type\":\"", pos + 1)) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  double budgetMs = 1500;
  int arg = 1;
  if (arg + 1 < argc && std::string(argv[arg]) == "--ms") {
    budgetMs = std::atof(argv[arg + 1]);
    arg += 2;
  }
  if (argc - arg < 3) {
    std::fprintf(stderr, "usage: %s [--ms N] <platform> <entity> <body.json>...\n", argv[0]);
    return 2;
  }
  const std::string platform = argv[arg], entity = argv[arg + 1];
  std::vector<std::string> bodies;
  size_t bytes = 0;
  for (int i = arg + 2; i < argc; ++i) {
    bodies.push_back(readFile(argv[i]));
    bytes += bodies.back().size();
  }
  size_t records = 0;
  for (const auto& b : bodies) records += countRecords(storelink::api::normalizeJson(platform, entity, b, ""));

  using Clock = std::chrono::steady_clock;
  // Warm-up, then as many whole passes as fit in the budget.
  for (int i = 0; i < 3; ++i)
    for (const auto& b : bodies) storelink::api::normalizeJson(platform, entity, b, "");
  size_t sink = 0, iterations = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (const auto& b : bodies) sink += storelink::api::normalizeJson(platform, entity, b, "").size();
    ++iterations;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed * 1000 < budgetMs);
  std::printf("{\"platform\":\"%s\",\"entity\":\"%s\",\"bytes\":%zu,\"records\":%zu,\"iterations\":%zu,\"seconds\":%.6f,\"sink\":%zu}\n",
              platform.c_str(), entity.c_str(), bytes, records, iterations, elapsed, sink);
  return 0;
}
