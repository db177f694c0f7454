#include "array_entry.hpp"

#include <cstdio>

#include "describe.hpp"
#include "exit_codes.hpp"

namespace npshm_cli {

namespace {

std::string bare_name(const std::string &uri) {
  return uri.rfind("shm://", 0) == 0 ? uri.substr(6) : uri;
}

std::string id_text(std::uint64_t id) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace

ArrayEntry read_entry(const npshm_info *info, std::time_t now) {
  ArrayEntry e;
  e.uri = npshm_info_name(info);
  e.name = bare_name(e.uri);
  e.path = npshm_info_path(info);
  e.status = npshm_info_status(info);
  e.message = npshm_info_message(info);
  e.kind = e.valid() ? "array" : "invalid";
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

ArrayEntry read_other_entry(const OtherFile &file, const std::string &directory,
                            std::time_t now) {
  ArrayEntry e;
  e.name = file.name;
  e.uri = "shm://" + file.name;
  e.path = directory + "/" + file.name;
  e.kind = file.kind;
  e.status = NPSHM_E_FORMAT;
  e.message = "a " + file.kind + ", not an array";
  e.file_size = file.size;
  e.uid = file.uid;
  e.owner = user_name(file.uid);
  e.mode = file.mode;
  e.mtime = file.mtime;
  e.age_seconds = static_cast<std::int64_t>(now) - e.mtime;
  return e;
}

Json entry_json(const ArrayEntry &e) {
  Json json = {{"name", e.name}, {"uri", e.uri}, {"path", e.path},
               {"kind", e.kind}, {"valid", e.valid()}};
  if (e.valid()) {
    json["dtype"] = e.dtype;
    json["shape"] = e.shape;
    json["order"] = order_text(e.order);
    json["itemsize"] = e.itemsize;
    json["nbytes"] = e.nbytes;
    json["lifetime"] = lifetime_text(e.lifetime);
  } else {
    if (e.kind == "invalid") json["error"] = error_slug(e.status);
    json["message"] = e.message;
  }
  json["file_size"] = e.file_size;
  json["holders"] = e.holders >= 0 ? Json(e.holders) : Json(nullptr);
  json["uid"] = e.uid;
  json["owner"] = e.owner;
  json["mode"] = mode_text(e.mode);
  json["mtime"] = e.mtime;
  json["age_seconds"] = e.age_seconds;
  return json;
}

Json handle_json(const npshm_array *array) {
  const std::string uri = npshm_name(array);
  const int ndim = npshm_ndim(array);
  const std::int64_t *shape = npshm_shape(array);
  return {{"name", bare_name(uri)},
          {"uri", uri},
          {"path", npshm_path(array)},
          {"dtype", npshm_dtype(array)},
          {"shape", std::vector<std::int64_t>(shape, shape + ndim)},
          {"order", order_text(npshm_order(array))},
          {"itemsize", npshm_itemsize(array)},
          {"nbytes", npshm_nbytes(array)},
          {"lifetime", lifetime_text(npshm_lifetime(array))},
          {"id", id_text(npshm_id(array))}};
}

}  // namespace npshm_cli
