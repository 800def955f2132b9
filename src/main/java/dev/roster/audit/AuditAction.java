package dev.roster.audit;

import java.util.List;

/** Every action the audit trail records: one vocabulary for writers, filters, pages and exports. */
public final class AuditAction {

    public static final String USER_CREATED = "user.created";
    public static final String USER_UPDATED = "user.updated";
    public static final String USER_DELETED = "user.deleted";
    public static final String USER_RESTORED = "user.restored";
    public static final String USER_PURGED = "user.purged";
    public static final String PASSWORD_RESET_ISSUED = "password.reset-issued";
    public static final String PASSWORD_SET = "password.set";
    public static final String INVITE_ISSUED = "invite.issued";
    /** A directory user changed their own password on the public "Change my password" page (decision 0036). */
    public static final String PASSWORD_CHANGED = "password.changed";
    /**
     * The self-service pages turned a request down (unknown account, wrong password, suspended, no e-mail, throttled):
     * aggregated per account, IP and window like failed sign-ins (details: page, account, reason, attempts).
     */
    public static final String PASSWORD_SELF_SERVICE_REFUSED = "password.self-service-refused";
    public static final String MAIL_SENT = "mail.sent";
    public static final String MAIL_FAILED = "mail.failed";
    /** An admin opened a mail on the Sent mail page and was shown its live link (never recorded itself). */
    public static final String MAIL_LINK_VIEWED = "mail.link-viewed";
    public static final String BATCH_UPLOADED = "batch.uploaded";
    public static final String BATCH_PLANNED = "batch.planned";
    public static final String BATCH_REJECTED = "batch.rejected";
    public static final String BATCH_APPROVED = "batch.approved";
    public static final String BATCH_APPLIED = "batch.applied";
    public static final String BATCH_FAILED = "batch.failed";
    public static final String BATCH_REVERTED = "batch.reverted";
    public static final String BATCH_DISCARDED = "batch.discarded";
    public static final String ADMIN_SIGNED_IN = "admin.signed-in";
    public static final String ADMIN_SIGN_IN_FAILED = "admin.sign-in-failed";
    public static final String ADMIN_CHANGED = "admin.changed";
    /** An admin changed their own password (Account page or POST /api/me/password). */
    public static final String ADMIN_PASSWORD_CHANGED = "admin.password-changed";
    public static final String AUDIT_EXPORTED = "audit.exported";
    /** The checkpoint the retention purge appends: what it removed and the hash the chain now starts from. */
    public static final String AUDIT_PURGED = "audit.purged";
    /** A purge asked for by one admin, waiting for a second admin's approval; and one turned down. */
    public static final String AUDIT_PURGE_REQUESTED = "audit.purge-requested";
    public static final String AUDIT_PURGE_REJECTED = "audit.purge-rejected";
    public static final String USERS_EXPORTED = "users.exported";
    public static final String GROUP_CREATED = "group.created";
    /** A group renamed, described or given another external id: details carry the fields before and after. */
    public static final String GROUP_UPDATED = "group.updated";
    public static final String GROUP_DELETED = "group.deleted";
    public static final String GROUP_RESTORED = "group.restored";
    /** Membership events target the user (so the user's history shows them) and name the group in the details. */
    public static final String MEMBERSHIP_ADDED = "membership.added";
    public static final String MEMBERSHIP_REMOVED = "membership.removed";
    /** Sync sources (#16): added, changed (settings, pause, resume), removed; and each finished run. */
    public static final String SYNC_SOURCE_CREATED = "sync.source-created";
    public static final String SYNC_SOURCE_CHANGED = "sync.source-changed";
    public static final String SYNC_SOURCE_DELETED = "sync.source-deleted";
    public static final String SYNC_RUN = "sync.run";
    /** An admin created an API token (details: id, name, scope, expiresAt; never the secret). */
    public static final String TOKEN_CREATED = "token.created";
    /** An admin revoked an API token. */
    public static final String TOKEN_REVOKED = "token.revoked";
    /** A batch waiting for a mapping got one (details: mapping, profile) and goes on to planning. */
    public static final String BATCH_MAPPED = "batch.mapped";
    public static final String MAPPING_PROFILE_SAVED = "mapping-profile.saved";
    public static final String MAPPING_PROFILE_RENAMED = "mapping-profile.renamed";
    public static final String MAPPING_PROFILE_DELETED = "mapping-profile.deleted";
    /** Failed LDAP binds of one DN from one IP in one window (the first at once, the rest as one summary: details.attempts). */
    public static final String LDAP_BIND_FAILED = "ldap.bind-failed";
    /** Failed binds locked a directory user's LDAP binds until details.lockedUntil. */
    public static final String LDAP_ACCOUNT_LOCKED = "ldap.account-locked";
    /** An admin lifted an LDAP bind lockout early. */
    public static final String LDAP_ACCOUNT_UNLOCKED = "ldap.account-unlocked";
    /** An admin created an LDAP service account (details: id, name, right; never the secret). */
    public static final String LDAP_SERVICE_CREATED = "ldap.service-created";
    /** An admin revoked an LDAP service account. */
    public static final String LDAP_SERVICE_REVOKED = "ldap.service-revoked";

    public static final List<String> ALL = List.of(USER_CREATED, USER_UPDATED, USER_DELETED, USER_RESTORED,
            USER_PURGED, PASSWORD_RESET_ISSUED, PASSWORD_SET, INVITE_ISSUED, PASSWORD_CHANGED,
            PASSWORD_SELF_SERVICE_REFUSED, MAIL_SENT, MAIL_FAILED, MAIL_LINK_VIEWED,
            BATCH_UPLOADED, BATCH_PLANNED, BATCH_REJECTED, BATCH_APPROVED, BATCH_APPLIED, BATCH_FAILED, BATCH_REVERTED,
            BATCH_DISCARDED, ADMIN_SIGNED_IN, ADMIN_SIGN_IN_FAILED, ADMIN_CHANGED, ADMIN_PASSWORD_CHANGED, AUDIT_EXPORTED, AUDIT_PURGED,
            AUDIT_PURGE_REQUESTED, AUDIT_PURGE_REJECTED,
            USERS_EXPORTED, GROUP_CREATED, GROUP_UPDATED, GROUP_DELETED, GROUP_RESTORED, MEMBERSHIP_ADDED,
            MEMBERSHIP_REMOVED,
            SYNC_SOURCE_CREATED, SYNC_SOURCE_CHANGED, SYNC_SOURCE_DELETED, SYNC_RUN, TOKEN_CREATED, TOKEN_REVOKED,
            BATCH_MAPPED, MAPPING_PROFILE_SAVED, MAPPING_PROFILE_RENAMED, MAPPING_PROFILE_DELETED,
            LDAP_BIND_FAILED, LDAP_ACCOUNT_LOCKED, LDAP_ACCOUNT_UNLOCKED, LDAP_SERVICE_CREATED, LDAP_SERVICE_REVOKED);

    private AuditAction() {
    }
}
