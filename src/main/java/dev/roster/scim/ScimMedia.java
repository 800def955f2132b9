package dev.roster.scim;

/** SCIM's media type (RFC 7644 §3.1); plain application/json is accepted too. */
public final class ScimMedia {

    public static final String SCIM_JSON = "application/scim+json";
    public static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    /** Roster's custom attributes (directory_user.attributes) as an extension. */
    public static final String ROSTER_SCHEMA = "urn:ietf:params:scim:schemas:extension:roster:2.0:User";
    /**
     * A user's start and end dates (#26, decision 0039), apart from the custom attributes: those are free names, and
     * a custom attribute called startDate must stay one.
     */
    public static final String LIFECYCLE_SCHEMA = "urn:roster:params:scim:schemas:extension:lifecycle:2.0:User";
    public static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public static final String BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    public static final String BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

    private ScimMedia() {
    }
}
