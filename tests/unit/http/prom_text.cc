#include "prom_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace rectify::http::testing {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool IsLabelStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

bool ValidName(std::string_view s) {
  if (s.empty() || !IsNameStart(s[0])) return false;
  for (char c : s) if (!IsNameChar(c)) return false;
  return true;
}

// Go's strconv.ParseFloat as Prometheus uses it: decimal/exponent forms, Inf/NaN spellings.
std::optional<double> ParseValue(std::string_view s) {
  if (s == "+Inf" || s == "Inf" || s == "+inf" || s == "inf") return HUGE_VAL;
  if (s == "-Inf" || s == "-inf") return -HUGE_VAL;
  if (s == "NaN" || s == "nan") return std::nan("");
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  std::string str(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return std::nullopt;
  return v;
}

const std::vector<std::string_view> kSuffixes = {"_bucket", "_sum", "_count"};

}  // namespace

std::optional<double> Exposition::Value(const std::string& name, const Labels& labels) const {
  for (const auto& [_, f] : families) {
    for (const auto& s : f.samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
  }
  return std::nullopt;
}

std::optional<double> Exposition::Bucket(const std::string& name, const Labels& labels,
                                         const std::string& le) const {
  auto it = families.find(name);
  if (it == families.end()) return std::nullopt;
  auto want = ParseValue(le);
  for (const auto& s : it->second.samples) {
    if (s.name != name + "_bucket") continue;
    Labels rest = s.labels;
    auto l = rest.find("le");
    if (l == rest.end()) continue;
    auto have = ParseValue(l->second);
    rest.erase(l);
    if (rest == labels && have && want && *have == *want) return s.value;
  }
  return std::nullopt;
}

std::string Exposition::TypeOf(const std::string& name) const {
  auto it = families.find(name);
  return it == families.end() ? "" : it->second.type;
}

std::string Parse(std::string_view text, Exposition* out) {
  *out = {};
  if (!text.empty() && text.back() != '\n') return "the text does not end with a newline";
  std::set<std::string> typed, seen_series, closed;  // closed: families whose group ended
  std::string current;                                // family of the previous sample
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    auto err = [&](const std::string& what) {
      return "line " + std::to_string(line_no) + ": " + what + ": \"" + std::string(line) + "\"";
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      // "# HELP name text" / "# TYPE name type"; anything else is a comment.
      std::string_view rest = line.substr(1);
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      bool help = rest.substr(0, 5) == "HELP ", type = rest.substr(0, 5) == "TYPE ";
      if (!help && !type) continue;
      rest.remove_prefix(5);
      size_t sp = rest.find(' ');
      std::string name(rest.substr(0, sp));
      std::string_view arg = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
      if (!ValidName(name)) return err("bad metric name in HELP/TYPE");
      if (closed.count(name) || (current == name && type && !out->families[name].samples.empty())) {
        return err("HELP/TYPE after the family's samples");
      }
      Family& f = out->families[name];
      f.name = name;
      if (help) {
        f.help = std::string(arg);
      } else {
        if (!typed.insert(name).second) return err("second TYPE line");
        if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
            arg != "untyped") {
          return err("unknown type");
        }
        f.type = std::string(arg);
      }
      continue;
    }
    // name{l="v",...} value [timestamp]
    size_t i = 0;
    while (i < line.size() && IsNameChar(line[i])) ++i;
    Sample s;
    s.name = std::string(line.substr(0, i));
    if (!ValidName(s.name)) return err("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        while (i < line.size() && line[i] == ' ') ++i;
        if (i < line.size() && line[i] == '}') { ++i; break; }
        size_t start = i;
        if (i >= line.size() || !IsLabelStart(line[i])) return err("bad label name");
        while (i < line.size() && IsLabelChar(line[i])) ++i;
        std::string lname(line.substr(start, i - start));
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return err("want =\"");
        i += 2;
        std::string value;
        while (true) {
          if (i >= line.size()) return err("unterminated label value");
          char c = line[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= line.size()) return err("dangling escape");
            char e = line[i++];
            if (e == 'n') value += '\n';
            else if (e == '\\') value += '\\';
            else if (e == '"') value += '"';
            else return err("bad escape");
          } else {
            value += c;
          }
        }
        if (!s.labels.emplace(lname, value).second) return err("label twice");
        if (i < line.size() && line[i] == ',') { ++i; continue; }
        if (i < line.size() && line[i] == '}') { ++i; break; }
        return err("want , or }");
      }
    }
    if (i >= line.size() || line[i] != ' ') return err("want a space before the value");
    while (i < line.size() && line[i] == ' ') ++i;
    std::string_view rest = line.substr(i);
    size_t sp = rest.find(' ');
    auto value = ParseValue(rest.substr(0, sp));
    if (!value) return err("bad value");
    s.value = *value;
    if (sp != std::string_view::npos) {
      std::string_view ts = rest.substr(sp + 1);
      if (ts.empty()) return err("bad timestamp");
      for (char c : ts) if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-') return err("bad timestamp");
    }
    // Which family: the name itself, or a histogram/summary's _bucket/_sum/_count.
    std::string family = s.name;
    if (!out->families.count(family) || out->families[family].type == "histogram") {
      for (auto suffix : kSuffixes) {
        if (s.name.size() > suffix.size() &&
            std::string_view(s.name).substr(s.name.size() - suffix.size()) == suffix) {
          std::string base = s.name.substr(0, s.name.size() - suffix.size());
          auto it = out->families.find(base);
          if (it != out->families.end() &&
              (it->second.type == "histogram" || it->second.type == "summary")) {
            family = base;
          }
        }
      }
    }
    if (family != current) {
      if (!current.empty()) closed.insert(current);
      if (closed.count(family)) return err("family's samples are not one group");
      current = family;
    }
    std::string series = s.name;
    for (const auto& [k, v] : s.labels) series += "\x01" + k + "\x02" + v;
    if (!seen_series.insert(series).second) return err("duplicate series");
    Family& f = out->families[family];
    f.name = family;
    if (f.type == "histogram" && s.name == family) return err("bare sample in a histogram");
    f.samples.push_back(std::move(s));
  }

  // Histograms: per label set, buckets cumulative in le order, +Inf == _count, _sum present.
  for (const auto& [name, f] : out->families) {
    if (f.type != "histogram") continue;
    std::map<Labels, std::map<double, double>> buckets;
    std::map<Labels, double> counts, sums;
    for (const auto& s : f.samples) {
      Labels l = s.labels;
      if (s.name == name + "_bucket") {
        auto le = l.find("le");
        if (le == l.end()) return name + ": bucket without le";
        auto bound = ParseValue(le->second);
        if (!bound) return name + ": bad le " + le->second;
        l.erase(le);
        buckets[l][*bound] = s.value;
      } else if (s.name == name + "_count") {
        counts[l] = s.value;
      } else if (s.name == name + "_sum") {
        sums[l] = s.value;
      }
    }
    for (const auto& [l, b] : buckets) {
      double prev = 0;
      for (const auto& [bound, v] : b) {
        if (v < prev) return name + ": buckets are not cumulative";
        prev = v;
      }
      if (!b.count(HUGE_VAL)) return name + ": no +Inf bucket";
      if (!counts.count(l) || counts[l] != b.at(HUGE_VAL)) return name + ": _count != +Inf bucket";
      if (!sums.count(l)) return name + ": no _sum";
    }
    if (buckets.size() != counts.size()) return name + ": _count without buckets";
  }
  return "";
}

}  // namespace rectify::http::testing
