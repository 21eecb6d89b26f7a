// Internal: one accessor per implemented connector (each in its own file).
#pragma once

#include "storelink/connector.hpp"

namespace storelink::connectors {

const Connector& kiotviet();
const Connector& sapo();
const Connector& haravan();
const Connector& nhanh();
const Connector& pancake();
const Connector& odoo();
const Connector& getfly();
const Connector& misa();

}  // namespace storelink::connectors
