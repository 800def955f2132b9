package dev.roster.plan;

/** What applying one row will do. */
public enum ChangeKind {
    CREATE, UPDATE, DELETE, RESET, UNCHANGED, ERROR,
    /** A group created (by a groups file, or because the upload asks to create missing groups). */
    GROUP_CREATE,
    /** A group renamed, described, given another external id, or restored (by a revert). */
    GROUP_UPDATE,
    /** A group soft-deleted; its memberships stay with it. */
    GROUP_DELETE,
    /** One membership added by a membership file. */
    MEMBER_ADD,
    /** One membership removed by a membership file. */
    MEMBER_REMOVE;

    /** A change to a group or to one membership, rather than to a user's profile. */
    public boolean groupRow() {
        return ordinal() >= GROUP_CREATE.ordinal();
    }
}
