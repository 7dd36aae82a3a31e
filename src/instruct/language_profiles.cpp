#include "instruct/language_profiles.h"

namespace flash::instruct {

const std::vector<LanguageProfile>& language_profiles() {
    static const std::vector<LanguageProfile> profiles = {
        {"en",
         "English",
         {"the",  "and",    "of",    "to",    "is",     "in",    "that",  "it",    "for",  "you",
          "with", "on",     "this",  "are",   "be",     "as",    "at",    "your",  "have", "was",
          "we",   "they",   "not",   "but",   "or",     "from",  "will",  "can",   "my",   "an",
          "if",   "what",   "all",   "there", "their",  "would", "about", "which", "so",   "i",
          "our",  "has",    "been",  "more",  "when",   "do",    "how",   "these", "them", "he",
          "she",  "his",    "her",   "its",   "into",   "than",  "also",  "just",  "very", "some",
          "each", "should", "could", "yes",   "thanks", "hello", "s",     "t"},
         {}},
        {"fr",
         "French",
         {"le",    "la",   "les",   "des",   "et",      "est",   "une",  "un",    "du",
          "en",    "que",  "qui",   "dans",  "pour",    "pas",   "sur",  "au",    "aux",
          "avec",  "ce",   "cette", "ces",   "vous",    "nous",  "il",   "elle",  "ils",
          "sont",  "mais", "ou",    "plus",  "par",     "se",    "son",  "sa",    "ses",
          "votre", "vos",  "notre", "nos",   "être",    "avoir", "fait", "comme", "très",
          "aussi", "tout", "bien",  "je",    "l",       "d",     "qu",   "c",     "j",
          "n",     "oui",  "non",   "merci", "bonjour", "leur",  "peut", "sans"},
         {"œ", "î", "û"}},
        {"es",
         "Spanish",
         {"el",   "la",      "los", "las",  "de",      "del",   "y",        "que",     "en",
          "un",   "una",     "es",  "por",  "con",     "para",  "no",       "se",      "su",
          "sus",  "al",      "lo",  "como", "más",     "pero",  "muy",      "también", "este",
          "esta", "estos",   "son", "está", "usted",   "hay",   "puede",    "ser",     "cuando",
          "todo", "nuestro", "si",  "sin",  "sobre",   "entre", "ya",       "le",      "les",
          "me",   "mi",      "tu",  "sí",   "gracias", "hola",  "estimado", "porque"},
         {"ñ", "¿", "¡"}},
        {"de",
         "German",
         {"der",  "die",   "das",  "und",  "ist",  "nicht", "ein",   "eine",  "zu",
          "den",  "dem",   "des",  "mit",  "von",  "sich",  "auf",   "für",   "im",
          "es",   "sie",   "ich",  "wir",  "ihr",  "auch",  "an",    "als",   "sind",
          "bei",  "oder",  "wie",  "aber", "noch", "nach",  "aus",   "wird",  "werden",
          "kann", "ihre",  "sehr", "nur",  "dass", "einen", "einem", "hat",   "haben",
          "mein", "unser", "wenn", "zum",  "zur",  "ja",    "nein",  "danke", "hallo"},
         {"ß", "ä", "ö", "ü"}},
        {"it",
         "Italian",
         {"il",     "lo",    "la",     "i",      "gli",    "le",   "di",    "del",  "della",
          "dei",    "delle", "e",      "è",      "che",    "in",   "un",    "una",  "per",
          "con",    "non",   "si",     "da",     "al",     "alla", "sono",  "come", "ma",
          "più",    "anche", "questo", "questa", "molto",  "suo",  "sua",   "ci",   "ne",
          "nel",    "nella", "se",     "tutto",  "essere", "ha",   "hanno", "l",    "d",
          "grazie", "ciao",  "perché", "vostro", "nostro", "degli"},
         {}},
        {"pt",
         "Portuguese",
         {"o",     "a",   "os",       "as",  "de",    "do",     "da",    "dos",  "das",    "e",
          "que",   "em",  "um",       "uma", "no",    "na",     "nos",   "nas",  "é",      "para",
          "com",   "não", "por",      "se",  "mais",  "como",   "mas",   "ao",   "pelo",   "pela",
          "seu",   "sua", "você",     "são", "está",  "também", "muito", "isso", "este",   "esta",
          "ou",    "foi", "ser",      "tem", "ele",   "ela",    "eu",    "nós",  "quando", "meu",
          "minha", "sim", "obrigado", "olá", "porque"},
         {"ã", "õ"}},
    };
    return profiles;
}

const LanguageProfile* find_language_profile(std::string_view code) {
    for (const LanguageProfile& profile : language_profiles()) {
        if (profile.code == code) return &profile;
    }
    return nullptr;
}

}  // namespace flash::instruct
