// pevlm: the harness executable. `pevlm <command> [args]`; `pevlm help` lists the commands.
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/commands.h"

namespace {

struct Command {
  std::function<int(const std::vector<std::string>&)> run;
  const char* help;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"speed", {pevlm::run_speed_command, "attention-only timing of method plans (--config FILE [--out DIR])"}},
      {"methods", {pevlm::run_methods_command, "list the attention methods and their parameters"}},
      {"plan", {pevlm::run_plan_command, "print a method's plan on a small layout (--method NAME [--set k=v])"}},
  };
  return table;
}

int usage(FILE* out) {
  std::fprintf(out, "usage: pevlm <command> [args]\ncommands:\n");
  for (const auto& [name, cmd] : commands()) std::fprintf(out, "  %-20s %s\n", name.c_str(), cmd.help);
  return out == stderr ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return usage(stdout);
  auto it = commands().find(name);
  if (it == commands().end()) {
    std::fprintf(stderr, "pevlm: unknown command '%s'\n", name.c_str());
    return usage(stderr);
  }
  try {
    return it->second.run(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pevlm %s: error: %s\n", name.c_str(), e.what());
    return 1;
  }
}
