#include "notify/render.h"

#include <string_view>
#include <vector>

#include "notify/utf8.h"

namespace rectify::notify {
namespace {

bool English(const std::string& lang) { return lang == "en"; }

std::string Clean(const std::string& field) { return SanitizeUtf8(field, /*single_line=*/true); }

bool IsOverdueKind(std::string_view kind) {
  return kind == "overdue" || kind == "supervision" || kind == "admonition";
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string KindPhraseZh(const ReminderLine& l) {
  const std::string n = std::to_string(l.days);
  if (l.kind == "before_deadline") return "距整改时限还有" + n + "个工作日";
  if (l.kind == "deadline_day") return "今日到期";
  if (l.kind == "overdue") return "已逾期" + n + "个工作日";
  if (l.kind == "supervision") return "督办（已逾期" + n + "个工作日）";
  if (l.kind == "admonition") return "约谈（已逾期" + n + "个工作日）";
  if (l.kind == "stale_progress") return n + "个工作日无进展";
  return Clean(l.kind);
}

std::string KindPhraseEn(const ReminderLine& l) {
  const std::string days = Plural(l.days, "working day", "working days");
  if (l.kind == "before_deadline") return days + " to the deadline";
  if (l.kind == "deadline_day") return "due today";
  if (l.kind == "overdue") return "overdue by " + days;
  if (l.kind == "supervision") return "supervision notice (督办), overdue by " + days;
  if (l.kind == "admonition") return "admonition talk (约谈), overdue by " + days;
  if (l.kind == "stale_progress") return "no progress for " + days;
  return Clean(l.kind);
}

// "整改时限 2025-03-14；责任单位 后勤处；责任人 张三；分管领导 李四", empty fields left out.
std::string Details(const ReminderLine& l, bool en, std::string_view sep) {
  const std::pair<const char*, const std::string*> fields[] = {
      {en ? "deadline " : "整改时限 ", &l.deadline},
      {en ? "unit " : "责任单位 ", &l.unit},
      {en ? "owner " : "责任人 ", &l.owner},
      {en ? "leader " : "分管领导 ", &l.leader},
  };
  std::string out;
  for (const auto& [label, value] : fields) {
    if (value->empty()) continue;
    if (!out.empty()) out += sep;
    out += label;
    out += Clean(*value);
  }
  return out;
}

int OverdueCount(const Digest& d) {
  int n = 0;
  for (const auto& l : d.lines) n += IsOverdueKind(l.kind) ? 1 : 0;
  return n;
}

// The heading, in two shapes: kText "整改提醒：张三，共3项，其中逾期1项" and
// kSubject "【整改提醒】张三：共3项，其中逾期1项".
enum class Heading { kText, kSubject };

std::string Summary(const Digest& d, Heading shape) {
  const bool en = English(d.lang);
  const int n = static_cast<int>(d.lines.size());
  const int overdue = OverdueCount(d);
  const std::string who = Clean(d.recipient);
  std::string s;
  if (en) {
    if (shape == Heading::kSubject) {
      s = "[Rectification reminder] " + (who.empty() ? "" : who + ": ");
    } else {
      s = "Rectification reminder" + (who.empty() ? "" : " for " + who) + ": ";
    }
    s += Plural(n, "item", "items");
    if (overdue > 0) s += ", " + std::to_string(overdue) + " overdue";
    return s;
  }
  if (shape == Heading::kSubject) {
    s = "【整改提醒】" + (who.empty() ? "" : who + "：");
  } else {
    s = "整改提醒：" + (who.empty() ? "" : who + "，");
  }
  s += "共" + std::to_string(n) + "项";
  if (overdue > 0) s += "，其中逾期" + std::to_string(overdue) + "项";
  return s;
}

std::string Tail(size_t omitted, bool en) {
  return en ? "\n… and " + std::to_string(omitted) + " more"
            : "\n…另有 " + std::to_string(omitted) + " 项";
}

// head, then "\n" + item for each item while they fit, then the tail naming how many were
// left out. Never longer than max_bytes; cuts only on character boundaries.
std::string Assemble(std::string head, const std::vector<std::string>& items, size_t max_bytes,
                     bool en) {
  std::string out = std::move(head);
  const size_t n = items.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string piece = "\n" + items[i];
    const size_t after = n - i - 1;
    const std::string tail_if_last = after > 0 ? Tail(after, en) : "";
    if (out.size() + piece.size() + tail_if_last.size() <= max_bytes) {
      out += piece;
      continue;
    }
    if (i == 0) {
      // Even the first item does not fit: show as much of it as fits rather than nothing.
      if (out.size() + tail_if_last.size() < max_bytes) {
        out += TruncateUtf8(piece, max_bytes - out.size() - tail_if_last.size(), "…");
        out += tail_if_last;
      } else {
        out += Tail(n, en);
      }
    } else {
      out += Tail(n - i, en);
    }
    break;
  }
  if (out.size() > max_bytes) out = TruncateUtf8(out, max_bytes, "");  // a tiny limit
  return out;
}

}  // namespace

std::string KindPhrase(const ReminderLine& line, const std::string& lang) {
  const bool en = English(lang);
  std::string s = en ? KindPhraseEn(line) : KindPhraseZh(line);
  if (line.late) s += en ? " (late)" : "（补发）";
  return s;
}

std::string RenderText(const Digest& d, size_t max_bytes) {
  const bool en = English(d.lang);
  std::vector<std::string> items;
  items.reserve(d.lines.size());
  int index = 0;
  for (const auto& l : d.lines) {
    std::string s = std::to_string(++index) + ". [" + Clean(l.item_id) + "] " + Clean(l.title) +
                    (en ? ": " : "：") + KindPhrase(l, d.lang);
    const std::string details = Details(l, en, en ? "; " : "；");
    if (!details.empty()) s += en ? " (" + details + ")" : "（" + details + "）";
    items.push_back(std::move(s));
  }
  return Assemble(Summary(d, Heading::kText), items, max_bytes, en);
}

namespace {

std::vector<std::string> MarkdownItems(const Digest& d) {
  const bool en = English(d.lang);
  std::vector<std::string> items;
  items.reserve(d.lines.size());
  for (const auto& l : d.lines) {
    std::string s = "- **[" + Clean(l.item_id) + "] " + Clean(l.title) + "**" + (en ? ": " : "：") +
                    KindPhrase(l, d.lang);
    const std::string details = Details(l, en, " · ");
    if (!details.empty()) s += " · " + details;
    items.push_back(std::move(s));
  }
  return items;
}

}  // namespace

std::string RenderMarkdown(const Digest& d, size_t max_bytes) {
  return Assemble("### " + Summary(d, Heading::kText) + "\n", MarkdownItems(d), max_bytes,
                  English(d.lang));
}

std::string RenderMarkdownItems(const Digest& d, size_t max_bytes) {
  std::string out = Assemble("", MarkdownItems(d), max_bytes == kNoLimit ? kNoLimit : max_bytes + 1,
                             English(d.lang));
  // Assemble puts "\n" before every item; the list has no heading to separate from.
  return !out.empty() && out[0] == '\n' ? out.substr(1) : out;
}

std::string RenderSubject(const Digest& d) { return Summary(d, Heading::kSubject); }

}  // namespace rectify::notify
