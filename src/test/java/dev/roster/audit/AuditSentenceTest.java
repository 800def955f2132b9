package dev.roster.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Every action the trail records is told as a sentence; unknown actions and odd details still get one. */
class AuditSentenceTest {

    private static String told(String action, Map<String, Object> details) {
        JsonNode json = AuditDetails.JSON.valueToTree(details);
        return AuditSentence.of(action, json).stream()
                .map(p -> p.isTime() ? "[" + p.time() + "]" : p.text()).collect(Collectors.joining());
    }

    @Test
    void theIssuesExamplesReadAsWritten() {
        assertEquals("Planned 2 rows: 1 update, 1 unchanged", told(AuditAction.BATCH_PLANNED, Map.of("rows", 2,
                "summary", Map.of("create", 0, "update", 1, "delete", 0, "reset", 0, "unchanged", 1, "error", 0, "warning", 0))));
        assertEquals("Uploaded update.csv, 101 bytes, match by email, to update", told(AuditAction.BATCH_UPLOADED,
                Map.of("fileName", "update.csv", "size", 101, "matchBy", "email", "operation", "update", "sha256", "ab")));
        assertEquals("Signed in with a password", told(AuditAction.ADMIN_SIGNED_IN, Map.of("channel", "form")));
    }

    @Test
    void everyKnownActionHasItsOwnSentence() {
        for (String action : AuditAction.ALL) {
            String sentence = told(action, Map.of());
            assertFalse(sentence.isBlank(), action);
            assertFalse(sentence.startsWith("Recorded " + action), action + " falls back to the generic sentence");
        }
    }

    @Test
    void detailsOfEachWriterAreTold() {
        assertEquals("Updated 1 field from line 3", told(AuditAction.USER_UPDATED,
                Map.of("line", 3, "fields", List.of(Map.of("name", "title", "before", "", "after", "CTO")))));
        assertEquals("Deleted the user from line 4 (was active)", told(AuditAction.USER_DELETED,
                Map.of("line", 4, "statusBefore", "ACTIVE")));
        assertEquals("Applied update.csv: 3 changes (1 create, 2 update); 1 row with errors skipped",
                told(AuditAction.BATCH_APPLIED, Map.of("fileName", "update.csv", "changes", 3, "create", 1, "update", 2,
                        "delete", 0, "reset", 0, "skippedErrors", 1)));
        assertEquals("Re-planned a.csv from batch 12345678", told(AuditAction.BATCH_UPLOADED,
                Map.of("replans", "12345678-aaaa-bbbb-cccc-123456789012", "fileName", "a.csv")));
        assertEquals("Discarded the batch; it was re-planned as batch 12345678", told(AuditAction.BATCH_DISCARDED,
                Map.of("supersededBy", "12345678-aaaa-bbbb-cccc-123456789012")));
        assertEquals("Could not sign in as x@example.org with a password: wrong email or password",
                told(AuditAction.ADMIN_SIGN_IN_FAILED, Map.of("channel", "form", "email", "x@example.org",
                        "reason", "wrong email or password", "knownAdmin", false)));
        assertEquals("Sent no reset link for anna: unknown account (3 requests)", told(AuditAction.PASSWORD_SELF_SERVICE_REFUSED,
                Map.of("page", "forgot", "account", "anna", "reason", "unknown account", "attempts", 3)));
        assertEquals("Refused a password change for anna: wrong password", told(AuditAction.PASSWORD_SELF_SERVICE_REFUSED,
                Map.of("page", "password-change", "account", "anna", "reason", "wrong password", "attempts", 1)));
        assertEquals("Changed the admin's role from viewer to admin", told(AuditAction.ADMIN_CHANGED,
                Map.of("change", "role", "before", "viewer", "after", "admin")));
        assertEquals("Downloaded 12 audit events as JSON Lines", told(AuditAction.AUDIT_EXPORTED,
                Map.of("format", "jsonl", "count", 12, "complete", true)));
        assertEquals("Could not send the invitation mail: the mail server answered 550 no such user",
                told(AuditAction.MAIL_FAILED, Map.of("kind", "INVITE", "smtpReply", "550 no such user")));
        assertEquals("Erased the personal data of the user deleted on [2026-01-02T03:04:05Z], after the retention period of 30 days",
                told(AuditAction.USER_PURGED, Map.of("deletedAt", "2026-01-02T03:04:05Z", "retention", "PT720H")));
    }

    @Test
    void timesAreTheirOwnPartsAndOddValuesStayText() {
        List<AuditSentence.Part> parts = AuditSentence.of(AuditAction.AUDIT_PURGED,
                AuditDetails.JSON.valueToTree(Map.of("count", 3, "cutoff", "2026-12-01T03:08:01.815336Z")));
        assertTrue(parts.stream().anyMatch(p -> Instant.parse("2026-12-01T03:08:01.815336Z").equals(p.time())));
        assertEquals("Removed 3 audit events older than not a time", told(AuditAction.AUDIT_PURGED,
                Map.of("count", 3, "cutoff", "not a time")));
    }

    @Test
    void anUnknownActionGetsAGenericSentence() {
        // mail.link-viewed served here until it got its own sentence: every known action has one.
        assertEquals("Recorded mail.bounced with 2 details", told("mail.bounced", Map.of("a", 1, "b", "x")));
        assertEquals("Was shown the link in the invitation mail", told(AuditAction.MAIL_LINK_VIEWED,
                Map.of("messageId", "m", "kind", "INVITE")));
        assertEquals("Recorded an event", AuditSentence.of(null, null).get(0).text());
    }
}
