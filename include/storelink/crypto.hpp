// The few primitives connectors need: SHA-256 / HMAC-SHA256 (webhook signatures, MISA login
// signing), hex/base64 codecs, constant-time comparison. No dependency, no allocation tricks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace storelink::crypto {

std::array<uint8_t, 32> sha256(std::string_view data);
std::array<uint8_t, 32> hmacSha256(std::string_view key, std::string_view message);

std::string toHex(const uint8_t* data, size_t n);  // lower-case
template <size_t N>
std::string toHex(const std::array<uint8_t, N>& a) { return toHex(a.data(), N); }
std::string toBase64(const uint8_t* data, size_t n);
template <size_t N>
std::string toBase64(const std::array<uint8_t, N>& a) { return toBase64(a.data(), N); }
std::optional<std::string> fromBase64(std::string_view s);  // standard or URL-safe alphabet, padding optional

// Compares without an early exit, so timing does not reveal how much of a signature matched.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace storelink::crypto
