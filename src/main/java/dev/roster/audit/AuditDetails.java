package dev.roster.audit;

import java.lang.reflect.Array;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Turns a draft's details into the canonical JSON that is stored and hashed (keys sorted, no
 * whitespace), after removing anything secret: keys that look like a password, hash, token, secret
 * or credential, and the before/after values of field changes whose name looks like one.
 */
public final class AuditDetails {

    /** Roster's own mapper, independent of the application's: the stored text must never change shape. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    private static final Pattern SECRET = Pattern.compile("password|passwd|passphrase|hash|token|secret|credential|apikey|privatekey");
    public static final String REDACTED = "redacted";

    private AuditDetails() {
    }

    /** Names already judged: a handful of distinct keys recur in every event of an apply (bounded, never evicted). */
    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> SECRET_NAMES =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SECRET_NAMES_MAX = 10_000;

    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        Boolean known = SECRET_NAMES.get(name);
        if (known != null) {
            return known;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        StringBuilder letters = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char ch = lower.charAt(i);
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
                letters.append(ch);
            }
        }
        boolean secret = SECRET.matcher(letters).find();
        if (SECRET_NAMES.size() < SECRET_NAMES_MAX) {
            SECRET_NAMES.put(name, secret);
        }
        return secret;
    }

    /** The canonical JSON text of the details, secrets stripped. */
    public static String canonical(Map<String, ?> details) {
        return write(details == null ? Map.of() : strip(details));
    }

    /** The canonical JSON text of details Roster writes itself (the purge checkpoint names hashes on purpose). */
    static String canonicalTrusted(Map<String, ?> details) {
        return write(new TreeMap<>(details));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not JSON-able: " + e.getMessage(), e);
        }
    }

    /** A copy of the value with secret-looking keys removed, at any depth. */
    static Object strip(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Character || value instanceof Enum<?> || value instanceof UUID
                || value instanceof TemporalAccessor) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> clean = new TreeMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!isSecretName(key)) {
                    clean.put(key, strip(e.getValue()));
                }
            }
            Object fieldName = clean.containsKey("name") ? clean.get("name") : clean.get("field");
            if (fieldName instanceof String name && isSecretName(name)
                    && (clean.containsKey("before") || clean.containsKey("after"))) {
                clean.remove("before");
                clean.remove("after");
                clean.put(REDACTED, true);
            }
            return clean;
        }
        if (value instanceof Collection<?> many) {
            List<Object> clean = new ArrayList<>(many.size());
            many.forEach(v -> clean.add(strip(v)));
            return clean;
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> clean = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                clean.add(strip(Array.get(value, i)));
            }
            return clean;
        }
        // A record or bean: look at it as JSON would, then strip that.
        return strip(JSON.convertValue(value, Object.class));
    }
}
