// The Jinja interpreter one construct at a time: whitespace control, literals and Python-style
// printing, operators, statements, every filter, test and method templates use, errors and
// limits. Expected renders are what Python's jinja2 3.1 produces in transformers' environment —
// computed with jinja2, not written by hand; error messages are flash's own (jinja2's where they
// come from the template). tests/chat/jinja_reference.py holds whole chat templates to jinja2.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "chat/jinja/template.h"
#include "core/error.h"

namespace flash::jinja {
namespace {

std::string render(std::string_view tmpl, std::string_view context = "", Options o = {}) {
    const nlohmann::ordered_json ctx =
        context.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json::parse(context);
    return Template::parse(tmpl, o).render(ctx);
}

// The flash::Error message parsing or rendering raises; "" when the template renders.
std::string error_of(std::string_view tmpl, std::string_view context = "", Options o = {}) {
    try {
        render(tmpl, context, o);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(JinjaWhitespace, TrimBlocksDropsTheNewlineAfterABlockTag) {
    EXPECT_EQ(render("{% if true %}\nA\n{% endif %}\nB"), "A\nB");
    EXPECT_EQ(render("{# note #}\nx"), "x");
    EXPECT_EQ(render("{{ 'v' }}\nkept"), "v\nkept");
}

TEST(JinjaWhitespace, LstripBlocksDropsIndentBeforeBlockAndCommentTagsOnly) {
    EXPECT_EQ(render("  {% if true %}\n  x\n  {% endif %}\ny"), "  x\ny");
    EXPECT_EQ(render("a\n    {# c #}\nb"), "a\nb");
    EXPECT_EQ(render("  {{ 'x' }}"), "  x");
    EXPECT_EQ(render("text  {% if true %}same line{% endif %}"), "text  same line");
    EXPECT_EQ(render("\t {% for i in [1, 2] %}\n\t{{ i }}\n {% endfor %}"), "\t1\n\t2\n");
}

TEST(JinjaWhitespace, DashStripsAllWhitespaceOnItsSide) {
    EXPECT_EQ(render("a  \n {{- 'b' -}} \n c"), "abc");
    EXPECT_EQ(render("a\n  {%- if true -%}\n  b\n  {%- endif -%}\n  c"), "abc");
    EXPECT_EQ(render("x {#- gone -#}   y"), "xy");
    EXPECT_EQ(render("{%- for i in [1, 2] -%}\n  {{ i }},\n{%- endfor %}"), "1,2,");
}

TEST(JinjaWhitespace, PlusKeepsWhatLstripAndTrimWouldRemove) {
    EXPECT_EQ(render("  {%+ if true %}x{% endif %}"), "  x");
    EXPECT_EQ(render("{% if true +%}\nx{% endif %}"), "\nx");
}

TEST(JinjaWhitespace, SourceNewlinesAreNormalisedAndOneTrailingNewlineDropped) {
    EXPECT_EQ(render("x\n"), "x");
    EXPECT_EQ(render("x\n\n"), "x\n");
    EXPECT_EQ(render("a\r\nb\rc"), "a\nb\nc");
    EXPECT_EQ(render(""), "");
}

TEST(JinjaWhitespace, RawBlocksAreTextAndStripLikeBlocks) {
    EXPECT_EQ(render("{% raw %}{{ x }}{% if %}{% endraw %}"), "{{ x }}{% if %}");
    EXPECT_EQ(render("a\n  {%- raw -%}  {{ y }}  {%- endraw %}\nb"), "a{{ y }}b");
}

TEST(JinjaOutput, LiteralsPrintAsPythonStrPrintsThem) {
    EXPECT_EQ(render("{{ 1 }} {{ -3 }} {{ 1.0 }} {{ 1e3 }} {{ 0.1 }} {{ 1e-5 }} {{ 1e16 }"
                     "} {{ 1_000 }} {{ 0x1F }} {{ 2.50 }}"),
              "1 -3 1.0 1000.0 0.1 1e-05 1e+16 1000 31 2.5");
    EXPECT_EQ(render("{{ true }} {{ True }} {{ false }} {{ none }} {{ None }}"),
              "True True False None None");
    EXPECT_EQ(render("{{ 'a\\tb\\u00e9\\x41\\\\' }}|{{ \"it's\" }}|{{ 'x' 'y' }}"),
              "a\tbéA\\|it's|xy");
    EXPECT_EQ(render("[{{ missing }}][{{ missing|upper }}]"), "[][]");
}

TEST(JinjaOutput, ContextValuesKeepTheirJsonTypes) {
    EXPECT_EQ(render("{{ i }} {{ f }} {{ n }} {{ b }} {{ s }} {{ big }}",
                     "{\"i\": 3, \"f\": 3.0, \"n\": null, \"b\": true, \"s\": \"x\""
                     ", \"big\": 12345678901234}"),
              "3 3.0 None True x 12345678901234");
    EXPECT_EQ(render("{{ l }} {{ d }}",
                     "{\"l\": [1, 2.5, \"a\", null, false], \"d\": {\"k\": \"v\", \"n\": 1}}"),
              "[1, 2.5, 'a', None, False] {'k': 'v', 'n': 1}");
}

TEST(JinjaOutput, ContainersPrintAsPythonRepr) {
    EXPECT_EQ(render("{{ [1, 'a', none, true, 1.5] }}"), "[1, 'a', None, True, 1.5]");
    EXPECT_EQ(render("{{ {'a': \"it's\", 'b': [1, (2,)], 'c': {}} }}"),
              "{'a': \"it's\", 'b': [1, (2,)], 'c': {}}");
    EXPECT_EQ(render("{{ ('x',) }} {{ (1, 2) }} {{ () }} {{ [] }}"), "('x',) (1, 2) () []");
    EXPECT_EQ(render("{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\tnl\\n', 'é😀', '\\u"
                     "200b\\x00\\x7f\\\\'] }}"),
              "[\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\tnl\\n', 'é😀', '\\u20"
              "0b\\x00\\x7f\\\\']");
    EXPECT_EQ(render("{{ [0.1, 1e-05, 1e16, 123456789.125, -0.0, 1e308 * 10, -1e308 * 10] }}"),
              "[0.1, 1e-05, 1e+16, 123456789.125, -0.0, inf, -inf]");
    EXPECT_EQ(render("{{ {'a': 1}.items() }} {{ {'a': 1}.keys() }} {{ {'a': 1}.values() }}"),
              "dict_items([('a', 1)]) dict_keys(['a']) dict_values([1])");
}

TEST(JinjaExpressions, ArithmeticFollowsPython) {
    EXPECT_EQ(render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ "
                     "6 / 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }}"),
              "3 -4 1 2 3.5 2.0 1024 0.5 64");
    EXPECT_EQ(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 10 - 2 - 3 }} {{ 7.5 // 2 }} {"
                     "{ -7.5 % 2 }} {{ 1 + 1.5 }} {{ true + 1 }} {{ -(3) }} {{ +2 }}"),
              "7 9 5 3.0 0.5 2.5 2 -3 2");
    EXPECT_EQ(render("{{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ 2 ** 0.5 }} {{ 10 / 4 * 2 }}"),
              "0.30000000000000004 0.3333333333333333 1.4142135623730951 5.0");
}

TEST(JinjaExpressions, StringAndListOperators) {
    EXPECT_EQ(render("{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ 2 * 'x' }} {{ 1 ~ 'x' ~ none ~ mi"
                     "ssing ~ 2.0 }} {{ [1] + [2] }} {{ [0] * 3 }} {{ '%s=%d' % ('k', 3) "
                     "}}"),
              "ab ababab xx 1xNone2.0 [1, 2] [0, 0, 0] k=3");
}

TEST(JinjaExpressions, ComparisonsAndMembership) {
    EXPECT_EQ(render("{{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ "
                     "[1, 2] < [1, 3] }} {{ 'b' > 'a' }} {{ true == 1 }} {{ none == none "
                     "}} {{ {'a': 1} == {'a': 1} }}"),
              "True True True False True True True True True");
    EXPECT_EQ(render("{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not"
                     " in [1] }} {{ 'x' in missing }} {{ not 'x' in 'y' }}"),
              "True True True True False True");
}

TEST(JinjaExpressions, LogicReturnsOperandsLikePython) {
    EXPECT_EQ(render("{{ 1 and 'x' }} {{ 0 and 'x' }} {{ 0 or 'y' }} {{ '' or [] }} {{ no"
                     "t 0 }} {{ not [] }} {{ missing or 'fallback' }}"),
              "x 0 y [] True True fallback");
    EXPECT_EQ(render("{% if '' or {} or 0 or 0.0 or none or missing %}T{% else %}F{% endi"
                     "f %}{% if ' ' %}T{% endif %}"),
              "FT");
}

TEST(JinjaExpressions, ConditionalExpressionsWithoutElseAreUndefined) {
    EXPECT_EQ(render("{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if f"
                     "alse }}] {{ 'a' if false else 'b' if true else 'c' }}"),
              "y n [] b");
}

TEST(JinjaExpressions, FiltersAndTestsBindTighterThanOperators) {
    EXPECT_EQ(render("{{ -1|abs }} {{ 'a' ~ 'b'|upper }} {{ [1, 2, 3]|length - 1 }} {{ no"
                     "t true == false }} {{ 'x' is string and 1 is number }} {{ not x is "
                     "defined }}"),
              "1 aB 2 True True True");
}

TEST(JinjaExpressions, DictKeysAreReachableAsAttributesButMethodsWin) {
    EXPECT_EQ(render("{{ m.role }} {{ m['role'] }} {{ m['items'] }} {{ m.items is defined"
                     " }} {{ m.get('role') }} {{ m.missing is defined }} {{ m['missing'] "
                     "is defined }}",
                     "{\"m\": {\"role\": \"user\", \"items\": 5}}"),
              "user user 5 True user False False");
    EXPECT_EQ(render("{{ d.a.b }} {{ d['a']['b'] }} {{ d.a['b'] }} {{ none.attr is define"
                     "d }} {{ (1).real is defined }}",
                     "{\"d\": {\"a\": {\"b\": \"deep\"}}}"),
              "deep deep deep False True");
}

TEST(JinjaExpressions, SubscriptsAndSlicesCountCodePoints) {
    EXPECT_EQ(render("{{ l[-1] }} {{ l[0] }} {{ l.1 }} {{ l[1:] }} {{ l[::-1] }} {{ l[::2"
                     "] }} {{ l[5] is defined }} {{ l[-10:2] }} {{ l[1:-1] }}",
                     "{\"l\": [1, 2, 3, 4]}"),
              "4 1 2 [2, 3, 4] [4, 3, 2, 1] [1, 3] False [1, 2] [2, 3]");
    EXPECT_EQ(render("{{ 'héllo'[1] }} {{ 'héllo'[1:3] }} {{ 'héllo'[::-1] }} {{ 'héllo'|"
                     "length }} {{ '😀ab'[0] }} {{ 'abc'[-1] }}"),
              "é él olléh 5 😀 c");
    EXPECT_EQ(
        render("{{ messages[0].role }} {{ messages[-1]['content'] }} {{ messages[1:]|length }}",
               "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
               "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
               "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
               "t\": \"U2\"}]}"),
        "system U2 3");
}

TEST(JinjaExpressions, ListsDictsAndTuplesBuildValues) {
    EXPECT_EQ(render("{% set d = {'b': 1, 'a': [1, 2], 'c': {'x': none}} %}{{ d }} {{ d|l"
                     "ist }} {{ {'k': 1, 'k': 2} }}"),
              "{'b': 1, 'a': [1, 2], 'c': {'x': None}} ['b', 'a', 'c'] {'k': 2}");
    EXPECT_EQ(render("{% set t = (1, 'a') %}{{ t }} {{ t[1] }} {{ t is sequence }} {{ [1,"
                     " 2,] }} {{ {'a': 1,} }}"),
              "(1, 'a') a True [1, 2] {'a': 1}");
}

TEST(JinjaStatements, IfElifElse) {
    EXPECT_EQ(render("{% for n in [0, 1, 2, 3] %}{% if n == 0 %}zero{% elif n == 1 %}one{"
                     "% elif n is even %}even{% else %}odd{% endif %} {% endfor %}"),
              "zero one even odd ");
}

TEST(JinjaStatements, ForLoopVariables) {
    EXPECT_EQ(render("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revind"
                     "ex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.len"
                     "gth }};{% endfor %}"),
              "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;");
    EXPECT_EQ(render("{% for x in [1, 2, 3] %}{{ loop.previtem|default('-') }}{{ x }}{{ l"
                     "oop.nextitem|default('-') }} {% endfor %}"),
              "-12 123 23- ");
    EXPECT_EQ(render("{% for x in [1, 2, 3] %}{{ loop.cycle('odd', 'even') }} {% endfor %"
                     "}{% for x in [1, 1, 2] %}{{ loop.changed(x) }} {% endfor %}"),
              "odd even odd True False True ");
}

TEST(JinjaStatements, ForElseFilterAndUnpacking) {
    EXPECT_EQ(render("{% for x in [] %}x{% else %}empty{% endfor %} {% for x in [1, 2, 3,"
                     " 4] if x is even %}{{ x }}/{{ loop.length }}{{ ',' if not loop.last"
                     " }}{% else %}none{% endfor %}"),
              "empty 2/2,4/2");
    EXPECT_EQ(render("{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %} {% for k in d"
                     " %}{{ k }}{% endfor %} {% for a, (b, c) in [[1, [2, 3]]] %}{{ a }}{"
                     "{ b }}{{ c }}{% endfor %}",
                     "{\"d\": {\"z\": 1, \"a\": 2}}"),
              "z=1;a=2; za 123");
    EXPECT_EQ(render("{% for key, val in tool.items() if key != 'skip' %}{{ key }}:{{ val"
                     " }} {% endfor %}",
                     "{\"tool\": {\"name\": \"f\", \"skip\": 1, \"n\": 2}}"),
              "name:f n:2 ");
    EXPECT_EQ(render("{% for m in messages if m.role != 'system' %}{{ loop.index }}{{ m.c"
                     "ontent }}{% if loop.last %}!{% endif %} {% endfor %}",
                     "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
                     "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
                     "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
                     "t\": \"U2\"}]}"),
              "1U1 2A1 3U2! ");
}

TEST(JinjaStatements, BreakAndContinue) {
    EXPECT_EQ(render("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% "
                     "if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
              "0134");
    EXPECT_EQ(render("{% for i in [1, 2] %}{% for j in [1, 2, 3] %}{% if j == 2 %}{% brea"
                     "k %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}"),
              "11 21 ");
}

TEST(JinjaStatements, SetInsideLoopsDoesNotLeakButNamespacesDo) {
    EXPECT_EQ(render("{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = i + 5 %}{{ x "
                     "}}{% endfor %}{{ x }}"),
              "16171");
    EXPECT_EQ(render("{% for i in [1, 2] %}[{{ y }}]{% set y = i %}{% endfor %}"), "[][]");
    EXPECT_EQ(render("{% set ns = namespace(total=0, seen=[]) %}{% for i in [1, 2, 3] %}{"
                     "% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ ns.mi"
                     "ssing is defined }} {{ ns }}"),
              "6 False <Namespace {'total': 6, 'seen': []}>");
    EXPECT_EQ(render("{% if true %}{% set inside_if = 'visible' %}{% endif %}{{ inside_if }}"),
              "visible");
}

TEST(JinjaStatements, SetForms) {
    EXPECT_EQ(render("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set t = 3, 4 %}{{ t }}"), "12 (3, 4)");
    EXPECT_EQ(render("{% set block %}Hello {{ name }}{% endset %}[{{ block }}] {% set up "
                     "| upper | trim %}  shout {% endset %}[{{ up }}]",
                     "{\"name\": \"Ann\"}"),
              "[Hello Ann] [SHOUT]");
    EXPECT_EQ(
        render("{% set messages = messages[1:] %}{{ messages|length }} {{ messages[0].role }}",
               "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
               "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
               "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
               "t\": \"U2\"}]}"),
        "3 user");
}

TEST(JinjaStatements, MacrosWithDefaultsKeywordsAndRecursion) {
    EXPECT_EQ(render("{% macro greet(name, greeting='Hello', punct='!') %}{{ greeting }},"
                     " {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo"
                     "b', punct='?') }} {{ greet(greeting='Hi', name='Cy') }} [{{ greet()"
                     " }}]"),
              "Hello, Ann! Hello, Bob? Hi, Cy! [Hello, !]");
    EXPECT_EQ(render("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int"
                     " }}{% endif %}{% endmacro %}{{ fact(6) }}"),
              "720");
    EXPECT_EQ(render("{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, a="
                     "3) }} {% macro n(x) %}{{ x }}{% endmacro %}{{ n }} {{ n(1)|length }"
                     "} {{ n(none) is string }}"),
              "(1, 2){'a': 3} <Macro 'n'> 1 True");
    EXPECT_EQ(render("{% set x = 1 %}{% macro show() %}{{ x }}{% endmacro %}{% set x = 2 "
                     "%}{{ show() }}{% for i in [7] %}{% macro inner() %}{{ i }}{% endmac"
                     "ro %}{{ inner() }}{% endfor %}"),
              "27");
    EXPECT_EQ(render("{% macro wrap(tag) %}<{{ tag }}>{{ caller('in') }}</{{ tag }}>{% en"
                     "dmacro %}{% call(v) wrap('b') %}body {{ v }}{% endcall %}"),
              "<b>body in</b>");
}

TEST(JinjaStatements, FilterWithAndGenerationBlocks) {
    EXPECT_EQ(render("{% filter upper %}abc {{ 'def' }}{% endfilter %} {% with a = 1, b ="
                     " 'x' %}{{ a }}{{ b }}{% endwith %}[{{ a }}]"),
              "ABC DEF 1x[]");
    EXPECT_EQ(render("{% generation %}assistant text {{ 1 + 1 }}{% endgeneration %}|{% pr"
                     "int 'printed' %}"),
              "assistant text 2|printed");
}

TEST(JinjaFilters, TextFilters) {
    EXPECT_EQ(render("{{ '  x  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 'hello WORLD'|capital"
                     "ize }}|{{ 'hello world-foo(bar'|title }}|{{ 'MiXed'|upper }}{{ 'MiX"
                     "ed'|lower }}"),
              "x|a|Hello world|Hello World-Foo(Bar|MIXEDmixed");
    EXPECT_EQ(render("{{ 'aaa'|replace('a', 'b', 2) }} {{ 'abc'|replace('', '-') }} {{ 1|"
                     "string ~ none|string }} {{ 'a b  c'|wordcount }} [{{ 'x'|center(5) "
                     "}}] {{ '<a href=\"x\">&\\'</a>'|escape }} {{ 'a'|safe }}"),
              "bba -a-b-c- 1None 3 [  x  ] &lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt; a");
    EXPECT_EQ(render("{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb\\n\\nc'|indent(2, true, true)"
                     " }}|{{ 'x\\ny'|indent('> ') }}"),
              "a\n    b\n\n    c|  a\n  b\n  \n  c|x\n> y");
    EXPECT_EQ(render("{{ '%s-%05.1f'|format('k', 3.14159) }} {{ '%(a)s'|format(a=1) }} {{"
                     " '%x %o %c %%'|format(255, 8, 65) }} {{ '%r'|format('q') }}"),
              "k-003.1 1 ff 10 A % 'q'");
}

TEST(JinjaFilters, NumberFilters) {
    EXPECT_EQ(render("{{ 1.9|int }} {{ '42'|int }} {{ ' 7 '|int }} {{ '4.7'|int }} {{ 'x'"
                     "|int }} {{ 'x'|int(5) }} {{ '1_000'|int }} {{ '0x1A'|int(base=16) }"
                     "} {{ none|int }} {{ true|int }}"),
              "1 42 7 4 0 5 1000 26 0 1");
    EXPECT_EQ(render("{{ '3e2'|float }} {{ 'inf'|float }} {{ 'x'|float }} {{ 2|float }} {"
                     "{ -3|abs }} {{ -2.5|abs }}"),
              "300.0 inf 0.0 2.0 3 2.5");
    EXPECT_EQ(render("{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.4|round(0"
                     ", 'ceil') }} {{ 3|round(1, 'floor') }} {{ 3|round }} {{ -2.5|round "
                     "}} {{ 1234.5|round(-2) }}"),
              "2.0 4.0 2.67 3.0 3.0 3 -2.0 1200.0");
}

TEST(JinjaFilters, DefaultLengthFirstLast) {
    EXPECT_EQ(render("{{ x|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true)"
                     " }} {{ none|d('z', true) }} {{ false|default('q') }} {{ none|defaul"
                     "t('n') }}"),
              "d  d z False None");
    EXPECT_EQ(render("{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ mi"
                     "ssing|length }} {{ [3, 4]|first }} {{ 'abc'|last }} {{ {'a': 1, 'b'"
                     ": 2}|last }} [{{ []|first }}]"),
              "5 2 1 0 3 c b []");
}

TEST(JinjaFilters, JoinListItemsMapSelect) {
    EXPECT_EQ(render("{{ [1, 2, 'a']|join(', ') }} {{ [{'a': 1}, {'a': 2}]|join('+', attr"
                     "ibute='a') }} {{ 'abc'|list }} {{ {'k': 1}|list }} {{ d|items|list "
                     "}} {{ missing|items|list }}",
                     "{\"d\": {\"b\": 1, \"a\": 2}}"),
              "1, 2, a 1+2 ['a', 'b', 'c'] ['k'] [('b', 1), ('a', 2)] []");
    EXPECT_EQ(render("{{ ['a', 'b']|map('upper')|list }} {{ messages|map(attribute='role'"
                     ")|join(',') }} {{ [{'a': 1}, {}]|map(attribute='a', default=0)|list"
                     " }} {{ ['x ', ' y']|map('trim')|join }}",
                     "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
                     "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
                     "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
                     "t\": \"U2\"}]}"),
              "['A', 'B'] system,user,assistant,user [1, 0] xy");
    EXPECT_EQ(render("{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('even'"
                     ")|list }} {{ [1, 0, 2]|select|list }} {{ [1, 2, 3]|select('greatert"
                     "han', 1)|list }} {{ [1, 2]|select('in', [2, 3])|list }}"),
              "[1, 3] [1, 3] [1, 2] [2, 3] [2]");
    EXPECT_EQ(render("{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='co"
                     "ntent')|list }} {{ messages|rejectattr('role', 'in', ['user', 'syst"
                     "em'])|list }} {{ [{'a': 1}, {'b': 2}]|selectattr('a')|list }} {{ [{"
                     "'a': 1}, {}]|rejectattr('a', 'defined')|list }}",
                     "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
                     "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
                     "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
                     "t\": \"U2\"}]}"),
              "['U1', 'U2'] [{'role': 'assistant', 'content': 'A1'}] [{'a': 1}] [{}]");
    EXPECT_EQ(render("{{ messages|selectattr('role', '==', 'user')|list|length }} {{ mess"
                     "ages|selectattr('role', 'eq', 'user')|first }}",
                     "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
                     "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assi"
                     "stant\", \"content\": \"A1\"}, {\"role\": \"user\", \"conten"
                     "t\": \"U2\"}]}"),
              "2 {'role': 'user', 'content': 'U1'}");
}

TEST(JinjaFilters, SortUniqueReverseDictsort) {
    EXPECT_EQ(render("{{ ['b', 'A', 'a', 'C']|sort }} {{ ['b', 'A', 'a', 'C']|sort(case_s"
                     "ensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ [{'n': 'b',"
                     " 'v': 1}, {'n': 'a', 'v': 2}]|sort(attribute='n')|map(attribute='v'"
                     ")|list }}"),
              "['A', 'a', 'b', 'C'] ['A', 'C', 'a', 'b'] [3, 2, 1] [2, 1]");
    EXPECT_EQ(render("{{ [{'a': 2, 'b': 1}, {'a': 1, 'b': 2}, {'a': 1, 'b': 1}]|sort(attr"
                     "ibute='a,b')|list }} {{ [[2, 'x'], [1, 'y']]|sort(attribute='0') }}"),
              "[{'a': 1, 'b': 1}, {'a': 1, 'b': 2}, {'a': 2, 'b': 1}] [[1, 'y'], [2, 'x']]");
    EXPECT_EQ(render("{{ ['a', 'A', 'b', 'a']|unique|list }} {{ ['a', 'A']|unique(case_se"
                     "nsitive=true)|list }} {{ [1, 2, 3]|reverse|list }} {{ 'abc'|reverse"
                     " }} {{ {'b': 1, 'A': 2, 'a': 0}|dictsort }} {{ {'b': 1, 'a': 2}|dic"
                     "tsort(by='value', reverse=true) }}"),
              "['a', 'b'] ['a', 'A'] [3, 2, 1] cba [('A', 2), ('a', 0), ('b', 1)] "
              "[('a', 2), ('b', 1)]");
}

TEST(JinjaFilters, AggregatesAndBatch) {
    EXPECT_EQ(render("{{ [1, 2, 3]|sum }} {{ [1.5, 2]|sum }} {{ [{'n': 2}, {'n': 3}]|sum("
                     "attribute='n') }} {{ [1, 2]|sum(start=10) }} {{ [3, 1, 2]|max }} {{"
                     " ['b', 'a', 'C']|min }} {{ ['b', 'a', 'C']|max }} [{{ []|max }}]"),
              "6 3.5 5 13 3 a C []");
    EXPECT_EQ(render("{{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 'x')|list }}"),
              "[[1, 2], [3, 4], [5]] [[1, 2], [3, 'x']]");
}

TEST(JinjaFilters, ToJsonMatchesTransformers) {
    EXPECT_EQ(render("{{ {'a': [1, {'b': 'é\\n\\u0001\"\\\\'}], 'c': 1.0, 'd': none, 'e':"
                     " true, 'f': 1e-05, 'g': 12}|tojson }}"),
              "{\"a\": [1, {\"b\": \"é\\n\\u0001\\\"\\\\\"}], \"c\": 1.0, \"d\": n"
              "ull, \"e\": true, \"f\": 1e-05, \"g\": 12}");
    EXPECT_EQ(render("{{ [1, [2, {}], {'k': []}]|tojson(indent=2) }}|{{ {}|tojson(indent="
                     "2) }}|{{ {'a': 1, 'b': [1, 2]}|tojson(separators=(',', ':')) }}"),
              "[\n  1,\n  [\n    2,\n    {}\n  ],\n  {\n    \"k\": []\n  }\n]|{}|{"
              "\"a\":1,\"b\":[1,2]}");
    EXPECT_EQ(render("{{ d|tojson }} {{ d|tojson(indent=4) }} {{ 'plain'|tojson }} {{ (1,"
                     " 2)|tojson }}",
                     "{\"d\": {\"z\": 1, \"a\": {\"nested\": [true, null, 2.5]}}}"),
              "{\"z\": 1, \"a\": {\"nested\": [true, null, 2.5]}} {\n    \"z\": 1,"
              "\n    \"a\": {\n        \"nested\": [\n            true,\n         "
              "   null,\n            2.5\n        ]\n    }\n} \"plain\" [1, 2]");
    EXPECT_EQ(render("{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }} {{ 'é😀'|tojson(ensure"
                     "_ascii=true) }} {{ '</script>'|tojson }}"),
              "{\"a\": 2, \"b\": 1} \"\\u00e9\\ud83d\\ude00\" \"</script>\"");
}

TEST(JinjaTests, TypeTests) {
    EXPECT_EQ(render("{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x is "
                     "none }} {{ 'a' is string }} {{ 1 is number }} {{ true is number }} "
                     "{{ 1.0 is number }}",
                     "{\"x\": null}"),
              "True False True True True True True True");
    EXPECT_EQ(render("{{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ true"
                     " is boolean }} {{ 1 is boolean }} {{ {} is mapping }} {{ [] is mapp"
                     "ing }}"),
              "True False True True False True False");
    EXPECT_EQ(render("{{ 'ab' is iterable }} {{ 1 is iterable }} {{ missing is iterable }"
                     "} {{ {} is sequence }} {{ 'a' is sequence }} {{ [1]|map('string') i"
                     "s sequence }} {{ none is sequence }}"),
              "True False True True True False False");
    EXPECT_EQ(render("{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is fal"
                     "se }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filt"
                     "er }}"),
              "True False True False True True False");
}

TEST(JinjaTests, ValueTests) {
    EXPECT_EQ(render("{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is div"
                     "isibleby(4) }} {{ 2 is equalto 2 }} {{ 2 is eq 2 }} {{ 3 is ne 2 }}"
                     " {{ 1 is in [1, 2] }} {{ 'a' is in 'cat' }}"),
              "True True True False True True True True True");
    EXPECT_EQ(render("{{ 2 is gt 1 }} {{ 2 is greaterthan 3 }} {{ 1 is lt 2 }} {{ 1 is le"
                     "ssthan 0 }} {{ 2 is ge 2 }} {{ 2 is le 1 }} {{ 'abc' is lower }} {{"
                     " 'ABC' is upper }} {{ none is sameas none }}"),
              "True False True False True False True True True");
    EXPECT_EQ(render("{{ x is not none }} {{ x is not defined }} {{ not x is string }} {{"
                     " messages[0].role is not equalto 'user' }}",
                     "{\"x\": 1, \"messages\": [{\"role\": \"system\", \"content\""
                     ": \"S\"}, {\"role\": \"user\", \"content\": \"U1\"}, {\"role"
                     "\": \"assistant\", \"content\": \"A1\"}, {\"role\": \"user\""
                     ", \"content\": \"U2\"}]}"),
              "True False True True");
}

TEST(JinjaMethods, StringMethods) {
    EXPECT_EQ(render("{{ '  hi  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nhi'.lstr"
                     "ip('\\n') }}|{{ 'hi  \\n'.rstrip() }}|{{ 'hi'.upper() }}{{ 'HI'.low"
                     "er() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }}"),
              "hi|hi|hi|hi|HIhi They'Re Bill'S Hello");
    EXPECT_EQ(render("{{ ' a b  c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split"
                     "(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'x</think>y</think>z'.s"
                     "plit('</think>')[-1] }} {{ 'l1\\nl2\\r\\nl3'.splitlines() }}"),
              "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['a,b', 'c'] z ['l"
              "1', 'l2', 'l3']");
    EXPECT_EQ(render("{{ 'hello'.startswith('he') }} {{ 'hello'.startswith(('x', 'h')) }}"
                     " {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith('l', 2) }} {{ '"
                     "hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }"
                     "} {{ 'hello'.count('l') }} {{ 'héllo'.find('l') }}"),
              "True True True True 2 3 -1 2 2");
    EXPECT_EQ(render("{{ 'a-b'.replace('-', '+') }} {{ ', '.join(['a', 'b']) }} {{ '{} an"
                     "d {name}'.format(1, name='two') }} {{ '{:>5}|{:<4}|{:^5}|{:05d}|{:."
                     "2f}|{!r}'.format('a', 'b', 'c', 42, 3.14159, 'x') }} {{ 'ab'.center"
                     "(6, '*') }} {{ '7'.zfill(3) }} {{ 'a=b'.partition('=') }}"),
              "a+b a, b 1 and two     a|b   |  c  |00042|3.14|'x' **ab** 007 ('a', '=', 'b')");
    EXPECT_EQ(render("{{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ 'a"
                     "b'.islower() }} {{ 'AB'.isupper() }} {{ 'prefix_x'.removeprefix('pr"
                     "efix_') }}"),
              "True True True True True x");
}

TEST(JinjaMethods, DictAndListMethods) {
    EXPECT_EQ(render("{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ d.i"
                     "tems()|list }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items"
                     "()|length }}",
                     "{\"d\": {\"a\": 1, \"b\": [2]}}"),
              "1 None dflt [('a', 1), ('b', [2])] ['a', 'b'] [1, [2]] 2");
    EXPECT_EQ(render("{{ l.index(2) }} {{ l.count(1) }} {{ (1, 2).index(2) }} {% for k, v"
                     " in d.items() %}{{ k }}{{ v }}{% endfor %}",
                     "{\"l\": [1, 2, 1], \"d\": {\"x\": 1}}"),
              "1 2 1 x1");
}

TEST(JinjaGlobals, RangeNamespaceDict) {
    EXPECT_EQ(render("{{ range(3)|list }} {{ range(2, 10, 3)|list }} {{ range(5, 0, -2)|l"
                     "ist }} {% for i in range(2) %}{{ i }}{% endfor %}"),
              "[0, 1, 2] [2, 5, 8] [5, 3, 1] 01");
    EXPECT_EQ(render("{% set ns = namespace(a=1) %}{% set ns.b = ns.a + 1 %}{{ ns.a }}{{ "
                     "ns.b }} {{ namespace(d, c=3).c }} {{ dict(a=1, b='x') }} {{ namespa"
                     "ce({'k': 'v'}).k }}",
                     "{\"d\": {\"c\": 0}}"),
              "12 3 {'a': 1, 'b': 'x'} v");
}
TEST(JinjaGlobals, RaiseExceptionMessageReachesTheCallerUnchanged) {
    EXPECT_EQ(error_of("{{ raise_exception('Conversation roles must alternate user/assistant') }}"),
              "Conversation roles must alternate user/assistant");
    EXPECT_EQ(error_of("{% macro check(m) %}{% if m.role == 'critic' %}{{ raise_exception('Bad "
                       "role: ' ~ m.role) }}{% endif %}{% endmacro %}{% for m in messages %}{{ "
                       "check(m) }}{% endfor %}",
                       R"({"messages": [{"role": "user"}, {"role": "critic"}]})"),
              "Bad role: critic");
}

TEST(JinjaGlobals, StrftimeNowFormatsTheLocalTime) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char year[8];
    std::strftime(year, sizeof year, "%Y", &local);
    EXPECT_EQ(render("{{ strftime_now('%Y') }}"), year);
    EXPECT_EQ(render("{{ strftime_now is defined }}"), "True");
}

TEST(JinjaErrors, SyntaxErrorsNameLineAndColumn) {
    EXPECT_EQ(error_of("Hello\n{% if %}x{% endif %}"),
              "chat template line 2, column 7: expected an expression, got end of statement "
              "block ('%}')");
    EXPECT_EQ(error_of("{{ 'unterminated }}"),
              "chat template line 1, column 4: unterminated string literal");
    EXPECT_EQ(
        error_of("a\n\n  {% for x in y %}no end"),
        "chat template line 3, column 25: unexpected end of template; expected 'endfor' or 'else'");
    EXPECT_EQ(error_of("{% frobnicate %}"),
              "chat template line 1, column 4: unknown tag 'frobnicate'");
    EXPECT_EQ(error_of("{% endif %}"),
              "chat template line 1, column 4: unexpected 'endif': no open block here takes it");
    EXPECT_EQ(error_of("{{ a $ b }}"), "chat template line 1, column 6: unexpected character '$'");
    EXPECT_EQ(error_of("{{ 1 + }}"),
              "chat template line 1, column 8: unexpected end of print statement ('}}')");
    EXPECT_EQ(error_of("{% break %}"), "chat template line 1, column 4: 'break' outside loop");
    EXPECT_EQ(error_of("{% macro m(a=1, b) %}{% endmacro %}"),
              "chat template line 1, column 17: non-default argument follows default argument");
    EXPECT_EQ(error_of("x {# never closed"),
              "chat template line 1, column 3: missing end of comment tag");
    EXPECT_EQ(
        error_of("{% include 'other.jinja' %}"),
        "chat template line 1, column 4: the 'include' tag is not supported in chat templates");
    EXPECT_EQ(error_of("{{ " + std::string(150, '(') + "1" + std::string(150, ')') + " }}"),
              "chat template line 1, column 104: expression nested deeper than 100 levels");
}

TEST(JinjaErrors, RuntimeErrorsNameTheLine) {
    EXPECT_EQ(error_of("line one\n{{ x.y.z }}"), "chat template line 2: 'x' is undefined");
    EXPECT_EQ(error_of("{{ 'a' + 1 }}"),
              "chat template line 1: can only concatenate str (not \"int\") to str");
    EXPECT_EQ(error_of("\n\n{{ 'x'|frobnicate }}"),
              "chat template line 3: no filter named 'frobnicate'");
    EXPECT_EQ(error_of("{{ 1 is frobnicated }}"),
              "chat template line 1: no test named 'frobnicated'");
    EXPECT_EQ(error_of("{{ 'x'.frob() }}"),
              "chat template line 1: 'str object' has no attribute 'frob'");
    EXPECT_EQ(error_of("{% set l = [] %}{{ l.append(1) }}"),
              "chat template line 1: access to attribute 'append' of 'list' object is unsafe.");
    EXPECT_EQ(error_of("{{ d.update({}) }}", R"({"d": {}})"),
              "chat template line 1: access to attribute 'update' of 'dict' object is unsafe.");
    EXPECT_EQ(error_of("{{ none|length }}"),
              "chat template line 1: object of type 'NoneType' has no len()");
    EXPECT_EQ(error_of("{% for x in none %}{% endfor %}"),
              "chat template line 1: 'NoneType' object is not iterable");
    EXPECT_EQ(error_of("{% set x = 1 %}{% set x.y = 2 %}"),
              "chat template line 1: cannot assign attribute 'y' on non-namespace object 'x'");
    EXPECT_EQ(error_of("{{ 1 / 0 }}"), "chat template line 1: division by zero");
    EXPECT_EQ(error_of("{{ 1 < 'a' }}"),
              "chat template line 1: '<' not supported between instances of 'int' and 'str'");
    EXPECT_EQ(error_of("{{ 9223372036854775807 + 1 }}"),
              "chat template line 1: integer result too large for 64 bits");
    EXPECT_EQ(error_of("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
              "chat template line 1: macro 'm' takes not more than 1 argument(s)");
    EXPECT_EQ(error_of("{{ [1, 2]|select('odd')|length }}"),
              "chat template line 1: object of type 'generator' has no len()");
    // As in jinja2, a filter only has to exist when the template reaches it.
    EXPECT_EQ(render("{% if false %}{{ x|not_a_filter }}{% endif %}ok"), "ok");
}

TEST(JinjaLimits, RunawayRecursionStopsWithAnError) {
    const std::string e = error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    EXPECT_EQ(
        e, "chat template line 1: macro calls nested deeper than 100 (runaway recursion in 'f'?)");
    Options deep;
    deep.max_call_depth = 100000;  // the nesting cap still holds when the call cap is lifted
    EXPECT_NE(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "", deep)
                  .find("nested deeper than"),
              std::string::npos);
}

TEST(JinjaLimits, OutputLoopAndSizeCapsStopRunawayTemplates) {
    Options small;
    small.max_output_bytes = 1000;
    EXPECT_EQ(error_of("{% for i in range(1000) %}xxxxxxxxxx{% endfor %}", "", small),
              "chat template line 1: output larger than 1000 bytes (runaway template?)");
    EXPECT_NE(
        error_of(
            "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s "
            "%}{% endfor %}")
            .find("output limit"),
        std::string::npos);
    EXPECT_NE(error_of("{{ 'x' * 100000000000 }}").find("output limit"), std::string::npos);
    Options few;
    few.max_loop_iterations = 1000;
    EXPECT_EQ(error_of("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}",
                       "", few),
              "chat template line 1: more than 1000 loop iterations (runaway template?)");
    EXPECT_EQ(error_of("{{ range(1000000)|length }}"),
              "chat template line 1: Range too big. The sandbox blocks ranges larger than "
              "MAX_RANGE (100000).");
}

TEST(JinjaLimits, HostileNestingIsAnErrorNotACrash) {
    std::string deep_json;
    for (int i = 0; i < 100000; ++i) deep_json += '[';
    for (int i = 0; i < 100000; ++i) deep_json += ']';
    EXPECT_EQ(error_of("{{ x }}", "{\"x\": " + deep_json + "}"),
              "chat template: the context is nested deeper than 400 levels");
    std::string blocks;
    for (int i = 0; i < 100000; ++i) blocks += "{% if true %}";
    EXPECT_EQ(error_of(blocks),
              "chat template line 1, column 2604: blocks nested deeper than 200 levels");
    EXPECT_NE(
        error_of("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = [ns.l] "
                 "%}{% endfor %}")
            .find("nested deeper than 400 levels"),
        std::string::npos);
    Options small;
    small.max_output_bytes = 100000;
    EXPECT_NE(
        error_of("{{ [[[[[[[[1]]]]]]]]|tojson(indent=20000) }}", "", small).find("output limit"),
        std::string::npos);
}

TEST(JinjaLimits, ReferenceCyclesThroughNamespacesAreFreed) {
    // Under LeakSanitizer these would leak if render() did not break the cycles.
    EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns.me.me is defined }}"),
              "True");
    EXPECT_EQ(
        render("{% for i in [1] %}{% set ns = namespace() %}{% macro m() %}{{ i }}{% endmacro "
               "%}{% set ns.m = m %}{{ ns.m() }}{% endfor %}"),
        "1");
    EXPECT_EQ(render("{% for i in [1, 2] %}{{ loop.changed(loop) }}{% endfor %}"), "TrueFalse");
    EXPECT_EQ(render("{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}"),
              "<Namespace {'a': 1, 'me': <Namespace {...}>}>");
}

TEST(JinjaApi, ContextMustBeAJsonObject) {
    const Template t = Template::parse("x");
    EXPECT_THROW(t.render(nlohmann::ordered_json::array()), Error);
    EXPECT_EQ(t.render(nlohmann::ordered_json::object()), "x");
}

TEST(JinjaApi, ParsedTemplatesRenderManyContexts) {
    const Template t = Template::parse("{{ messages|map(attribute='content')|join(' ') }}");
    const Template copy = t;
    EXPECT_EQ(t.render(nlohmann::ordered_json::parse(R"({"messages": [{"content": "a"}]})")), "a");
    EXPECT_EQ(copy.render(nlohmann::ordered_json::parse(
                  R"({"messages": [{"content": "b"}, {"content": "c"}]})")),
              "b c");
}

TEST(JinjaApi, TrimAndLstripCanBeTurnedOff) {
    Options plain;
    plain.trim_blocks = false;
    plain.lstrip_blocks = false;
    EXPECT_EQ(render("  {% if true %}\nx{% endif %}\n", "", plain), "  \nx");
}

}  // namespace
}  // namespace flash::jinja
