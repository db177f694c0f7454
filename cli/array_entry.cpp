#include "array_entry.hpp"

#include "describe.hpp"
#include "system_info.hpp"

namespace npshm_cli {

ArrayEntry read_entry(const npshm_info *info, std::time_t now) {
  ArrayEntry e;
  e.uri = npshm_info_name(info);
  e.name = e.uri.rfind("shm://", 0) == 0 ? e.uri.substr(6) : e.uri;
  e.path = npshm_info_path(info);
  e.status = npshm_info_status(info);
  e.message = npshm_info_message(info);
  if (e.valid()) {
    e.dtype = npshm_info_dtype(info);
    const int ndim = npshm_info_ndim(info);
    const std::int64_t *shape = npshm_info_shape(info);
    e.shape.assign(shape, shape + ndim);
    e.order = npshm_info_order(info);
    e.itemsize = npshm_info_itemsize(info);
    e.nbytes = npshm_info_nbytes(info);
    e.lifetime = npshm_info_lifetime(info);
  }
  e.holders = npshm_info_holders(info);
  e.file_size = npshm_info_file_size(info);
  e.uid = npshm_info_uid(info);
  e.owner = user_name(e.uid);
  e.mode = npshm_info_mode(info);
  e.mtime = npshm_info_mtime(info);
  e.age_seconds = static_cast<std::int64_t>(now) - e.mtime;
  return e;
}

void write_entry_members(JsonWriter &json, const ArrayEntry &e) {
  json.key("name").string(e.name);
  json.key("uri").string(e.uri);
  json.key("path").string(e.path);
  json.key("valid").boolean(e.valid());
  if (e.valid()) {
    json.key("dtype").string(e.dtype);
    json.key("shape").begin_array();
    for (std::int64_t extent : e.shape) json.number(extent);
    json.end_array();
    json.key("order").string(order_text(e.order));
    json.key("itemsize").number(e.itemsize);
    json.key("nbytes").number(e.nbytes);
    json.key("lifetime").string(lifetime_text(e.lifetime));
  } else {
    json.key("error").string(npshm_error_name(e.status));
    json.key("message").string(e.message);
  }
  json.key("file_size").number(e.file_size);
  if (e.holders >= 0)
    json.key("holders").number(e.holders);
  else
    json.key("holders").null();
  json.key("uid").number(e.uid);
  json.key("owner").string(e.owner);
  json.key("mode").string(mode_text(e.mode));
  json.key("mtime").number(e.mtime);
  json.key("age_seconds").number(e.age_seconds);
}

}  // namespace npshm_cli
