package dev.roster.plan;

/** Life-cycle status of a directory user. */
public enum UserStatus {
    INVITED, ACTIVE, SUSPENDED, DELETED
}
