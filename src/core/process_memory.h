// The process's resident memory as Linux reports it (/proc/self/status): the current and the
// peak resident set, and resetting the peak so one phase of work can be measured on its own.
// Elsewhere the readings are 0 and the reset does nothing. Depends on nothing.
#pragma once

#include <cstdint>

namespace flash {

int64_t resident_bytes();       // VmRSS
int64_t peak_resident_bytes();  // VmHWM: the peak since start or the last reset
void reset_peak_resident();     // returns freed heap to the OS, writes 5 to /proc/self/clear_refs

}  // namespace flash
