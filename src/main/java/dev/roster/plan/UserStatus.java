package dev.roster.plan;

/** Life-cycle state of a directory user. */
public enum UserStatus { INVITED, ACTIVE, SUSPENDED, DELETED }
