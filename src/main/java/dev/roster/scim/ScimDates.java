package dev.roster.scim;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.csv.ColumnNames;
import dev.roster.plan.SingleRowPlan;
import dev.roster.plan.SingleRowPlan.Cell;

/**
 * A user's start and end dates in SCIM (#26, decision 0039): Roster's lifecycle extension ({@code startDate},
 * {@code endDate}, ISO dates in the user's timezone) and Microsoft Entra's {@code employeeHireDate} /
 * {@code employeeLeaveDateTime}, accepted under that extension and under the Enterprise extension. A date-time is
 * taken as its date in the user's zone (midnight UTC as the UTC date: how Entra and Graph store a date alone).
 */
final class ScimDates {

    static final String START = "startDate";
    static final String END = "endDate";
    static final String HIRE = "employeeHireDate";
    static final String LEAVE = "employeeLeaveDateTime";

    private ScimDates() {
    }

    /**
     * The date cells a document asks for. A date attribute given as null or "" clears the date. One left out leaves
     * the date as it is, unless {@code absentClears} (a PATCH: the document is the whole user after the operations,
     * so an attribute removed is gone). {@code zone}: the user's zone after this write (for date-times).
     */
    static List<Cell> cells(JsonNode doc, boolean absentClears, ZoneId zone) {
        List<Cell> cells = new ArrayList<>();
        cell(doc, ColumnNames.START_DATE, START, HIRE, absentClears, zone, cells);
        cell(doc, ColumnNames.END_DATE, END, LEAVE, absentClears, zone, cells);
        return cells;
    }

    private static void cell(JsonNode doc, String column, String own, String entra, boolean absentClears, ZoneId zone,
            List<Cell> cells) {
        JsonNode lifecycle = ScimAttributes.field(doc, ScimMedia.LIFECYCLE_SCHEMA);
        JsonNode enterprise = ScimAttributes.field(doc, ScimMedia.ENTERPRISE_SCHEMA);
        String name = null;
        String value = null;
        for (Object[] source : new Object[][] { { lifecycle, own, own }, { lifecycle, entra, entra },
                { enterprise, entra, ScimMedia.ENTERPRISE_SCHEMA + ":" + entra } }) {
            JsonNode container = (JsonNode) source[0];
            if (container == null || !container.isObject() || ScimAttributes.field(container, (String) source[1]) == null) {
                continue;
            }
            String text = ScimAttributes.text(container, (String) source[1]);
            String day = text == null || text.isBlank() ? SingleRowPlan.CLEAR : day(text, zone, (String) source[2]);
            if (name != null && !day.equals(value)) {
                throw ScimException.invalidValue(source[2] + " and " + name + " disagree (" + text + "); give the date once.");
            }
            name = (String) source[2];
            value = day;
        }
        if (name != null) {
            cells.add(new Cell(column, name, value));
        } else if (absentClears) {
            cells.add(new Cell(column, own, SingleRowPlan.CLEAR));
        }
    }

    /**
     * An ISO date as is; a date-time with an offset as its date in {@code zone}, except exactly midnight UTC, the UTC
     * date (a date stored as a date-time; in a zone west of UTC it would fall on the day before); a local date-time
     * as its date.
     */
    static String day(String text, ZoneId zone, String name) {
        String v = text.strip();
        try {
            if (v.length() <= 10) {
                return LocalDate.parse(v).toString();
            }
            try {
                OffsetDateTime at = OffsetDateTime.parse(v);
                if (at.getOffset().equals(ZoneOffset.UTC) && at.toLocalTime().equals(LocalTime.MIDNIGHT)) {
                    return at.toLocalDate().toString();
                }
                return at.atZoneSameInstant(zone).toLocalDate().toString();
            } catch (DateTimeParseException e) {
                return LocalDateTime.parse(v).toLocalDate().toString();
            }
        } catch (DateTimeException e) {
            throw ScimException.invalidValue(name + " \"" + text + "\" is not a date (YYYY-MM-DD) or a date-time "
                    + "(e.g. 2027-01-04T00:00:00Z).");
        }
    }

    /** The zone a user's dates are in: their timezone when it is a valid IANA id, else the organisation's. */
    static ZoneId zone(String timezone, ZoneId organisation) {
        if (timezone == null || timezone.isBlank()) {
            return organisation;
        }
        try {
            return ZoneId.of(timezone.strip());
        } catch (DateTimeException e) {
            return organisation; // the write refuses the timezone itself, with its own message
        }
    }

    /** The lifecycle extension of a user that has dates. */
    static void render(ObjectNode doc, ArrayNode schemas, String startDate, String endDate) {
        if (startDate == null && endDate == null) {
            return;
        }
        schemas.add(ScimMedia.LIFECYCLE_SCHEMA);
        ObjectNode lifecycle = doc.putObject(ScimMedia.LIFECYCLE_SCHEMA);
        if (startDate != null) {
            lifecycle.put(START, startDate);
        }
        if (endDate != null) {
            lifecycle.put(END, endDate);
        }
    }

    /**
     * A PATCH path's date attribute: the lifecycle attribute it stands for (so a remove of employeeLeaveDateTime removes
     * endDate), null for any other. Under the Enterprise extension ({@code entraOnly}) only Entra's names are dates.
     */
    static String lifecycleName(String attr, boolean entraOnly) {
        return switch (attr.toLowerCase(Locale.ROOT)) {
            case "employeehiredate" -> START;
            case "employeeleavedatetime" -> END;
            case "startdate" -> entraOnly ? null : START;
            case "enddate" -> entraOnly ? null : END;
            default -> null;
        };
    }
}
