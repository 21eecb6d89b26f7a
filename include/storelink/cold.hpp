// Size hints for the WebAssembly build: code between STORELINK_COLD_BEGIN and
// STORELINK_COLD_END is compiled for size (clang's `minsize` on every function defined there),
// the rest of the translation unit keeps -O3.
//
// The wasm module ships over the wire (issue #9: wasm + glue ≤ 250 KB gzip), and at -O3 most
// of its bytes are inlined copies in code that runs once per sync or per request: connect
// steps, request building, webhooks, follow-up plans, error mapping, the JS API glue. The hot
// path — JsonDoc/nlohmann parse, the mappers, parsePage, the record writer — stays outside the
// cold regions: compiling all of it for size made normalize ~5× slower.
//
// minsize only touches the functions declared inside the region (templates instantiated from
// headers keep -O3); calls from a cold function into header inline code simply stay calls.
// Native builds (g++, the fuzz/ASan clang builds) ignore the hints.
//
// Use at namespace scope, around whole function definitions (never inside a class body that
// is split across the markers):
//
//   STORELINK_COLD_BEGIN
//   Result<json> connectStep(...) { ... }
//   STORELINK_COLD_END
#pragma once

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#define STORELINK_COLD_BEGIN _Pragma("clang attribute push(__attribute__((minsize)), apply_to = function)")
#define STORELINK_COLD_END _Pragma("clang attribute pop")
#else
#define STORELINK_COLD_BEGIN
#define STORELINK_COLD_END
#endif

// The same hint on one function, for member functions defined inside a class body (where the
// region pragmas cannot appear): `STORELINK_COLD HttpRequest pageRequest(...) const override`.
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#define STORELINK_COLD __attribute__((minsize))
#else
#define STORELINK_COLD
#endif
