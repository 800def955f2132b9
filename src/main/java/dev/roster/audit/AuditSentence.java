package dev.roster.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An audit event's details told for a person: "planned 2 rows: 1 update, 1 unchanged",
 * "uploaded update.csv, 101 bytes, match by email". The sentence is a list of parts, text or a
 * time, so the page escapes the text and renders the times like every other time on a page.
 * Field changes are not told here (the page shows them as before → after); an action this class
 * does not know gets a generic sentence. Plain Java.
 */
public final class AuditSentence {

    /** Text, or a time (text is then null). */
    public record Part(String text, Instant time) {
        public boolean isTime() {
            return time != null;
        }
    }

    private final List<Part> parts = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    private AuditSentence() {
    }

    /** The sentence for an action and its details (a JSON object; anything else counts as empty). */
    public static List<Part> of(String action, JsonNode details) {
        AuditSentence s = new AuditSentence();
        s.tell(action == null ? "" : action, details == null || !details.isObject() ? emptyObject() : details);
        return s.finish();
    }

    private void tell(String action, JsonNode d) {
        switch (action) {
            case AuditAction.USER_CREATED -> {
                add("created the user").line(d);
                if (d.path("passwordImported").asBoolean(false)) {
                    add(", with an imported password hash");
                }
            }
            case AuditAction.USER_UPDATED -> {
                int n = d.path("fields").size();
                add("updated " + n + (n == 1 ? " field" : " fields")).line(d);
            }
            case AuditAction.USER_DELETED -> {
                add("deleted the user").line(d);
                if (has(d, "statusBefore")) {
                    add(" (was " + lower(d, "statusBefore") + ")");
                }
            }
            case AuditAction.USER_RESTORED -> add("restored the deleted user");
            case AuditAction.USER_PURGED -> {
                add("erased the personal data of the user");
                if (has(d, "deletedAt")) {
                    add(" deleted on ").time(d, "deletedAt");
                }
                if (has(d, "retention")) {
                    add(", after the retention period of " + duration(text(d, "retention")));
                }
            }
            case AuditAction.PASSWORD_RESET_ISSUED -> add("issued a password reset link").line(d);
            case AuditAction.PASSWORD_SET -> add("set their password through an emailed link");
            case AuditAction.PASSWORD_CHANGED -> add("changed their password on the Change my password page; their open links were ended");
            case AuditAction.PASSWORD_SELF_SERVICE_REFUSED -> selfServiceRefused(d);
            case AuditAction.INVITE_ISSUED -> add("issued an invitation link").line(d);
            case AuditAction.MAIL_SENT -> add("sent the " + mailKind(d) + " mail");
            case AuditAction.MAIL_LINK_VIEWED -> add("was shown the link in " + (has(d, "kind") ? "the " + mailKind(d) + " mail" : "a mail"));
            case AuditAction.MAIL_FAILED -> {
                add("could not send the " + mailKind(d) + " mail");
                if (has(d, "smtpReply")) {
                    add(": the mail server answered " + text(d, "smtpReply"));
                }
            }
            case AuditAction.BATCH_UPLOADED -> uploaded(d);
            case AuditAction.BATCH_PLANNED -> planned(d);
            case AuditAction.BATCH_REJECTED -> add(d.path("fileRefused").asBoolean(true) ? "refused the file" : "could not plan the file")
                    .add(has(d, "error") ? ": " + text(d, "error") : "");
            case AuditAction.BATCH_APPROVED -> add("approved").file(d, " ");
            case AuditAction.BATCH_APPLIED -> applied(d);
            case AuditAction.BATCH_FAILED -> add("the apply failed").add(has(d, "failure") ? ": " + text(d, "failure") : "");
            case AuditAction.BATCH_REVERTED -> add("was reverted").batch(d, "revertedBy", " by batch ");
            case AuditAction.BATCH_DISCARDED -> add("discarded the batch").batch(d, "supersededBy", "; it was re-planned as batch ");
            case AuditAction.ADMIN_SIGNED_IN -> add("signed in").add(channel(d));
            case AuditAction.ADMIN_SIGN_IN_FAILED -> signInFailed(d);
            case AuditAction.ADMIN_CHANGED -> adminChanged(d);
            case AuditAction.ADMIN_PASSWORD_CHANGED -> {
                add("changed their own password");
                if (d.path("required").asBoolean(false)) {
                    add(", replacing the generated one as required");
                }
                add("; their other sessions were ended");
            }
            case AuditAction.AUDIT_EXPORTED -> exported(d);
            case AuditAction.AUDIT_PURGED -> purged(d);
            case AuditAction.AUDIT_PURGE_REQUESTED -> add("asked to remove the audit events older than ").time(d, "cutoff")
                    .add("; a second admin must approve");
            case AuditAction.AUDIT_PURGE_REJECTED -> add("turned down the request to remove the audit events older than ")
                    .time(d, "cutoff");
            case AuditAction.USERS_EXPORTED -> add("downloaded " + count(d, "count", "user", "users") + " as "
                    + text(d, "format").toUpperCase(Locale.ROOT));
            case AuditAction.GROUP_CREATED -> add("created the group").group(d);
            case AuditAction.GROUP_UPDATED -> {
                int n = d.path("fields").size();
                add("updated " + n + (n == 1 ? " field" : " fields") + " of the group").group(d);
            }
            case AuditAction.GROUP_DELETED -> {
                add("deleted the group").group(d);
                if (has(d, "memberships")) {
                    add(", keeping its " + count(d, "memberships", "membership", "memberships"));
                }
            }
            case AuditAction.GROUP_RESTORED -> add("restored the deleted group").group(d);
            case AuditAction.MEMBERSHIP_ADDED -> add("added the user to the group").group(d).line(d);
            case AuditAction.MEMBERSHIP_REMOVED -> add("removed the user from the group").group(d).line(d);
            case AuditAction.SYNC_SOURCE_CREATED -> add("added the sync source " + text(d, "name"));
            case AuditAction.SYNC_SOURCE_CHANGED -> add("changed the sync source " + text(d, "name"))
                    .add(has(d, "change") ? " (" + text(d, "change") + ")" : "");
            case AuditAction.SYNC_SOURCE_DELETED -> add("removed the sync source " + text(d, "name"));
            case AuditAction.SYNC_RUN -> add("ran the sync source " + text(d, "source") + ": "
                    + text(d, "status").toLowerCase(Locale.ROOT)).add(has(d, "reason") ? " (" + text(d, "reason") + ")" : "")
                    .batch(d, "batchId", "; batch ");
            case AuditAction.TOKEN_CREATED -> add("created the API token \"" + text(d, "name") + "\" (" + text(d, "scope")
                    + ", expires ").time(d, "expiresAt").add(")");
            case AuditAction.TOKEN_REVOKED -> add("revoked the API token \"" + text(d, "name") + "\"");
            case AuditAction.BATCH_MAPPED -> add("mapped the file's columns").add(has(d, "profile")
                    ? " with mapping profile \"" + text(d, "profile") + "\"" : "").add(", and planning started");
            case AuditAction.MAPPING_PROFILE_SAVED -> add("saved the mapping profile \"" + text(d, "name") + "\"");
            case AuditAction.MAPPING_PROFILE_RENAMED -> add("renamed the mapping profile \"" + text(d, "before") + "\" to \""
                    + text(d, "after") + "\"");
            case AuditAction.MAPPING_PROFILE_DELETED -> add("deleted the mapping profile \"" + text(d, "name") + "\"");
            case AuditAction.LDAP_BIND_FAILED -> add("could not bind over LDAP as " + text(d, "dn")).add(has(d, "reason")
                    ? ": " + text(d, "reason") : "").add(d.path("attempts").asInt(1) > 1
                    ? " (" + d.path("attempts").asInt() + " attempts)" : "");
            case AuditAction.LDAP_ACCOUNT_LOCKED -> add("locked the user's LDAP binds after " + d.path("failures").asInt()
                    + " failed attempts, until ").time(d, "lockedUntil");
            case AuditAction.LDAP_ACCOUNT_UNLOCKED -> add("unlocked the user's LDAP binds");
            case AuditAction.LDAP_SERVICE_CREATED -> add("created the LDAP service account \"" + text(d, "name") + "\" ("
                    + text(d, "right") + ")");
            case AuditAction.LDAP_SERVICE_REVOKED -> add("revoked the LDAP service account \"" + text(d, "name") + "\"");
            default -> generic(action, d);
        }
    }

