// The two kinds of failure the CLI distinguishes: bad input (exit 2) and runtime failure (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace softpower {

/// The user's input is wrong: a scenario, a graph file, a command-line value. The message names
/// the file, line and field so that the user can fix it without reading code.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Something failed while running with valid input: a full disk, an HDF5 failure.
class RuntimeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace softpower
