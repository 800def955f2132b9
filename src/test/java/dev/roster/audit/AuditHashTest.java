package dev.roster.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The canonical form and the secret stripping, without Quarkus. */
class AuditHashTest {

    static final AuditRecord SAMPLE = new AuditRecord(42, UUID.fromString("6f1c2d3e-0000-4000-8000-000000000001"),
            Instant.parse("2026-11-26T10:15:30.123456Z"), "admin", UUID.fromString("6f1c2d3e-0000-4000-8000-0000000000aa"),
            "Zoë Łukasiewicz", "192.0.2.7", "Mozilla/5.0\ttab", "user.updated",
            UUID.fromString("6f1c2d3e-0000-4000-8000-0000000000bb"), "ann@example.com", null,
            "{\"fields\":[{\"after\":\"Anna\",\"before\":\"Ann\",\"name\":\"given_name\"}]}", AuditHash.GENESIS, null);

    @Test
    void theHashMatchesTheDocumentedCanonicalForm() {
        // Computed with the Python snippet in docs/audit.md, independently of this code.
        assertEquals("ce2a057e6206b468a863f4a534a47dd4dc9b964fc9b7ce7192f5d5a1f67f7bca", AuditHash.compute(SAMPLE));
    }

    @Test
    void everyFieldCountsAndNullDiffersFromEmpty() {
        String base = AuditHash.compute(SAMPLE);
        AuditRecord otherPrev = new AuditRecord(42, SAMPLE.id(), SAMPLE.occurredAt(), "admin", SAMPLE.actorId(),
                SAMPLE.actorName(), SAMPLE.actorIp(), SAMPLE.actorUserAgent(), SAMPLE.action(), SAMPLE.targetUserId(),
                SAMPLE.targetEmail(), null, SAMPLE.details(), "1" + AuditHash.GENESIS.substring(1), null);
        assertNotEquals(base, AuditHash.compute(otherPrev));
        AuditRecord emptyBatch = new AuditRecord(42, SAMPLE.id(), SAMPLE.occurredAt(), "admin", SAMPLE.actorId(),
                SAMPLE.actorName(), SAMPLE.actorIp(), SAMPLE.actorUserAgent(), SAMPLE.action(), SAMPLE.targetUserId(),
                "", null, SAMPLE.details(), SAMPLE.prevHash(), null);
        AuditRecord nullEmail = new AuditRecord(42, SAMPLE.id(), SAMPLE.occurredAt(), "admin", SAMPLE.actorId(),
                SAMPLE.actorName(), SAMPLE.actorIp(), SAMPLE.actorUserAgent(), SAMPLE.action(), SAMPLE.targetUserId(),
                null, null, SAMPLE.details(), SAMPLE.prevHash(), null);
        assertNotEquals(AuditHash.compute(emptyBatch), AuditHash.compute(nullEmail));
        assertEquals("2026-11-26T10:15:30.000000Z", AuditHash.time(Instant.parse("2026-11-26T10:15:30Z")));
    }

    @Test
    void secretsAreStrippedAtAnyDepthAndSecretFieldChangesLoseTheirValues() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("password", "hunter2");
        details.put("Password_Hash", "$argon2id$...");
        details.put("resetToken", "tok");
        details.put("nested", Map.of("clientSecret", "s3cr3t", "keep", 1));
        details.put("list", List.of(Map.of("api-key", "k", "apiKey", "k2", "x", "y")));
        details.put("fields", AuditEventDraft.fieldDetails(List.of(
                new AuditEventDraft.FieldChange("password_hash", "$argon2id$old", "$argon2id$new"),
                new AuditEventDraft.FieldChange("given_name", "Ann", "Anna"))).get("fields"));
        String json = AuditDetails.canonical(details);
        assertFalse(json.contains("hunter2") || json.contains("argon2id") || json.contains("tok")
                || json.contains("s3cr3t") || json.contains("\"k\"") || json.contains("k2"), json);
        assertTrue(json.contains("{\"name\":\"password_hash\",\"redacted\":true}"), json);
        assertTrue(json.contains("{\"after\":\"Anna\",\"before\":\"Ann\",\"name\":\"given_name\"}"), json);
        assertTrue(json.contains("\"nested\":{\"keep\":1}"), json);
        assertTrue(json.contains("\"list\":[{\"x\":\"y\"}]"), json);
    }
}
