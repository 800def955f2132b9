package dev.roster.scim;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue #24 item 3: every attribute of the core User and the Enterprise extension is stored and returned as written
 * (POST then GET; PATCH add, replace and remove on each; a CSV update of the email keeps the other addresses).
 */
@QuarkusTest
class ScimFullUserTest {

    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Sql sql;

    private static String fullUser(String email, String managerId) {
        String local = email.substring(0, email.indexOf('@'));
        return """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "%s"],
                 "userName": "%s", "externalId": "ext-%s",
                 "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
                          "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
                 "displayName": "Babs Jensen", "nickName": "Babs", "profileUrl": "https://login.example.com/bjensen",
                 "title": "Tour Guide", "userType": "Employee", "preferredLanguage": "en-US", "locale": "en-US",
                 "timezone": "America/Los_Angeles", "active": true,
                 "emails": [{"value": "%s", "type": "work", "primary": true},
                            {"value": "babs-%s@jensen.example.org", "type": "home"}],
                 "phoneNumbers": [{"value": "+1 555 555 5555", "type": "work"}, {"value": "+15555554444", "type": "mobile"}],
                 "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
                                "region": "CA", "postalCode": "91608", "country": "USA",
                                "formatted": "100 Universal City Plaza\\nHollywood, CA 91608 USA", "primary": true},
                               {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood",
                                "region": "CA", "postalCode": "91608", "country": "USA"}],
                 "%s": {"employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
                        "division": "Theme Park", "department": "Tour Operations", "manager": {"value": "%s"}}}"""
                .formatted(ENTERPRISE, email, local, email, local, ENTERPRISE, managerId);
    }

