#pragma once

// Digest -> human text, Chinese by default (Digest::lang "en" for English). Pure functions,
// no I/O; BuildRequest and BuildEmail use them, and tests compare their output literally.
//
// Every message starts with "整改提醒" (or "Rectification reminder"), so an operator can use
// it as the keyword of a robot's keyword security (自定义关键词).

#include <cstddef>
#include <limits>
#include <string>

#include "notify/types.h"

namespace rectify::notify {

inline constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

// The rule as a phrase: 距整改时限还有5个工作日 / 今日到期 / 已逾期3个工作日 /
// 督办（已逾期6个工作日） / 约谈（已逾期11个工作日） / 10个工作日无进展; an unknown kind is
// shown as is. A late (collapsed) reminder gets （补发）.
std::string KindPhrase(const ReminderLine& line, const std::string& lang);

// Plain text: a heading line, then one line per item:
//   1. [2025-0001] 食堂卫生整改：距整改时限还有5个工作日（整改时限 2025-03-14；责任单位
//   后勤处；责任人 张三）
// Over max_bytes, whole items are dropped from the end and "…另有 N 项" says how many; the
// result is valid UTF-8 and never longer than max_bytes.
std::string RenderText(const Digest& digest, size_t max_bytes = kNoLimit);

// The same as a markdown list (WeCom/DingTalk markdown, Feishu lark_md), same truncation.
std::string RenderMarkdown(const Digest& digest, size_t max_bytes = kNoLimit);

// The markdown list alone, without the "### ..." heading (a Feishu card has its own header).
std::string RenderMarkdownItems(const Digest& digest, size_t max_bytes = kNoLimit);

// One line for an email Subject or a robot title: 【整改提醒】张三：共3项，其中逾期1项
std::string RenderSubject(const Digest& digest);

}  // namespace rectify::notify
