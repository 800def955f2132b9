package dev.roster.sync;

import java.util.Map;

/**
 * A source as the API and the form send it. {@code token} and {@code password} are write-only: no
 * answer ever carries them; left out (null) on a change, the stored credential is kept.
 */
public record SourceInput(String name, String kind, String location, String schedule, String timeZone, Boolean onNewFile,
        String format, String profile, String matchBy, String scope, String absent, Boolean autoApply,
        Map<String, Number> limits, Map<String, Number> limitsPercent, Double minRowsFraction, Boolean paused,
        String authType, String username, String token, String password) {
}
