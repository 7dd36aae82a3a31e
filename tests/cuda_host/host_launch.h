// The host stand-in's launches (host_device.cpp, host_deltanet.cpp): run at once, or recorded
// while a graph is being captured (cuda/launch.h's begin_capture), their arguments taken by value
// as CUDA takes a kernel's, and run when the graph is replayed. So the stand-in replays a decode
// step the way a GPU does, and a pass that depends on anything outside its recorded arguments
// and device memory shows up on every CI run. Test-only.
#pragma once

#include <functional>
#include <utility>

namespace flash::cuda::launch::host {

bool capturing();
void record(std::function<void()> step);
// Throws flash::Error: a synchronous copy or a wait has no place in a capture (CUDA refuses it).
void refuse_while_capturing(const char* what);

template <class Step>
void run_or_record(Step&& step) {
    if (capturing())
        record(std::forward<Step>(step));
    else
        step();
}

}  // namespace flash::cuda::launch::host
