// rectifyctl: parse the command line, run it, exit with its code. See client/README.md.

#include <iostream>
#include <string>
#include <vector>

#include "client/cli.h"
#include "client/execute.h"

int main(int argc, char** argv) {
  using namespace rectify::client;
  const std::vector<std::string> args(argv + 1, argv + argc);
  ParseOutcome parsed = ParseCommandLine(args, ProcessEnv, std::cout, std::cerr);
  if (!parsed.invocation) return parsed.exit_code;
  return Execute(*parsed.invocation, std::cout, std::cerr);
}
