// Downloads a GGUF file from an http(s) URL with libcurl: follows redirects, resumes a
// partial `DEST.part` with a Range request (restarting when the server ignores Range), retries
// dropped connections, checks the HTTP status, the GGUF magic and (optionally) the sha256,
// and only then renames the file to DEST. Depends on core/ only.
#pragma once

#include <string>

#include "store/progress.h"

namespace flash {

// True for "http://", "https://" and "hf://" specs.
bool is_url(const std::string& spec);

// "hf://owner/repo/path/file.gguf" (or "hf://owner/repo@revision/path/file.gguf") becomes
// "$FLASH_HF_ENDPOINT/owner/repo/resolve/<revision or main>/path/file.gguf"; throws
// flash::Error when FLASH_HF_ENDPOINT is unset or the spec is malformed. Other URLs are
// returned unchanged.
std::string expand_url(const std::string& url);

// The file name a URL points at: last path segment, query and fragment dropped, %XX decoded.
// Throws flash::Error when there is none (e.g. "http://host/").
std::string url_file_name(const std::string& url);

// Downloads `url` to `dest_path` via `dest_path + ".part"`. An existing .part file is resumed.
// expected_sha256 empty: not checked. max_attempts bounds the tries after a dropped
// connection (each resumes where the last stopped); an interrupted download that runs out of
// attempts keeps its .part file for the next call. HTTP 4xx/5xx, a non-GGUF body or a sha256
// mismatch throw flash::Error (the last two also delete the .part file). For hf:// URLs the
// token in $HF_TOKEN, when set, is sent as a bearer token.
void pull_url(const std::string& url, const std::string& dest_path,
              const std::string& expected_sha256 = {}, const ProgressFn& progress = {},
              int max_attempts = 3);

}  // namespace flash
