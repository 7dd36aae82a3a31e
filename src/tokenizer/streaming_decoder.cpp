// StreamingDecoder: holds back the bytes of a UTF-8 character until its last byte arrives.
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace flash {

std::string StreamingDecoder::push(int32_t id) {
    pending_ += tok_->token_piece(id);
    const size_t keep = tok::incomplete_utf8_tail(pending_);
    std::string out = pending_.substr(0, pending_.size() - keep);
    pending_.erase(0, pending_.size() - keep);
    return out;
}

std::string StreamingDecoder::flush() {
    std::string out;
    out.swap(pending_);
    return out;
}

}  // namespace flash
