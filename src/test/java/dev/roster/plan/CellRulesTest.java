package dev.roster.plan;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellRulesTest {

    @ParameterizedTest
    @CsvSource({
            "Jane.Doe@Example.org, jane.doe@example.org",
            "user+tag@example.co.uk, user+tag@example.co.uk",
            "jürgen@müller.de, jürgen@müller.de",
            "用户@例子.广告, 用户@例子.广告",
            "info@xn--mller-kva.de, info@xn--mller-kva.de",
            "o'brien@example.ie, o'brien@example.ie",
    })
    void acceptsEmailsAndLowerCasesThem(String input, String expected) {
        CellRules.Checked checked = CellRules.email(input);
        assertTrue(checked.valid(), checked.problem());
        assertEquals(expected, checked.value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"plainaddress", "@example.org", "jane@", "jane doe@example.org", "jane@localhost",
            "jane@exa mple.org", "jane..doe@example.org", ".jane@example.org", "jane@example..org", "jane@-example.org",
            "jane@example.org.", "jane@123.456", "ja\"ne@example.org", "jane@exam_ple.org"})
    void refusesMalformedEmails(String input) {
        assertFalse(CellRules.email(input).valid(), input);
    }

    @Test
    void limitsEmailLengths() {
        String local65 = "a".repeat(65) + "@example.org";
        assertTrue(CellRules.email(local65).problem().contains("64"));
        String long255 = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".org";
        assertTrue(long255.length() > 254);
        assertTrue(CellRules.email(long255).problem().contains("254"));
    }

    @ParameterizedTest
    @CsvSource({
            "+49 30 1234567, +49301234567",
            "+1 (555) 123-4567, +15551234567",
            "0049.30.1234567, +49301234567",
            "+44-20-7946-0958, +442079460958",
    })
    void normalisesPhonesToE164(String input, String expected) {
        assertEquals(expected, CellRules.phone(input).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"030 1234567", "+0 30 1234", "+49 30 12345678901234", "call me", "+49/30/123"})
    void refusesNonInternationalPhones(String input) {
        assertTrue(CellRules.phone(input).problem().contains("international format"), input);
    }

    @ParameterizedTest
    @CsvSource({"en, en", "de-ch, de-CH", "pt_BR, pt-BR", "zh-Hant-TW, zh-Hant-TW", "sr-Latn, sr-Latn"})
    void normalisesLocales(String input, String expected) {
        assertEquals(expected, CellRules.locale(input).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"english", "de-", "12", "x-private", "und", "de--CH"})
    void refusesBadLocales(String input) {
        assertFalse(CellRules.locale(input).valid(), input);
    }

    @Test
    void readsBooleanWords() {
        for (String yes : new String[]{"true", "TRUE", "yes", "Y", "1"}) {
            assertEquals(Boolean.TRUE, CellRules.bool(yes), yes);
        }
        for (String no : new String[]{"false", "No", "n", "0"}) {
            assertEquals(Boolean.FALSE, CellRules.bool(no), no);
        }
        assertNull(CellRules.bool("maybe"));
    }

    static final String BCRYPT = "$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".substring(0, 53);
    static final String ARGON2ID = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

    @Test
    void acceptsBcryptAndArgon2idHashesOnly() {
        assertNull(CellRules.passwordHashProblem(BCRYPT));
        assertNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$", "$2a$")));
        assertNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$", "$2y$")));
        assertNull(CellRules.passwordHashProblem(ARGON2ID));
        assertNotNull(CellRules.passwordHashProblem("hunter2"));
        assertNotNull(CellRules.passwordHashProblem(ARGON2ID.replace("argon2id", "argon2i")));
        assertNotNull(CellRules.passwordHashProblem(BCRYPT.substring(0, 40)));
        assertFalse(CellRules.passwordHashProblem("hunter2").contains("hunter2"));
    }

    @Test
    void spotsFormulaPrefixes() {
        for (String formula : new String[]{"=1+1", "+SUM(A1)", "-2", "@cmd"}) {
            assertTrue(CellRules.looksLikeFormula(formula), formula);
        }
        assertFalse(CellRules.looksLikeFormula("Jane"));
    }

    /** Issue #23: a hash too cheap to compute (bcrypt cost 4, Argon2id m=1,t=1) is not imported; OWASP's minimums pass. */
    @Test
    void weakImportedHashesAreRefusedAndOwaspMinimumsPass() {
        String salt = "c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
        assertNotNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$04$")));
        assertNotNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$09$")));
        assertNotNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$31$")), "too costly to verify");
        assertNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$10$")));
        assertNotNull(CellRules.passwordHashProblem("$argon2id$v=19$m=1,t=1,p=1$" + salt));
        assertNotNull(CellRules.passwordHashProblem("$argon2id$v=19$m=4096,t=3,p=1$" + salt));
        assertNotNull(CellRules.passwordHashProblem("$argon2id$v=19$m=4194304,t=3,p=1$" + salt), "4 GiB per sign-in");
        // What a public page may have to check fits the heap: 64 MiB and m x t 262,144 KiB at most, bcrypt 13.
        assertNotNull(CellRules.passwordHashProblem("$argon2id$v=19$m=1048576,t=1,p=1$" + salt), "1 GiB per check");
        assertNotNull(CellRules.passwordHashProblem("$argon2id$v=19$m=65536,t=5,p=1$" + salt), "too much work");
        assertNull(CellRules.passwordHashProblem("$argon2id$v=19$m=65536,t=4,p=1$" + salt));
        assertNotNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$14$")), "seconds per check");
        assertNull(CellRules.passwordHashProblem(BCRYPT.replace("$2b$12$", "$2b$13$")));
        for (String owasp : new String[] { "m=47104,t=1", "m=19456,t=2", "m=12288,t=3", "m=9216,t=4", "m=7168,t=5" }) {
            assertNull(CellRules.passwordHashProblem("$argon2id$v=19$" + owasp + ",p=1$" + salt), owasp);
        }
        assertTrue(CellRules.passwordHashProblem("$argon2id$v=19$m=1,t=1,p=1$" + salt).contains("m=19456,t=2"));
    }

    @Test
    void timeZonesAreIanaIdsAndAWrongCaseIsNamedWithTheRightOne() {
        assertEquals("Europe/Berlin", CellRules.timezone("Europe/Berlin").value());
        assertEquals("UTC", CellRules.timezone("UTC").value());
        assertTrue(CellRules.timezone("europe/berlin").problem().contains("write it as Europe/Berlin"));
        assertTrue(CellRules.timezone("Mars/Olympus").problem().contains("IANA"));
        assertFalse(CellRules.timezone("+01:00").valid(), "an offset is not a zone");
    }

    @Test
    void profileUrlsAreAbsoluteHttpOrHttps() {
        assertTrue(CellRules.url("https://example.org/people/jane").valid());
        assertTrue(CellRules.url("HTTP://example.org").valid());
        for (String bad : new String[]{"javascript:alert(1)", "ftp://example.org/x", "example.org/jane", "https://",
                "https://exa mple.org"}) {
            assertTrue(CellRules.url(bad).problem().contains("https://"), bad);
        }
    }
}
