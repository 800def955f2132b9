package dev.roster.batch.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.plan.FieldDiff;
import dev.roster.plan.PlanMessage;
import dev.roster.plan.Severity;
import org.junit.jupiter.api.Test;

/** The planner's hand-written JSON cells equal what Jackson makes of the same values, once CSV-unquoted. */
class PlanItemJsonCellsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void fieldsAndMessagesMatchJacksonForAwkwardText() throws Exception {
        List<FieldDiff> fields = Arrays.asList(new FieldDiff("given_name", null, "Zoë \"Zo\" Ñúñez"),
                new FieldDiff("attr.cost\"centre\\", "a\\b\tc\nd\re", null),
                new FieldDiff("title", "\u0001bell\u001f", "日本語 😀"));
        List<PlanMessage> messages = List.of(new PlanMessage(Severity.ERROR, "email", "\"x\" is not an email address"),
                new PlanMessage(Severity.WARNING, null, "line\nbreak"));
        assertEquals(json.writeValueAsString(PlanItemCopyWriter.fieldsJson(fields)),
                unquote(PlanItemCopyWriter.fieldsCsv(new StringBuilder(), fields)));
        assertEquals(json.writeValueAsString(PlanItemCopyWriter.messagesJson(messages)),
                unquote(PlanItemCopyWriter.messagesCsv(new StringBuilder(), messages)));
        assertEquals("[]", unquote(PlanItemCopyWriter.fieldsCsv(new StringBuilder(), List.of())));
    }

    /** The cell's content: outer quotes off, doubled quotes single. */
    private static String unquote(CharSequence cell) {
        String s = cell.toString();
        assertEquals('"', s.charAt(0));
        assertEquals('"', s.charAt(s.length() - 1));
        return s.substring(1, s.length() - 1).replace("\"\"", "\"");
    }
}
