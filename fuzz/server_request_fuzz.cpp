// The server's request path before any model work: the body parsed with its limits, then
// validated as a chat completion, a completion and a grounded-answer request (a 400 ApiError
// or flash::Error is the intended refusal).
#include "fuzz_support.h"
#include "serve/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace flash::serve;
    try {
        const Json body = parse_json_body(flash::fuzz::as_text(data, size));
        for (int kind = 0; kind < 3; ++kind) {
            try {
                if (kind == 0) (void)parse_chat_request(body);
                if (kind == 1) (void)parse_completion_request(body);
                if (kind == 2) (void)parse_answer_request(body);
            } catch (const ApiError&) {
            } catch (const flash::Error&) {
            }
        }
    } catch (const ApiError&) {
    }
    return 0;
}
