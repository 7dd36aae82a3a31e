// The process's resident memory: the current and the peak resident set, and resetting the peak
// so one phase of work can be measured on its own. Linux: /proc/self/status and clear_refs.
// macOS: the Mach task's basic info, whose peak cannot be reset (reset_peak_resident only
// returns nothing there). Elsewhere the readings are 0. Depends on nothing.
#pragma once

#include <cstdint>

namespace flash {

int64_t resident_bytes();       // VmRSS
int64_t peak_resident_bytes();  // VmHWM: the peak since start or the last reset
void reset_peak_resident();     // returns freed heap to the OS, writes 5 to /proc/self/clear_refs

}  // namespace flash
