package dev.roster.scim;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.roster.support.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/** Cursor paging of /Users and /Groups (RFC 9865, decision 0043): keyset walks, their errors, the advertisement. */
@QuarkusTest
class ScimCursorTest {

    @Inject
    MutableClock clock;

    /** A user whose userName sorts by {@code name}; externalId and email only when given. */
    private static String createUser(String userName, String email, String externalId) {
        String body = "{\"schemas\": [\"" + ScimMedia.USER_SCHEMA + "\"], \"userName\": \"" + userName + "\", "
                + "\"name\": {\"givenName\": \"Cursor\", \"familyName\": \"Walker\"}"
                + (email == null ? "" : ", \"emails\": [{\"value\": \"" + email + "\", \"type\": \"work\", \"primary\": true}]")
                + (externalId == null ? "" : ", \"externalId\": \"" + externalId + "\"") + "}";
        return Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
    }

    private static String tag() {
        return "cur" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** One page of GET /Users with these parameters (the cursor as given, "" included). */
    private static JsonPath page(String path, Map<String, Object> params, String cursor) {
        RequestSpecification r = Scim.as("read");
        params.forEach((name, value) -> r.queryParam(name, value));
        Response res = r.queryParam("cursor", cursor).get(path);
        // RFC 9865: a cursor page has no startIndex; Roster gives no previousCursor (decision 0043)
        res.then().statusCode(200).body("schemas[0]", equalTo(ScimMedia.LIST_SCHEMA)).body("$", not(hasKey("startIndex")))
                .body("$", not(hasKey("previousCursor"))).body("totalResults", notNullValue());
        return res.jsonPath();
    }

    /**
     * Walks a list from an empty cursor to the page without nextCursor; {@code between} runs after each page with the
     * page number. The ids in the order received.
     */
    private static List<String> walk(String path, Map<String, Object> params, Consumer<Integer> between) {
        List<String> seen = new ArrayList<>();
        String cursor = "";
        for (int pageNo = 1; pageNo < 100; pageNo++) {
            JsonPath p = page(path, params, cursor);
            List<String> ids = p.getList("Resources.id");
            assertEquals(ids.size(), p.getInt("itemsPerPage"));
            seen.addAll(ids);
            cursor = p.getString("nextCursor");
            if (cursor == null) {
                return seen;
            }
            assertTrue(cursor.matches("[A-Za-z0-9_-]+"), "a cursor holds only unreserved characters: " + cursor);
            between.accept(pageNo);
        }
        throw new AssertionError("the walk did not end");
    }

    @Test
    void aCursorWalkGivesEveryLiveUserOnceWhileUsersComeAndGo() {
        String tag = tag();
        Map<String, String> byName = new LinkedHashMap<>();
        for (String letter : List.of("a", "b", "c", "d", "e", "f", "g")) {
            String name = tag + "-" + letter + "@example.org";
            byName.put(name, createUser(name, name, null));
        }
        Map<String, Object> params = Map.of("filter", "userName sw \"" + tag + "\"", "sortBy", "userName", "count", 2);
        JsonPath first = page("/scim/v2/Users", params, "");
        assertEquals(7, first.getInt("totalResults"));
        assertEquals(2, first.getInt("itemsPerPage"));

        String late = tag + "-h@example.org";
        List<String> seen = walk("/scim/v2/Users", params, pageNo -> {
            if (pageNo == 1) {
                // mid-walk: one user not reached yet is deleted, one is created after the walk's position
                Scim.rw().delete("/scim/v2/Users/" + byName.get(tag + "-f@example.org")).then().statusCode(204);
                byName.put(late, createUser(late, late, null));
            }
        });
        byName.remove(tag + "-f@example.org");
        assertEquals(new ArrayList<>(byName.values()), seen, "every live user once, in userName order");

        // the default order (id) walks the same users, once each, in pages of 3
        List<String> byId = walk("/scim/v2/Users", Map.of("filter", "userName sw \"" + tag + "\"", "count", 3), n -> { });
        List<String> expected = new ArrayList<>(byName.values());
        expected.sort(Comparator.naturalOrder()); // PostgreSQL orders uuids as their text does
        assertEquals(expected, byId);
    }

    @Test
    void sortKeysThatAreNullComeLastInBothDirections() {
        String tag = tag();
        String b = createUser(tag + "-b", tag + "-b@example.org", tag + "-ext-2");
        String a = createUser(tag + "-a", tag + "-a@example.org", tag + "-ext-3");
        String c = createUser(tag + "-c", tag + "-c@example.org", tag + "-ext-1");
        String noMail = createUser(tag + "-d", null, null); // a user without email (decision 0031): emails is null
        String noExt = createUser(tag + "-e", tag + "-e@example.org", null);
        String filter = "userName sw \"" + tag + "\"";
        List<String> nulls = new ArrayList<>(List.of(noMail, noExt));
        nulls.sort(Comparator.naturalOrder());

        List<String> ascending = new ArrayList<>(List.of(c, b, a));
        ascending.addAll(nulls);
        assertEquals(ascending, walk("/scim/v2/Users", Map.of("filter", filter, "sortBy", "externalId", "count", 2), n -> { }));

        List<String> descending = new ArrayList<>(List.of(a, b, c, nulls.get(1), nulls.get(0)));
        assertEquals(descending, walk("/scim/v2/Users", Map.of("filter", filter, "sortBy", "externalId", "sortOrder",
                "descending", "count", 2), n -> { }));

        // emails descending: the user without an address last, one page at a time
        assertEquals(List.of(noExt, c, b, a, noMail), walk("/scim/v2/Users", Map.of("filter", filter, "sortBy", "emails",
                "sortOrder", "descending", "count", 1), n -> { }));
    }

    @Test
    void groupsWalkByCursorAndSearchesTakeCursorsToo() {
        String tag = tag();
        List<String> ids = new ArrayList<>();
        for (String letter : List.of("c", "a", "b")) {
            ids.add(Scim.rw().body("{\"schemas\": [\"" + ScimMedia.GROUP_SCHEMA + "\"], \"displayName\": \"" + tag + " " + letter
                    + "\"}").post("/scim/v2/Groups").then().statusCode(201).extract().<String>path("id"));
        }
        List<String> expected = List.of(ids.get(1), ids.get(2), ids.get(0));
        assertEquals(expected, walk("/scim/v2/Groups", Map.of("filter", "displayName sw \"" + tag + "\"", "sortBy",
                "displayName", "count", 2, "attributes", "displayName,members"), n -> { }));

        // POST /.search: "cursor": "" for the first page, then the nextCursor, same answer as the GET
        String search = """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "displayName sw \\"%s\\"",
                 "sortBy": "displayName", "count": 2, "cursor": "%s"}""";
        JsonPath first = Scim.as("read").body(search.formatted(tag, "")).post("/scim/v2/Groups/.search").then().statusCode(200)
                .body("totalResults", equalTo(3)).body("itemsPerPage", equalTo(2)).body("startIndex", nullValue())
                .extract().jsonPath();
        assertEquals(expected.subList(0, 2), first.getList("Resources.id"));
        Scim.as("read").body(search.formatted(tag, first.getString("nextCursor"))).post("/scim/v2/Groups/.search").then()
                .statusCode(200).body("itemsPerPage", equalTo(1)).body("Resources[0].id", equalTo(expected.get(2)))
                .body("nextCursor", nullValue());
    }

    @Test
    void countZeroGivesTheTotalAndACursorToTheSamePlace() {
        String tag = tag();
        String only = createUser(tag + "-a", tag + "-a@example.org", null);
        Map<String, Object> params = Map.of("filter", "userName sw \"" + tag + "\"", "count", 0);
        JsonPath none = page("/scim/v2/Users", params, "");
        assertEquals(1, none.getInt("totalResults"));
        assertEquals(0, none.getInt("itemsPerPage"));
        assertNotNull(none.getString("nextCursor"));
        JsonPath next = page("/scim/v2/Users", Map.of("filter", "userName sw \"" + tag + "\"", "count", 5), none.getString("nextCursor"));
        assertEquals(List.of(only), next.getList("Resources.id"));
        assertNull(next.getString("nextCursor"));
        // RFC 9865's own first request: the cursor parameter without a value
        Scim.as("read").queryParam("filter", "userName sw \"" + tag + "\"").get("/scim/v2/Users?cursor").then().statusCode(200)
                .body("Resources[0].id", equalTo(only)).body("startIndex", nullValue()).body("nextCursor", nullValue());
        // an index page still has startIndex and no cursor
        Scim.as("read").queryParam("filter", "userName sw \"" + tag + "\"").get("/scim/v2/Users").then().statusCode(200)
                .body("startIndex", equalTo(1)).body("nextCursor", nullValue());
    }

    private static void error(Response r, String scimType) {
        r.then().statusCode(400).contentType(containsString("application/scim+json")).body("status", equalTo("400"))
                .body("scimType", equalTo(scimType)).body("detail", notNullValue());
    }

    @Test
    void forgedChangedMovedAndExpiredCursorsAreRefused() {
        String tag = tag();
        for (String letter : List.of("a", "b", "c")) {
            createUser(tag + "-" + letter, tag + "-" + letter + "@example.org", null);
        }
        String filter = "userName sw \"" + tag + "\"";
        String cursor = page("/scim/v2/Users", Map.of("filter", filter, "count", 1), "").getString("nextCursor");
        assertNotNull(cursor);

        char flipped = cursor.charAt(cursor.length() / 2) == 'A' ? 'B' : 'A';
        String tampered = cursor.substring(0, cursor.length() / 2) + flipped + cursor.substring(cursor.length() / 2 + 1);
        for (String bad : List.of(tampered, "garbage", "not+a/cursor==", cursor + "A", cursor.substring(0, 20))) {
            error(Scim.as("read").queryParam("filter", filter).queryParam("count", 1).queryParam("cursor", bad)
                    .get("/scim/v2/Users"), "invalidCursor");
        }
        // the same cursor with another filter, another sort, or on /Groups: not this list's cursor
        error(Scim.as("read").queryParam("filter", "userName sw \"x" + tag + "\"").queryParam("cursor", cursor).get("/scim/v2/Users"),
                "invalidCursor");
        error(Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "userName").queryParam("cursor", cursor)
                .get("/scim/v2/Users"), "invalidCursor");
        error(Scim.as("read").queryParam("cursor", cursor).get("/scim/v2/Groups"), "invalidCursor");
        // two ways of paging at once
        error(Scim.as("read").queryParam("filter", filter).queryParam("cursor", "").queryParam("startIndex", 1)
                .get("/scim/v2/Users"), "invalidValue");
        // count may change between pages; the cursor still works
        assertEquals(2, page("/scim/v2/Users", Map.of("filter", filter, "count", 5), cursor).getInt("itemsPerPage"));

        try {
            clock.advance(Duration.ofMinutes(61));
            error(Scim.as("read").queryParam("filter", filter).queryParam("cursor", cursor).get("/scim/v2/Users"), "expiredCursor");
        } finally {
            clock.reset();
        }
    }

    @Test
    void serviceProviderConfigAdvertisesCursorsBesideTheDefaultIndexPaging() {
        Scim.as("read").get("/scim/v2/ServiceProviderConfig").then().statusCode(200)
                .body("pagination.cursor", equalTo(true)).body("pagination.index", equalTo(true))
                .body("pagination.defaultPaginationMethod", equalTo("index"))
                .body("pagination.defaultPageSize", equalTo(1000)).body("pagination.maxPageSize", equalTo(1000))
                .body("pagination.cursorTimeout", equalTo(3600));
        // no pagination parameter: an index page, as Entra ID and Okta expect
        JsonPath p = Scim.as("read").queryParam("count", 1).get("/scim/v2/Users").then().statusCode(200).extract().jsonPath();
        assertEquals(1, p.getInt("startIndex"));
        assertFalse(p.getMap("$").containsKey("nextCursor"));
    }
}