    private void uploaded(JsonNode d) {
        if (has(d, "replans")) {
            add("re-planned").file(d, " ").batch(d, "replans", " from batch ");
            return;
        }
        add("uploaded").file(d, " ");
        if (has(d, "size")) {
            long size = d.path("size").asLong();
            add(", " + size + (size == 1 ? " byte" : " bytes"));
        }
        if (has(d, "matchBy")) {
            add(", match by " + text(d, "matchBy").replace('_', ' '));
        }
        if (has(d, "operation")) {
            add(", to " + text(d, "operation"));
        }
        if (has(d, "sourceFormat")) {
            add(", read as " + text(d, "sourceFormat"));
        }
    }

    private void planned(JsonNode d) {
        if (has(d, "reverts")) {
            add("planned the revert").batch(d, "reverts", " of batch ");
            return;
        }
        long rows = d.path("rows").asLong();
        add("planned " + rows + (rows == 1 ? " row" : " rows"));
        List<String> counts = new ArrayList<>();
        JsonNode summary = d.path("summary");
        // In the order of the plan page (the stored JSON has its keys sorted).
        for (String kind : List.of("create", "update", "delete", "reset", "unchanged", "error", "warning")) {
            long n = summary.path(kind).asLong();
            if (n != 0) {
                counts.add(n + " " + switch (kind) {
                    case "error" -> n == 1 ? "error" : "errors";
                    case "warning" -> n == 1 ? "warning" : "warnings";
                    default -> kind;
                });
            }
        }
        if (!counts.isEmpty()) {
            add(": " + String.join(", ", counts));
        }
    }

