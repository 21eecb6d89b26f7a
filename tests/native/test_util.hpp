#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "storelink/json.hpp"

namespace storelink::test {

inline std::string readFixture(const std::string& relative) {
  std::ifstream in(std::string(STORELINK_FIXTURES) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace storelink::test
