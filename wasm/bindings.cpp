// Embind bindings: thin by design. Every function takes and returns strings (JSON text);
// the typed JS surface lives in wasm/js/.
#include <emscripten/bind.h>

#include "storelink/api.hpp"

using namespace emscripten;
namespace api = storelink::api;

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
