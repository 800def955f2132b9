package dev.roster.plan;

/** How much a plan message matters: an ERROR stops the row, a WARNING or NOTE does not. */
public enum Severity { ERROR, WARNING, NOTE }