    private void applied(JsonNode d) {
        add("applied").file(d, " ");
        long changes = d.path("changes").asLong();
        add(": " + changes + (changes == 1 ? " change" : " changes"));
        List<String> counts = new ArrayList<>();
        for (String kind : List.of("create", "update", "delete", "reset")) {
            long n = d.path(kind).asLong();
            if (n != 0) {
                counts.add(n + " " + kind);
            }
        }
        if (!counts.isEmpty()) {
            add(" (" + String.join(", ", counts) + ")");
        }
        long skipped = d.path("skippedErrors").asLong();
        if (skipped != 0) {
            add("; " + skipped + (skipped == 1 ? " row" : " rows") + " with errors skipped");
        }
    }

    private void signInFailed(JsonNode d) {
        String reason = text(d, "reason");
        add("throttled".equals(reason) ? "was held back signing in" : "could not sign in");
        if (has(d, "email")) {
            add(" as " + text(d, "email"));
        }
        add(channel(d));
        if (!reason.isEmpty() && !"throttled".equals(reason)) {
            add(": " + reason);
        }
        if (d.path("count").asLong() > 1) {
            add(" (" + d.path("count").asLong() + " attempts)");
        }
    }

    private void selfServiceRefused(JsonNode d) {
        add("forgot".equals(text(d, "page")) ? "sent no reset link" : "refused a password change");
        if (has(d, "account")) {
            add(" for " + text(d, "account"));
        }
        if (has(d, "reason")) {
            add(": " + text(d, "reason"));
        }
        if (d.path("attempts").asLong() > 1) {
            add(" (" + d.path("attempts").asLong() + " requests)");
        }
    }

    private void adminChanged(JsonNode d) {
        String before = text(d, "before");
        String after = text(d, "after");
        switch (text(d, "change")) {
            case "added" -> add("added the admin as " + after);
            case "role" -> add("changed the admin's role from " + before + " to " + after);
            case "enabled" -> add("true".equals(after) ? "enabled the admin" : "disabled the admin");
            default -> add("changed the admin" + (has(d, "change") ? " (" + text(d, "change") + ")" : ""));
        }
    }

