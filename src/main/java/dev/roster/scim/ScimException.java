package dev.roster.scim;

/** A SCIM error (RFC 7644 §3.12): an HTTP status, a scimType for 400/409/413, and a detail for people. */
public class ScimException extends RuntimeException {

    private final int status;
    private final String scimType;

    public ScimException(int status, String scimType, String detail) {
        super(detail);
        this.status = status;
        this.scimType = scimType;
    }

    public int status() {
        return status;
    }

    public String scimType() {
        return scimType;
    }

    public static ScimException invalidValue(String detail) {
        return new ScimException(400, "invalidValue", detail);
    }

    public static ScimException invalidFilter(String detail) {
        return new ScimException(400, "invalidFilter", detail);
    }

    public static ScimException invalidPath(String detail) {
        return new ScimException(400, "invalidPath", detail);
    }

    public static ScimException invalidSyntax(String detail) {
        return new ScimException(400, "invalidSyntax", detail);
    }

    public static ScimException noTarget(String detail) {
        return new ScimException(400, "noTarget", detail);
    }

    public static ScimException mutability(String detail) {
        return new ScimException(400, "mutability", detail);
    }

    public static ScimException uniqueness(String detail) {
        return new ScimException(409, "uniqueness", detail);
    }

    public static ScimException notFound(String detail) {
        return new ScimException(404, null, detail);
    }

    /**
     * No hashing slot came free in time (HashingSlots, shared with sign-in): nothing was written; the client retries.
     */
    public static ScimException busyHashing() {
        return new ScimException(503, null, "Roster is busy hashing passwords (all roster.sign-in.max-concurrent-hashes "
                + "slots are in use); nothing was written. Retry in a few seconds.");
    }
}
