// Internal: one accessor per implemented connector (each in its own file).
#pragma once

#include "storelink/connector.hpp"

namespace storelink::connectors {

const Connector& kiotviet();
const Connector& odoo();
const Connector& getfly();
const Connector& misa();

}  // namespace storelink::connectors
