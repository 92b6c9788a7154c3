// Full Attention (methods.md): causal attention over all L tokens; the accuracy reference and the
// speed baseline. No parameters.
#include "methods/method_registry.h"

namespace pevlm {

MethodSpec full_method() {
  return MethodSpec{"full", "standard causal attention over every token", {},
                    [](const TokenLayout& layout, const nlohmann::json&) { return make_full_plan(layout); }};
}

}  // namespace pevlm
