#include "grammar/compose.h"

#include <string>
#include <vector>

namespace flash::grammar {

uint32_t embed(GrammarBuilder& b, const Grammar& g, std::string_view prefix) {
    std::vector<uint32_t> ids(g.rules.size());
    for (size_t i = 0; i < g.rules.size(); ++i)
        ids[i] = b.declare(b.unique_name(std::string(prefix) + "-" + g.rules[i].name));
    for (size_t i = 0; i < g.rules.size(); ++i) {
        std::vector<Sequence> alternatives = g.rules[i].alternatives;
        for (Sequence& seq : alternatives)
            for (Element& e : seq)
                if (e.kind == Element::Kind::Rule) e.rule = ids[e.rule];
        b.define(ids[i], std::move(alternatives));
    }
    return ids[g.root];
}

}  // namespace flash::grammar
