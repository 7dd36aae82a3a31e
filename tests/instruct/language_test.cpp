#include <gtest/gtest.h>

#include "check_helpers.h"
#include "instruct/language_detect.h"

namespace flash::instruct::testing {
namespace {

struct Sample {
    const char* code;
    const char* text;
};

constexpr Sample kSamples[] = {
    {"en",
     "Dear plumber, could you please move tomorrow's visit to a later date? Thank you for your "
     "help."},
    {"fr",
     "Cher plombier, pourriez-vous déplacer la visite de demain à une date ultérieure ? Merci "
     "beaucoup pour votre aide."},
    {"es",
     "Estimado fontanero, ¿podría cambiar la visita de mañana a otra fecha? Muchas gracias por su "
     "ayuda."},
    {"de",
     "Sehr geehrter Klempner, könnten Sie den Termin von morgen auf einen späteren Tag "
     "verschieben? Vielen Dank für Ihre Hilfe."},
    {"it",
     "Gentile idraulico, potrebbe spostare la visita di domani a una data successiva? Grazie mille "
     "per il suo aiuto."},
    {"pt",
     "Caro encanador, você poderia mudar a visita de amanhã para uma data posterior? Muito "
     "obrigado pela sua ajuda."},
};

TEST(LanguageDetect, TellsTheSixLanguagesApart) {
    for (const Sample& sample : kSamples) {
        EXPECT_EQ(detect_language(sample.text).code, sample.code) << sample.text;
    }
}

TEST(LanguageDetect, UppercaseTextIsDetectedToo) {
    EXPECT_EQ(detect_language("THE RECIPE IS EASY AND THE KIDS WILL LOVE IT.").code, "en");
    EXPECT_EQ(detect_language("LA RECETTE EST TRÈS FACILE POUR LES ENFANTS.").code, "fr");
}

TEST(LanguageDetect, UndeterminedWithoutEvidence) {
    EXPECT_EQ(detect_language("").code, "");
    EXPECT_EQ(detect_language("12345 !!!").code, "");
    EXPECT_EQ(detect_language("Xylophone zebra quokka.").code, "");
    EXPECT_EQ(detect_language("日本語のテキストです。").code, "");
    EXPECT_EQ(detect_language("Привет, как дела?").code, "");
}

TEST(ResponseLanguage, PassesOnlyForTheAskedLanguage) {
    for (const Sample& sample : kSamples) {
        for (const Sample& other : kSamples) {
            EXPECT_EQ(passes("language:response_language", {{"language", other.code}}, sample.text),
                      std::string(sample.code) == other.code)
                << sample.text << " as " << other.code;
        }
    }
    const CheckResult result =
        strict("language:response_language", {{"language", "fr"}}, kSamples[0].text);
    EXPECT_EQ(result.reason.rfind("written in English", 0), 0u) << result.reason;
    EXPECT_FALSE(
        passes("language:response_language", {{"language", "de"}}, "日本語のテキストです。"));
}

}  // namespace
}  // namespace flash::instruct::testing
