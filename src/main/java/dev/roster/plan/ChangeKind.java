package dev.roster.plan;

/** What applying one row will do. */
public enum ChangeKind { CREATE, UPDATE, DELETE, RESET, UNCHANGED, ERROR }
