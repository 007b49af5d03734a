#pragma once

// A strict reader of the Prometheus text exposition format 0.0.4, for the tests: what a
// Prometheus server would refuse, this refuses too (and a little more: it also checks that
// every histogram is internally consistent).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rectify::http::testing {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

struct Family {
  std::string name, help, type = "untyped";
  std::vector<Sample> samples;
};

struct Exposition {
  std::map<std::string, Family> families;

  // The value of the sample `name` with exactly these labels.
  std::optional<double> Value(const std::string& name, const Labels& labels = {}) const;
  // The cumulative count of the histogram `name` bucket `le` ("0.005", "+Inf") for `labels`.
  std::optional<double> Bucket(const std::string& name, const Labels& labels,
                               const std::string& le) const;
  std::string TypeOf(const std::string& name) const;
};

// Parses `text` into `out`; returns "" when it is valid, else what is wrong and on which line.
std::string Parse(std::string_view text, Exposition* out);

}  // namespace rectify::http::testing