    /** Every value written is in the read: objects by key (a key the server adds is allowed), lists element by element. */
    private static void assertReturned(JsonNode written, JsonNode read, String path) {
        if (written.isObject()) {
            assertTrue(read != null && read.isObject(), path + " is an object in " + read);
            Iterator<Map.Entry<String, JsonNode>> it = written.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("schemas")) {
                    assertReturned(f.getValue(), read.get(f.getKey()), path + "." + f.getKey());
                }
            }
        } else if (written.isArray()) {
            assertEquals(written, read, path + " is returned as written, in order");
        } else {
            assertEquals(written, read, path);
        }
    }

    private static JsonNode get(String id) throws Exception {
        return JSON.readTree(Scim.as("read").get("/scim/v2/Users/" + id).then().statusCode(200).extract().asString());
    }

    private String manager() {
        return Scim.createId(Scim.unique("boss"));
    }

    @Test
    void filtersOnTypeAndPrimaryReadTheKeptList() {
        String email = Scim.unique("home");
        String id = Scim.rw().body(Scim.user(email, "Hana", "Home").replace("\"type\": \"work\", \"primary\": true",
                "\"type\": \"home\"")).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        Map<String, Integer> expected = Map.of("emails[type eq \"home\" and value eq \"" + email + "\"]", 1,
                "emails[type eq \"work\" and value eq \"" + email + "\"]", 0,
                "emails.value eq \"" + email + "\" and emails.primary eq false", 1,
                "emails.value eq \"" + email + "\" and emails.primary eq true", 0);
        expected.forEach((filter, count) -> Scim.as("read").queryParam("filter", filter).get("/scim/v2/Users").then()
                .statusCode(200).body("totalResults", equalTo(count)));
        Scim.rw().delete("/scim/v2/Users/" + id).then().statusCode(204);
    }

    @Test
    void everyAttributeWrittenIsReturnedAndStored() throws Exception {
        String email = Scim.unique("full");
        String managerId = manager();
        String body = fullUser(email, managerId);
        JsonNode written = JSON.readTree(body);
        String created = Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201).extract().asString();
        JsonNode response = JSON.readTree(created);
        assertReturned(written, response, "POST");
        String id = response.get("id").asText();
        assertReturned(written, get(id), "GET");

        Map<String, Object> row = sql.rows("SELECT * FROM directory_user WHERE id = ?::uuid", id).get(0);
        assertEquals(email, row.get("email"), "the primary address is the email");
        assertEquals("+15555555555", row.get("phone"), "the work number (no primary) is the phone, in E.164");
        assertEquals("Jane", row.get("middle_name"));
        assertEquals("701984", row.get("employee_number"));
        assertEquals("4130", row.get("cost_center"));
        assertEquals(UUID.fromString(managerId), row.get("manager_id"));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND attributes <> '{}'::jsonb", id),
                "nothing lands among the custom attributes");

        // a PUT of the very same user changes nothing (the lists compare as stored)
        Scim.rw().body(body).put("/scim/v2/Users/" + id).then().statusCode(200).header("ETag", equalTo("W/\"1\""));
        // the enterprise attributes are filterable columns now
        Scim.as("read").queryParam("filter", ENTERPRISE + ":costCenter eq \"4130\" and userName eq \"" + email + "\"")
                .get("/scim/v2/Users").then().statusCode(200).body("totalResults", equalTo(1));
    }

    @Test
    void patchAddsReplacesAndRemovesEachAttribute() throws Exception {
        String email = Scim.unique("patch");
        String id = Scim.createId(email);
        String otherManager = manager();
        List<String[]> scalars = List.of(
                new String[] {"name.middleName", "Jane", "Joan"},
                new String[] {"name.honorificPrefix", "Ms.", "Dr."},
                new String[] {"name.honorificSuffix", "III", "PhD"},
                new String[] {"name.formatted", "Dr. Barbara Jensen", "Barbara J. Jensen"},
                new String[] {"displayName", "Babs", "B. Jensen"},
                new String[] {"nickName", "Babs", "Barb"},
                new String[] {"profileUrl", "https://example.org/babs", "http://example.org/b?x=1"},
                new String[] {"title", "Guide", "Senior Guide"},
                new String[] {"userType", "Contractor", "Employee"},
                new String[] {"preferredLanguage", "de-CH", "fr"},
                new String[] {"locale", "de-CH", "en-GB"},
                new String[] {"timezone", "Europe/Zurich", "UTC"},
                new String[] {"externalId", "x-" + UUID.randomUUID(), "y-" + UUID.randomUUID()},
                new String[] {ENTERPRISE + ":employeeNumber", "1", "2"},
                new String[] {ENTERPRISE + ":costCenter", "CC-1", "CC-2"},
                new String[] {ENTERPRISE + ":organization", "Org A", "Org B"},
                new String[] {ENTERPRISE + ":division", "North", "South"},
                new String[] {ENTERPRISE + ":department", "Sales", "Legal"});
        for (String[] s : scalars) {
            String path = s[0];
            Scim.rw().body(Scim.patch(op("add", path, s[1]))).patch("/scim/v2/Users/" + id).then().statusCode(200);
            assertEquals(s[1], at(get(id), path), "add " + path);
            Scim.rw().body(Scim.patch(op("replace", path, s[2]))).patch("/scim/v2/Users/" + id).then().statusCode(200);
            assertEquals(s[2], at(get(id), path), "replace " + path);
            Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"" + path + "\"}")).patch("/scim/v2/Users/" + id)
                    .then().statusCode(200);
            String after = at(get(id), path);
            if (path.equals("name.formatted")) {
                assertEquals("Barbara Jensen", after, "without a formatted name Roster shows givenName familyName");
            } else {
                assertNull(after, "remove " + path);
            }
        }
        // manager: an id, as Entra sends it, then as an object, then removed
        String managerId = manager();
        Scim.rw().body(Scim.patch(op("add", ENTERPRISE + ":manager", managerId))).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("'" + ENTERPRISE + "'.manager.value", equalTo(managerId));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"" + ENTERPRISE + ":manager\", \"value\": {\"value\": \""
                + otherManager + "\"}}")).patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + ENTERPRISE + "'.manager.value", equalTo(otherManager));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"" + ENTERPRISE + ":manager\"}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("'" + ENTERPRISE + "'.manager", equalTo(null));
        // a path-less value object with the extension's URN as its key
        Scim.rw().body(Scim.patch("{\"op\": \"Replace\", \"value\": {\"" + ENTERPRISE + "\": {\"costCenter\": \"CC-9\", "
                + "\"division\": \"West\"}, \"name.middleName\": \"M\"}}")).patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + ENTERPRISE + "'.costCenter", equalTo("CC-9")).body("'" + ENTERPRISE + "'.division", equalTo("West"))
                .body("name.middleName", equalTo("M"));
    }

    @Test
    void patchAddsReplacesAndRemovesListElements() throws Exception {
        String email = Scim.unique("lists");
        String id = Scim.createId(email);
        String home = "home-" + email;
        // emails: add a home address, change it through a value filter, take it out again
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"emails\", \"value\": [{\"value\": \"" + home
                + "\", \"type\": \"home\"}]}")).patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("emails.size()", equalTo(2)).body("emails[1].value", equalTo(home));
        Scim.rw().body(Scim.patch(op("replace", "emails[type eq \"home\"].value", "x" + home))).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("emails[1].value", equalTo("x" + home)).body("emails[0].value", equalTo(email));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"emails[type eq \\\"home\\\"]\"}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("emails.size()", equalTo(1)).body("emails[0].value", equalTo(email));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND emails IS NOT NULL", id),
                "back to the one address Roster shows anyway: no list kept");
        // phoneNumbers: add two, replace the mobile one, remove the work one
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"phoneNumbers\", \"value\": [{\"value\": \"+41 44 000 00 00\", "
                + "\"type\": \"work\", \"primary\": true}, {\"value\": \"+41790000000\", \"type\": \"mobile\"}]}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("phoneNumbers.size()", equalTo(2))
                .body("phoneNumbers[0].value", equalTo("+41 44 000 00 00"));
        assertEquals("+41440000000", sql.rows("SELECT phone FROM directory_user WHERE id = ?::uuid", id).get(0).get("phone"));
        Scim.rw().body(Scim.patch(op("replace", "phoneNumbers[type eq \"mobile\"].value", "+41791111111")))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("phoneNumbers[1].value", equalTo("+41791111111"));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"phoneNumbers[type eq \\\"work\\\"]\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("phoneNumbers.size()", equalTo(1))
                .body("phoneNumbers[0].type", equalTo("mobile"));
        assertEquals("+41791111111", sql.rows("SELECT phone FROM directory_user WHERE id = ?::uuid", id).get(0).get("phone"));
        // addresses: add, replace one sub-attribute through a filter, remove one element, remove all
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"addresses\", \"value\": [{\"type\": \"work\", "
                + "\"streetAddress\": \"1 Main St\", \"locality\": \"Springfield\", \"postalCode\": \"12345\", \"country\": \"US\", "
                + "\"primary\": true}, {\"type\": \"home\", \"formatted\": \"2 Side St, Springfield\"}]}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("addresses.size()", equalTo(2))
                .body("addresses[0].primary", equalTo(true)).body("addresses[1].formatted", equalTo("2 Side St, Springfield"));
        Scim.rw().body(Scim.patch(op("replace", "addresses[type eq \"work\"].locality", "Shelbyville")))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("addresses[0].locality", equalTo("Shelbyville"))
                .body("addresses[0].streetAddress", equalTo("1 Main St"));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"addresses[type eq \\\"home\\\"]\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("addresses.size()", equalTo(1));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"addresses\"}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("addresses", equalTo(null));
        // active: replace false suspends, true reactivates
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"active\", \"value\": false}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("active", equalTo(false));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"active\", \"value\": true}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("active", equalTo(true));
    }

    @Test
    void badValuesAreRefusedNamingTheAttribute() {
        String email = Scim.unique("bad");
        String id = Scim.createId(email);
        Scim.rw().body(Scim.patch(op("replace", "profileUrl", "javascript:alert(1)"))).patch("/scim/v2/Users/" + id)
                .then().statusCode(400).body("scimType", equalTo("invalidValue")).body("detail", containsString("profileUrl"))
                .body("detail", containsString("https://"));
        Scim.rw().body(Scim.patch(op("replace", "timezone", "europe/berlin"))).patch("/scim/v2/Users/" + id)
                .then().statusCode(400).body("detail", containsString("Europe/Berlin"));
        Scim.rw().body(Scim.patch(op("replace", "preferredLanguage", "english please"))).patch("/scim/v2/Users/" + id)
                .then().statusCode(400).body("detail", containsString("preferredLanguage"));
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"emails\", \"value\": [{\"value\": \"a-" + email
                + "\", \"primary\": true}]}")).patch("/scim/v2/Users/" + id).then().statusCode(400)
                .body("detail", containsString("at most one element may be primary"));
    }

    @Test
    void aFileThatChangesTheEmailOrPhoneKeepsTheOtherElements() throws Exception {
        String email = Scim.unique("mirror");
        String body = fullUser(email, manager());
        String id = Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        String renamed = "re" + email;
        Batches.uploadAndApply(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD,
                "email,new_email,phone,cost_center,middle_name\n" + email + "," + renamed + ",+44 20 7000 0000,CC-X,#clear\n",
                "update");
        JsonNode read = get(id);
        assertEquals(renamed, read.at("/emails/0/value").asText(), "the primary element follows the email column");
        assertEquals("babs-" + email.substring(0, email.indexOf('@')) + "@jensen.example.org", read.at("/emails/1/value").asText());
        assertEquals("+442070000000", read.at("/phoneNumbers/0/value").asText(), "the work number follows the phone column");
        assertEquals("+15555554444", read.at("/phoneNumbers/1/value").asText());
        assertEquals("CC-X", read.at("/" + ENTERPRISE.replace("/", "~1") + "/costCenter").asText());
        assertFalse(read.get("name").has("middleName"));
    }

    private static String op(String op, String path, String value) {
        return "{\"op\": \"" + op + "\", \"path\": \"" + path.replace("\"", "\\\"") + "\", \"value\": \"" + value + "\"}";
    }

    /** The string at a PATCH path of the kind used above (attr, attr.sub, urn:attr), or null. */
    private static String at(JsonNode doc, String path) {
        JsonNode node;
        if (path.startsWith(ENTERPRISE)) {
            node = doc.path(ENTERPRISE).get(path.substring(ENTERPRISE.length() + 1));
        } else if (path.contains(".")) {
            node = doc.path(path.substring(0, path.indexOf('.'))).get(path.substring(path.indexOf('.') + 1));
        } else {
            node = doc.get(path);
        }
        return node == null || node.isNull() ? null : node.asText();
    }
}
