package dev.roster.csv;

/** How a vendor template's cell is read before the planner sees it (most cells are taken as written). */
public enum CellRule {
    /** Taken as written. */
    PLAIN,
    /** A plaintext password column: accepted only while every cell is empty; a filled cell refuses the file. */
    MUST_BE_EMPTY,
    /** Entra's "Block sign in (Yes/No)": Yes is SUSPENDED, No is ACTIVE. */
    BLOCK_SIGN_IN,
    /** Google's Password: "****" keeps the password; a bcrypt hash (named by Password Hash Function) is password_hash. */
    GOOGLE_PASSWORD,
    /** Google's Password Hash Function: read together with Password, not a field of its own. */
    GOOGLE_HASH_FUNCTION
}
