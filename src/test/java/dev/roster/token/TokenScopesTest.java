package dev.roster.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import jakarta.ws.rs.BadRequestException;

/** Where each scope reaches (plain JUnit; TokenTrustTest sends the same requests through HTTP). */
class TokenScopesTest {

    private static boolean allows(Set<String> scopes, String method, String path) {
        return TokenScopes.refusal(scopes, method, path) == null;
    }

    @Test
    void eachScopeReachesItsOwnPathsOnly() {
        Set<String> scim = Set.of("scim");
        assertEquals(true, allows(scim, "POST", "/scim/v2/Bulk"));
        assertEquals(false, allows(scim, "GET", "/api/users"));
        assertEquals(false, allows(scim, "POST", "/api/batches"));
        assertEquals(true, allows(scim, "GET", "/api/me"));
        assertNotNull(TokenScopes.refusal(scim, "POST", "/scim/v2/Bulk", true), "asBatch is the batch API");
        assertNull(TokenScopes.refusal(Set.of("scim", "batches"), "POST", "/scim/v2/Bulk", true));

        Set<String> batches = Set.of("batches");
        assertEquals(true, allows(batches, "POST", "/api/batches/1/apply"));
        assertEquals(true, allows(batches, "GET", "/api/templates/onboard"));
        assertEquals(false, allows(batches, "GET", "/scim/v2/Users"));
        assertEquals(false, allows(batches, "POST", "/api/groups"));
        assertEquals(false, allows(batches, "GET", "/api/batchesx"), "a prefix is a path segment");

        Set<String> read = Set.of("read");
        assertEquals(true, allows(read, "GET", "/scim/v2/Users"));
        assertEquals(true, allows(read, "GET", "/api/batches"));
        assertEquals(true, allows(read, "POST", "/api/audit/verify"));
        assertEquals(false, allows(read, "POST", "/scim/v2/Users"));
        assertEquals(true, allows(read, "POST", "/scim/v2/Users/.search"), "a SCIM search is a read (RFC 7644 §3.4.3)");
        assertEquals(true, allows(read, "POST", "/scim/v2/Groups/.search"));
        assertEquals(false, allows(read, "POST", "/api/users/.search"), "only SCIM's");
        assertEquals(false, allows(read, "DELETE", "/api/groups/1"));

        Set<String> directory = Set.of("directory");
        assertEquals(true, allows(directory, "POST", "/api/users/1/restore"));
        assertEquals(true, allows(directory, "PATCH", "/api/groups/1"));
        assertEquals(false, allows(directory, "GET", "/api/users"));
    }

    @Test
    void sourcesProfilesAndUnknownWritesAreForPeopleOnly() {
        Set<String> all = Set.of("read", "scim", "batches", "directory");
        for (String path : List.of("/api/sources", "/api/sources/1", "/api/sources/1/run", "/api/mapping-profiles/1")) {
            assertEquals(TokenScopes.PEOPLE_ONLY, TokenScopes.refusal(all, "POST", path), path);
        }
        assertEquals(true, allows(all, "GET", "/api/sources"), "reading sources is a read");
        assertNotNull(TokenScopes.refusal(all, "POST", "/api/something-new"), "a write nobody placed is refused");
        assertNull(TokenScopes.refusal(Set.of(), "GET", "/users"), "pages are not the filter's business");
    }

    @Test
    void scopesParseFromLabelsAndReadWriteMeansAllFour() {
        assertEquals(ApiTokens.READ_WRITE, ApiTokens.parseScopes("read-write", null));
        assertEquals("read-write", ApiTokens.label(ApiTokens.parseScopes("read scim,batches directory", null)));
        assertEquals("read batches", ApiTokens.label(ApiTokens.parseScopes(null, List.of("batches", "read"))));
        assertEquals(AdminRole.VIEWER, ApiTokens.role(ApiTokens.parseScopes("read", null)));
        assertEquals(AdminRole.OPERATOR, ApiTokens.role(ApiTokens.parseScopes("scim", null)));
        assertThrows(BadRequestException.class, () -> ApiTokens.parseScopes("admin", null));
        assertThrows(BadRequestException.class, () -> ApiTokens.parseScopes(" ", List.of()));
    }
}
