package dev.roster.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

    private static List<String> check(String password) {
        return PasswordPolicy.violations(password, "j.smith@example.com", List.of("John Smith", "John", "Smith"));
    }

    @Test
    void aLongUncommonPassphrasePasses() {
        assertEquals(List.of(), check("violet kettle under moonlight"));
        assertEquals(List.of(), check("x".repeat(128)));
    }

    @Test
    void lengthIsCountedInCharactersFrom12To128() {
        assertTrue(check("elevenchars").get(0).contains("at least 12"));
        assertEquals(List.of(), check("émoji-😀-okay!"));
        assertTrue(check("x".repeat(129)).get(0).contains("at most 128"));
        assertTrue(check(null).get(0).contains("Enter a password"));
    }

    @Test
    void theEmailItsLocalPartAndTheNameAreRefusedWhateverTheirCase() {
        assertTrue(check("J.SMITH@EXAMPLE.COM").stream().anyMatch(p -> p.contains("email")));
        assertTrue(check("my-j.smith-password").stream().anyMatch(p -> p.contains("email")));
        assertTrue(PasswordPolicy.violations("johnsmith1234", "johnsmith1234@x.org", List.of()).stream()
                .anyMatch(p -> p.contains("email")));
        assertTrue(PasswordPolicy.violations("Johnathan Smithers", "a@b.c", List.of("johnathan smithers")).stream()
                .anyMatch(p -> p.contains("name")));
    }

    @Test
    void commonPasswordsAreRefusedAndTheListIsBundled() {
        assertTrue(PasswordPolicy.commonPasswordCount() >= 1000, "" + PasswordPolicy.commonPasswordCount());
        assertTrue(check("qwerty123456").stream().anyMatch(p -> p.contains("too common")));
        assertTrue(check("1Qaz2Wsx3Edc").stream().anyMatch(p -> p.contains("too common")));
        assertTrue(check("password").stream().anyMatch(p -> p.contains("too common")));
    }
}
