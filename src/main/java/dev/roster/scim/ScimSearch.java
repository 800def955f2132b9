package dev.roster.scim;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.ws.rs.core.Response;

/**
 * A list request: the query parameters of a GET list, or a SearchRequest (RFC 7644 §3.4.3, POST /Users/.search and
 * /Groups/.search) carrying them as a body, so filters stay out of URLs and logs. Lists answer both alike. A cursor
 * (RFC 9865; "" for the first page) asks for cursor paging, startIndex (or neither) for index paging.
 */
record ScimSearch(String filter, String sortBy, String sortOrder, Integer startIndex, Integer count, String attributes,
        String excludedAttributes, String cursor) {

    static final String SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    /** A GET list of /Users or /Groups. */
    @FunctionalInterface
    interface Lister {
        ObjectNode list(ScimSearch request);
    }

    /** The list this search asks for, answered as the GET answers it. */
    Response answer(Lister lister) {
        return ScimResponses.answer(200, lister.list(this), null, null);
    }

    /** Cursor paging was asked for (an empty cursor included). */
    boolean byCursor() {
        return cursor != null;
    }

    static ScimSearch of(JsonNode body) {
        ScimMessages.message(body, SCHEMA, "A search");
        return new ScimSearch(ScimAttributes.text(body, "filter"), ScimAttributes.text(body, "sortBy"),
                ScimAttributes.text(body, "sortOrder"), integer(body, "startIndex"), integer(body, "count"),
                names(body, "attributes"), names(body, "excludedAttributes"), ScimAttributes.text(body, "cursor"));
    }

    private static Integer integer(JsonNode body, String name) {
        JsonNode v = ScimAttributes.field(body, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isTextual() && v.asText().strip().matches("-?[0-9]{1,9}")) {
            return Integer.valueOf(v.asText().strip());
        }
        throw ScimException.invalidValue(name + " is an integer, not " + v + ".");
    }

    /** A list of attribute names (RFC: multi-valued strings); one comma-separated string is read the same way. */
    private static String names(JsonNode body, String name) {
        JsonNode v = ScimAttributes.field(body, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (!v.isArray()) {
            throw ScimException.invalidValue(name + " is a list of attribute names, not " + v + ".");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : v) {
            if (!n.isTextual()) {
                throw ScimException.invalidValue(name + " is a list of attribute names; " + n + " is not one.");
            }
            out.add(n.asText());
        }
        return String.join(",", out);
    }
}