    private void exported(JsonNode d) {
        String format = text(d, "format");
        if ("manifest".equals(format)) {
            add("downloaded the manifest of").file(d, " ");
            return;
        }
        add("downloaded " + count(d, "count", "audit event", "audit events") + " as "
                + ("jsonl".equals(format) ? "JSON Lines" : format.toUpperCase(Locale.ROOT)));
        if (d.has("complete") && !d.path("complete").asBoolean(true)) {
            add(" (interrupted before the end)");
        }
    }

    private void purged(JsonNode d) {
        add("removed " + count(d, "count", "audit event", "audit events"));
        if (has(d, "fromSeq") && has(d, "toSeq")) {
            add(" (numbers " + d.path("fromSeq").asLong() + " to " + d.path("toSeq").asLong() + ")");
        }
        if (has(d, "cutoff")) {
            add(" older than ").time(d, "cutoff");
        }
    }

    private void generic(String action, JsonNode d) {
        add("recorded " + (action.isEmpty() ? "an event" : action));
        int n = d.size() - (d.has("fields") ? 1 : 0);
        if (n > 0) {
            add(" with " + n + (n == 1 ? " detail" : " details"));
        }
    }

    // --- parts

    private AuditSentence add(String s) {
        text.append(s);
        return this;
    }

    private AuditSentence line(JsonNode d) {
        return has(d, "line") ? add(" from line " + d.path("line").asLong()) : this;
    }

    private AuditSentence group(JsonNode d) {
        return has(d, "group") ? add(" “" + text(d, "group") + "”") : this;
    }

    private AuditSentence file(JsonNode d, String prefix) {
        return has(d, "fileName") ? add(prefix + text(d, "fileName")) : add(prefix + "the file");
    }

    private AuditSentence batch(JsonNode d, String key, String prefix) {
        String id = text(d, key);
        return id.isEmpty() ? this : add(prefix + (id.length() > 8 ? id.substring(0, 8) : id));
    }

    /** A time from the details: its own part, or the text as it is when it is not a time. */
    private AuditSentence time(JsonNode d, String key) {
        try {
            Instant at = Instant.parse(text(d, key));
            flushText();
            parts.add(new Part(null, at));
            return this;
        } catch (DateTimeParseException e) {
            return add(text(d, key));
        }
    }

    private void flushText() {
        if (!text.isEmpty()) {
            parts.add(new Part(text.toString(), null));
            text.setLength(0);
        }
    }

    private List<Part> finish() {
        flushText();
        if (!parts.isEmpty() && parts.get(0).text() != null) {
            String first = parts.get(0).text();
            parts.set(0, new Part(Character.toUpperCase(first.charAt(0)) + first.substring(1), null));
        }
        return List.copyOf(parts);
    }

    // --- values

    private static boolean has(JsonNode d, String key) {
        return d.hasNonNull(key) && !(d.get(key).isTextual() && d.get(key).asText().isEmpty());
    }

    private static String text(JsonNode d, String key) {
        JsonNode v = d.get(key);
        return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    private static String lower(JsonNode d, String key) {
        return text(d, key).toLowerCase(Locale.ROOT);
    }

    private static String count(JsonNode d, String key, String one, String many) {
        long n = d.path(key).asLong();
        return n + " " + (n == 1 ? one : many);
    }

    private static String mailKind(JsonNode d) {
        return switch (text(d, "kind")) {
            case "INVITE" -> "invitation";
            case "RESET" -> "password reset";
            case "PASSWORD_CHANGED" -> "password-changed notice";
            default -> text(d, "kind").toLowerCase(Locale.ROOT).replace('_', ' ');
        };
    }

    private static String channel(JsonNode d) {
        return switch (text(d, "channel")) {
            case "form" -> " with a password";
            case "basic" -> " with HTTP Basic";
            case "oidc" -> " through single sign-on";
            case "" -> "";
            default -> " (" + text(d, "channel") + ")";
        };
    }

    private static String duration(String iso) {
        try {
            java.time.Duration d = java.time.Duration.parse(iso);
            long days = d.toDays();
            return days > 0 && d.equals(java.time.Duration.ofDays(days)) ? days + (days == 1 ? " day" : " days") : iso;
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private static JsonNode emptyObject() {
        return AuditDetails.JSON.createObjectNode();
    }
}
