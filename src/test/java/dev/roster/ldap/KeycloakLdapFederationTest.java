package dev.roster.ldap;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.roster.mail.MailFixtures;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.KeycloakResource;
import dev.roster.support.LdapTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.mail.internet.MimeMessage;

/**
 * Keycloak's LDAP user federation against Roster (#25), as docs/ldap.md sets it up: a realm federates Roster read-only
 * (uid as username and RDN, entryUUID as UUID, users under ou=people, a group-ldap-mapper on ou=groups). A user onboarded
 * from a CSV file sets a password through the invitation link, then gets a token from Keycloak with that password
 * (direct grant), and the token carries the groups the file gave.
 */
@QuarkusTest
class KeycloakLdapFederationTest {

    static final String A = Browser.BOOTSTRAP_EMAIL;
    static final String P = Browser.BOOTSTRAP_PASSWORD;
    static final String BASE = LdapTestResource.BASE;

    @Test
    void aUserOnboardedFromAFileSignsInAtKeycloakWithTheGroupsTheFileGave() throws Exception {
        Assumptions.assumeTrue(KeycloakResource.realmUrl() != null, "Keycloak is off (-Droster.test.keycloak=off)");
        String keycloak = KeycloakResource.realmUrl().substring(0, KeycloakResource.realmUrl().indexOf("/realms/"));
        String sfx = Long.toString(System.nanoTime(), 36);
        String group = "kc-staff-" + sfx;
        String uid = "kim." + sfx;
        String email = uid + "@kc.example.org";
        String password = "kim chooses a long phrase " + sfx;

        // Roster: a group, a service account for Keycloak, and a user onboarded from a file with an invitation.
        given().auth().preemptive().basic(A, P).contentType("application/json").body(Map.of("name", group))
                .post("/api/groups").then().statusCode(201);
        JsonPath service = LdapServiceTest.serviceAccount("keycloak-" + sfx, "read-only");
        JsonPath onboard = Batches.uploadAndApply(A, P, "email,username,given_name,family_name,groups\n" + email + "," + uid
                + ",Kim,Kowalski," + group + "\n", "onboard");
        assertEquals("APPLIED", onboard.getString("status"), onboard.prettify());
        String token = invitationToken(email);
        Browser browser = Browser.anonymous();
        browser.get("/invite/" + token).then().statusCode(200);
        browser.postForm("/invite/" + token, Map.of("password", password, "confirm", password)).then().statusCode(200);

        // Keycloak: a realm federating Roster read-only, with a client allowed the direct grant.
        String admin = given().formParams(Map.of("grant_type", "password", "client_id", "admin-cli", "username", "admin",
                "password", "admin")).post(keycloak + "/realms/master/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        String realm = "roster-ldap-" + sfx;
        kc(admin).body(Map.of("realm", realm, "enabled", true)).post(keycloak + "/admin/realms").then().statusCode(201);
        String realmId = kc(admin).get(keycloak + "/admin/realms/" + realm).then().statusCode(200).extract().path("id");
        kc(admin).body(Map.of("clientId", "app", "publicClient", true, "directAccessGrantsEnabled", true,
                "protocolMappers", List.of(Map.of("name", "groups", "protocol", "openid-connect",
                        "protocolMapper", "oidc-group-membership-mapper", "config", Map.of("claim.name", "groups",
                                "full.path", "false", "access.token.claim", "true", "id.token.claim", "true")))))
                .post(keycloak + "/admin/realms/" + realm + "/clients").then().statusCode(201);
        String location = kc(admin).body(Map.of("name", "roster", "providerId", "ldap",
                "providerType", "org.keycloak.storage.UserStorageProvider", "parentId", realmId,
                "config", single(Map.ofEntries(Map.entry("enabled", "true"), Map.entry("priority", "0"),
                        Map.entry("editMode", "READ_ONLY"), Map.entry("vendor", "other"),
                        Map.entry("usernameLDAPAttribute", "uid"), Map.entry("rdnLDAPAttribute", "uid"),
                        Map.entry("uuidLDAPAttribute", "entryUUID"), Map.entry("userObjectClasses", "person"),
                        Map.entry("connectionUrl", "ldap://127.0.0.1:" + LdapTestResource.port()),
                        Map.entry("usersDn", "ou=people," + BASE), Map.entry("authType", "simple"),
                        Map.entry("bindDn", service.getString("dn")), Map.entry("bindCredential", service.getString("secret")),
                        Map.entry("searchScope", "1"), Map.entry("pagination", "true"), Map.entry("importEnabled", "true"),
                        Map.entry("syncRegistrations", "false"), Map.entry("trustEmail", "true"),
                        Map.entry("useTruststoreSpi", "never"), Map.entry("connectionPooling", "false")))))
                .post(keycloak + "/admin/realms/" + realm + "/components").then().statusCode(201).extract().header("Location");
        String ldapId = location.substring(location.lastIndexOf('/') + 1);
        kc(admin).body(Map.of("name", "groups", "providerId", "group-ldap-mapper",
                "providerType", "org.keycloak.storage.ldap.mappers.LDAPStorageMapper", "parentId", ldapId,
                "config", single(Map.ofEntries(Map.entry("groups.dn", "ou=groups," + BASE),
                        Map.entry("group.name.ldap.attribute", "cn"), Map.entry("group.object.classes", "groupOfNames"),
                        Map.entry("preserve.group.inheritance", "false"), Map.entry("membership.ldap.attribute", "member"),
                        Map.entry("membership.attribute.type", "DN"), Map.entry("membership.user.ldap.attribute", "uid"),
                        Map.entry("mode", "READ_ONLY"), Map.entry("user.roles.retrieve.strategy",
                                "LOAD_GROUPS_BY_MEMBER_ATTRIBUTE"), Map.entry("groups.path", "/"),
                        Map.entry("ignore.missing.groups", "false"),
                        Map.entry("drop.non.existing.groups.during.sync", "false")))))
                .post(keycloak + "/admin/realms/" + realm + "/components").then().statusCode(201);

        // The user signs in at Keycloak with the password chosen in Roster: Keycloak binds to Roster as that user.
        JsonPath grant = given().formParams(Map.of("grant_type", "password", "client_id", "app", "username", uid,
                "password", password, "scope", "openid")).post(keycloak + "/realms/" + realm + "/protocol/openid-connect/token")
                .then().extract().jsonPath();
        String accessToken = grant.getString("access_token");
        assertTrue(accessToken != null, grant.prettify());
        JsonPath claims = JsonPath.from(new String(Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]),
                StandardCharsets.UTF_8));
        assertEquals(uid, claims.getString("preferred_username"));
        assertEquals(email, claims.getString("email"));
        assertTrue(claims.getList("groups").contains(group), claims.prettify());

        // A wrong password is refused by Roster, so by Keycloak.
        given().formParams(Map.of("grant_type", "password", "client_id", "app", "username", uid, "password", "not it at all"))
                .post(keycloak + "/realms/" + realm + "/protocol/openid-connect/token").then().statusCode(401);
    }

    private static RequestSpecification kc(String adminToken) {
        return given().header("Authorization", "Bearer " + adminToken).contentType("application/json");
    }

    /** Keycloak's component config: every value a list. */
    private static Map<String, List<String>> single(Map<String, String> config) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        config.forEach((k, v) -> out.put(k, List.of(v)));
        return out;
    }

    private static String invitationToken(String email) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage m : MailFixtures.mailsTo(email)) {
                String text = MailFixtures.part(m, "text/plain");
                Matcher matcher = MailFixtures.LINK.matcher(text == null ? "" : text);
                if (matcher.find() && matcher.group(1).equals("invite")) {
                    return matcher.group(2);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no invitation mail to " + email);
    }
}
