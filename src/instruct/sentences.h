// Sentence counting for length:sentences. IFEval uses nltk's punkt model; ours is a handful of
// rules, UTF-8 aware, that agree with it on ordinary prose:
//
// - A sentence ends at a run of . ! ? … (optionally followed by closing quotes, brackets or
//   emphasis marks) that is followed by whitespace or the end of the text; 。！？ end one
//   wherever they are. "3.5", "e.g." inside a word and URLs do not end sentences.
// - A single "." after a title ("Mr.", "Dr.", "St."), a postscript marker ("P.S.") or a single
//   letter (initials) never ends a sentence; after another abbreviation ("etc.", "e.g.",
//   "a.m.") it does unless a lowercase letter or a digit follows.
// - A blank line, a line without letters or digits (a "***" divider) and the start of a list
//   item ("* ", "- ", "+ ", "1. ", "1) ") also end the sentence before them; a list marker is
//   not a sentence.
// - Only stretches that contain a letter or digit count.
#pragma once

#include <string_view>

namespace flash::instruct {

size_t count_sentences(std::string_view text);

}  // namespace flash::instruct
