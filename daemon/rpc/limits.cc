#include "rpc/limits.h"

namespace rectify::rpc {

domain::Limits RequestLimits(const config::Limits& c) {
  domain::Limits l;
  l.title_max = c.max_title_chars;
  l.description_max = c.max_description_chars;
  l.name_max = c.max_name_chars;
  l.text_max = c.max_text_chars;
  l.ref_max = c.max_ref_chars;
  l.request_id_max = c.max_request_id_chars;
  l.measures_max = c.max_measures;
  l.evidence_max = c.max_evidence;
  l.co_units_max = c.max_co_units;
  l.page_size_max = c.max_page_size;
  l.filter_max = c.max_filter_values;
  return l;
}

}  // namespace rectify::rpc
