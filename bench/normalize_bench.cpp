// Native twin of the wasm normalize benchmark: the same C++ (api::normalizeJson, the string
// boundary the wasm module exports) on the same page bodies, timed in-process.
//
//   storelink_normalize_bench --ms 1500 <platform> <entity> <body.json>...
//   storelink_normalize_bench --serve <platform> <entity> <body.json>...
//
// Prints one JSON line: {"platform","entity","bytes","records","samples","cpuMedian","wallMedian"}:
// bytes/records per pass (all bodies once), seconds per pass. With --serve it stays up: every
// line read from stdin is a budget in ms, answered by one such line for that slice, so the
// caller can alternate short slices with the wasm module's (bench/normalize.js). Built with
// -DSTORELINK_BENCH=ON.
#include <algorithm>
#include <ctime>
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

double nowSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double budgetMs = 1500;
  bool serve = false;
  int arg = 1;
  if (arg + 1 < argc && std::string(argv[arg]) == "--ms") {
    budgetMs = std::atof(argv[arg + 1]);
    arg += 2;
  } else if (arg < argc && std::string(argv[arg]) == "--serve") {
    serve = true;
    ++arg;
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

  // Warm-up, then one sample per pass over all bodies until the budget is spent. The machine
  // is shared, so the figure that counts is this thread's CPU time per pass (median); wall
  // time is reported beside it.
  for (int i = 0; i < 3; ++i)
    for (const auto& b : bodies) storelink::api::normalizeJson(platform, entity, b, "");
  size_t sink = 0;
  const auto slice = [&](double ms) {
    std::vector<double> cpu, wall;
    const double startWall = nowSeconds(CLOCK_MONOTONIC);
    do {
      const double c0 = nowSeconds(CLOCK_THREAD_CPUTIME_ID), w0 = nowSeconds(CLOCK_MONOTONIC);
      for (const auto& b : bodies) sink += storelink::api::normalizeJson(platform, entity, b, "").size();
      cpu.push_back(nowSeconds(CLOCK_THREAD_CPUTIME_ID) - c0);
      wall.push_back(nowSeconds(CLOCK_MONOTONIC) - w0);
    } while ((nowSeconds(CLOCK_MONOTONIC) - startWall) * 1000 < ms || cpu.size() < 5);
    std::printf("{\"platform\":\"%s\",\"entity\":\"%s\",\"bytes\":%zu,\"records\":%zu,\"samples\":%zu,"
                "\"cpuMedian\":%.9f,\"wallMedian\":%.9f,\"sink\":%zu}\n",
                platform.c_str(), entity.c_str(), bytes, records, cpu.size(), median(cpu), median(wall), sink);
    std::fflush(stdout);
  };
  if (!serve) {
    slice(budgetMs);
    return 0;
  }
  char line[64];
  while (std::fgets(line, sizeof line, stdin) != nullptr) slice(std::atof(line));
  return 0;
}
