package dev.roster.scim;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/**
 * A SCIM filter (RFC 7644 §3.4.2.2) parsed into a tree: {@code eq ne co sw ew pr gt ge lt le}, {@code and or not},
 * parentheses and value paths ({@code emails[type eq "work" and value co "@example.org"]}). Operators and keywords
 * are case-insensitive; precedence is not, then and, then or. Values stay values: they never become SQL text
 * ({@link ScimUserQuery} binds them).
 */
public sealed interface ScimFilter {

    Set<String> OPERATORS = Set.of("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le");

    /** {@code path op value}; value is a String, BigDecimal, Boolean or null. */
    record Compare(String path, String op, Object value) implements ScimFilter {
    }

    record Present(String path) implements ScimFilter {
    }

    record And(ScimFilter left, ScimFilter right) implements ScimFilter {
    }

    record Or(ScimFilter left, ScimFilter right) implements ScimFilter {
    }

    record Not(ScimFilter inner) implements ScimFilter {
    }

    /** {@code attribute[filter]}: the inner filter's paths are sub-attributes of {@code path}. */
    record ValuePath(String path, ScimFilter inner) implements ScimFilter {
    }

    static ScimFilter parse(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidFilter("The filter is empty.");
        }
        if (text.length() > 4000) {
            throw ScimException.invalidFilter("The filter is longer than 4,000 characters.");
        }
        Parser p = new Parser(text);
        ScimFilter f = p.or(0);
        p.skipSpace();
        if (!p.end()) {
            throw p.error("unexpected \"" + p.rest() + "\"");
        }
        return f;
    }

    /** A recursive-descent parser; depth is bounded so a deeply nested filter cannot exhaust the stack. */
    final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        ScimFilter or(int depth) {
            if (depth > 50) {
                throw error("nested more than 50 levels");
            }
            ScimFilter left = and(depth);
            while (keyword("or")) {
                left = new Or(left, and(depth));
            }
            return left;
        }

        ScimFilter and(int depth) {
            ScimFilter left = unary(depth);
            while (keyword("and")) {
                left = new And(left, unary(depth));
            }
            return left;
        }

        ScimFilter unary(int depth) {
            skipSpace();
            if (keyword("not")) {
                skipSpace();
                expect('(');
                ScimFilter inner = or(depth + 1);
                expect(')');
                return new Not(inner);
            }
            if (peek() == '(') {
                i++;
                ScimFilter inner = or(depth + 1);
                expect(')');
                return inner;
            }
            String path = attrPath();
            skipSpace();
            if (peek() == '[') {
                i++;
                ScimFilter inner = or(depth + 1);
                expect(']');
                return new ValuePath(path, inner);
            }
            String op = word().toLowerCase(Locale.ROOT);
            if (op.equals("pr")) {
                return new Present(path);
            }
            if (!OPERATORS.contains(op)) {
                throw error("\"" + op + "\" is not an operator; use eq, ne, co, sw, ew, pr, gt, ge, lt or le");
            }
            return new Compare(path, op, value());
        }

        String attrPath() {
            skipSpace();
            int start = i;
            while (!end() && (Character.isLetterOrDigit(peek()) || "_-$:.".indexOf(peek()) >= 0)) {
                i++;
            }
            if (start == i) {
                throw error(end() ? "an attribute name is missing at the end" : "an attribute name is expected at \"" + rest() + "\"");
            }
            return s.substring(start, i);
        }

        String word() {
            skipSpace();
            int start = i;
            while (!end() && Character.isLetter(peek())) {
                i++;
            }
            if (start == i) {
                throw error("an operator is expected" + (end() ? " at the end" : " at \"" + rest() + "\""));
            }
            return s.substring(start, i);
        }

        Object value() {
            skipSpace();
            if (end()) {
                throw error("a value is missing at the end");
            }
            if (peek() == '"') {
                return string();
            }
            int start = i;
            while (!end() && !Character.isWhitespace(peek()) && peek() != ')' && peek() != ']') {
                i++;
            }
            String token = s.substring(start, i);
            switch (token.toLowerCase(Locale.ROOT)) {
                case "true":
                    return Boolean.TRUE;
                case "false":
                    return Boolean.FALSE;
                case "null":
                    return null;
                default:
                    try {
                        return new BigDecimal(token);
                    } catch (NumberFormatException e) {
                        throw error("\"" + token + "\" is not a value; quote strings (\"...\"), or use true, false, null or a number");
                    }
            }
        }

        String string() {
            StringBuilder out = new StringBuilder();
            i++; // opening quote
            while (!end()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    if (end()) {
                        break;
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            if (i + 4 > s.length()) {
                                throw error("a \\u escape needs four hex digits");
                            }
                            try {
                                out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("a \\u escape needs four hex digits");
                            }
                            i += 4;
                        }
                        default -> out.append(e);
                    }
                } else {
                    out.append(c);
                }
            }
            throw error("a string is not closed with \"");
        }

        boolean keyword(String word) {
            skipSpace();
            int n = word.length();
            if (i + n <= s.length() && s.regionMatches(true, i, word, 0, n)
                    && (i + n == s.length() || Character.isWhitespace(s.charAt(i + n)) || s.charAt(i + n) == '(')) {
                i += n;
                return true;
            }
            return false;
        }

        void expect(char c) {
            skipSpace();
            if (end() || peek() != c) {
                throw error("\"" + c + "\" expected" + (end() ? " at the end" : " at \"" + rest() + "\""));
            }
            i++;
        }

        void skipSpace() {
            while (!end() && Character.isWhitespace(peek())) {
                i++;
            }
        }

        boolean end() {
            return i >= s.length();
        }

        char peek() {
            return end() ? '\0' : s.charAt(i);
        }

        String rest() {
            String r = s.substring(Math.min(i, s.length()));
            return r.length() > 40 ? r.substring(0, 40) + "…" : r;
        }

        ScimException error(String what) {
            return ScimException.invalidFilter("The filter cannot be read: " + what + " (character " + (i + 1) + ").");
        }
    }
}
