#include "ask/context.h"

#include <algorithm>
#include <map>

#include "ask/lexical.h"
#include "core/error.h"
#include "retrieval/passages.h"

namespace flash::ask {
namespace {

bool shares_content_word(const LexicalTerms& question, std::string_view passage) {
    const LexicalTerms p = lexical_terms(passage);
    return std::any_of(question.words.begin(), question.words.end(),
                       [&](const std::string& w) { return contains(p.words, w); }) ||
           std::any_of(question.numbers.begin(), question.numbers.end(),
                       [&](const std::string& n) { return contains(p.numbers, n); });
}

}  // namespace

std::string file_name(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

size_t char_offset(std::string_view text, size_t byte_offset) {
    size_t chars = 0;
    for (size_t i = 0; i < byte_offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
    return chars;
}

const ContextSentence* AskContext::find(int id) const {
    if (id < 1 || static_cast<size_t>(id) > sentences.size()) return nullptr;
    return &sentences[static_cast<size_t>(id - 1)];
}

std::string AskContext::numbered_text() const {
    std::string out;
    size_t current = documents.size();
    for (const ContextSentence& s : sentences) {
        if (s.document_index != current) {
            current = s.document_index;
            if (!out.empty()) out += '\n';
            out += "From " + file_name(documents[current]) + ":\n";
        }
        out += '[' + std::to_string(s.id) + "] " + s.text + '\n';
    }
    return out;
}

AskContext build_context(const retrieval::Index& index, std::string_view question,
                         const RetrievalOptions& options,
                         const std::vector<std::string>& document_order) {
    AskContext ctx;
    ctx.documents = document_order;
    const std::vector<retrieval::PassageHit> hits = index.search(question, options.passages);
    ctx.passages_found = hits.size();
    const LexicalTerms q = lexical_terms(question);

    // Relevant passages within the word budget, best first.
    std::vector<const retrieval::PassageHit*> kept;
    size_t words = 0;
    for (const retrieval::PassageHit& hit : hits) {
        if (!shares_content_word(q, hit.text)) continue;
        ++ctx.passages_relevant;
        const size_t w = retrieval::word_count(hit.text);
        if (!kept.empty() && words + w > options.max_words) continue;
        words += w;
        kept.push_back(&hit);
    }
    for (const retrieval::PassageHit* hit : kept)
        if (std::find(ctx.documents.begin(), ctx.documents.end(), hit->path) == ctx.documents.end())
            ctx.documents.push_back(hit->path);
    const auto doc_index = [&](const std::string& path) {
        return static_cast<size_t>(std::find(ctx.documents.begin(), ctx.documents.end(), path) -
                                   ctx.documents.begin());
    };
    // Reading order: by document, then by position in it.
    std::sort(kept.begin(), kept.end(), [&](const auto* a, const auto* b) {
        const size_t da = doc_index(a->path), db = doc_index(b->path);
        return da != db ? da < db : a->start < b->start;
    });

    // Sentence indices and character offsets need each document's sentences and text once.
    std::map<std::string, std::vector<retrieval::SentenceText>> doc_sentences;
    std::map<std::string, std::string> doc_text;
    for (const retrieval::PassageHit* hit : kept) {
        if (!doc_text.count(hit->path)) {
            std::optional<std::string> text = index.document_text(hit->path);
            if (!text)
                throw Error(index.file() + ": passage of '" + hit->path + "' has no document");
            doc_text[hit->path] = std::move(*text);
            doc_sentences[hit->path] = index.document_sentences(hit->path);
        }
        const std::vector<retrieval::SentenceText>& all = doc_sentences[hit->path];
        const std::string& text = doc_text[hit->path];
        for (const retrieval::SentenceText& s : hit->sentences) {
            const auto at = std::find_if(all.begin(), all.end(),
                                         [&](const auto& d) { return d.start == s.start; });
            if (at == all.end() || s.end > text.size() ||
                text.compare(s.start, s.end - s.start, s.text) != 0)
                throw Error(index.file() + ": a sentence of '" + hit->path +
                            "' does not match its document; the index is corrupt, delete it and "
                            "add the documents again");
            ContextSentence c;
            c.id = static_cast<int>(ctx.sentences.size() + 1);
            c.document = hit->path;
            c.document_index = doc_index(hit->path);
            c.sentence_index = static_cast<size_t>(at - all.begin());
            c.start_byte = s.start;
            c.end_byte = s.end;
            c.start_char = char_offset(text, s.start);
            c.end_char = c.start_char + char_offset(s.text, s.text.size());
            c.text = s.text;
            ctx.sentences.push_back(std::move(c));
        }
    }
    return ctx;
}

}  // namespace flash::ask
