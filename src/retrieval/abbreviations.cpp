#include "retrieval/abbreviations.h"

#include <cctype>
#include <string>

namespace flash::retrieval {
namespace {

bool in(std::string_view word, std::initializer_list<std::string_view> list) {
    for (std::string_view w : list)
        if (w == word) return true;
    return false;
}

}  // namespace

AbbreviationKind abbreviation_kind(std::string_view word) {
    if (word.empty() || word.size() > 8) return AbbreviationKind::none;
    std::string w(word);
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (in(w, {"mr",   "mrs",  "ms",  "mx",   "dr",  "prof", "st",     "mt",   "ft",  "rev",
               "hon",  "gen",  "col", "capt", "lt",  "sgt",  "gov",    "pres", "sen", "rep",
               "fr",   "vs",   "cf",  "e.g",  "i.e", "viz",  "approx", "appx", "ca",  "ext",
               "fig",  "figs", "eq",  "eqs",  "vol", "vols", "pp",     "ch",   "tel", "incl",
               "excl", "resp", "ref", "refs", "art", "ed",   "eds",    "esp"}))
        return AbbreviationKind::title;
    if (in(w, {"no", "nos", "nr"})) return AbbreviationKind::number;
    if (in(w, {"etc",  "inc",   "ltd",  "co",   "corp", "llc", "plc", "bros", "jr",   "sr",
               "al",   "dept",  "est",  "jan",  "feb",  "mar", "apr", "jun",  "jul",  "aug",
               "sep",  "sept",  "oct",  "nov",  "dec",  "mon", "tue", "tues", "wed",  "thu",
               "thur", "thurs", "fri",  "sat",  "sun",  "a.m", "p.m", "u.s",  "u.k",  "u.s.a",
               "e.u",  "u.n",   "d.c",  "ph.d", "m.d",  "b.a", "m.a", "b.sc", "m.sc", "hrs",
               "hr",   "min",   "mins", "sec",  "secs"}))
        return AbbreviationKind::terminal;
    return AbbreviationKind::none;
}

bool is_time_zone(std::string_view word) {
    return in(word,
              {"ET",      "PT",      "CT",      "MT",       "UTC",      "GMT",  "EST",  "EDT",
               "CST",     "CDT",     "MST",     "MDT",      "PST",      "PDT",  "AKST", "HST",
               "CET",     "CEST",    "BST",     "IST",      "JST",      "AEST", "AEDT", "NZST",
               "Eastern", "Pacific", "Central", "Mountain", "Atlantic", "local"});
}

}  // namespace flash::retrieval
