package dev.roster.plan;

import dev.roster.csv.ColumnNames;
import dev.roster.csv.CsvHeader;
import dev.roster.csv.CsvRefusedException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.roster.csv.ColumnNames.*;

/** Which columns an operation requires and allows; refuses a header that does not fit. */
final class OperationColumns {

    /** Profile fields every create/update may carry (besides the match key and attr.* columns). */
    static final List<String> PROFILE = List.of(EMAIL, EXTERNAL_ID, USERNAME, GIVEN_NAME, FAMILY_NAME, DISPLAY_NAME,
            PHONE, DEPARTMENT, TITLE, LOCALE, MIDDLE_NAME, HONORIFIC_PREFIX, HONORIFIC_SUFFIX, NICK_NAME, PROFILE_URL,
            USER_TYPE, PREFERRED_LANGUAGE, TIMEZONE, EMPLOYEE_NUMBER, COST_CENTER, ORGANIZATION, DIVISION,
            GROUPS, ADD_GROUPS, REMOVE_GROUPS, MANAGER, START_DATE, END_DATE);

    private OperationColumns() {
    }

    static List<String> required(Operation op, MatchKey matchBy) {
        Set<String> required = new LinkedHashSet<>();
        switch (op) {
            case MEMBERSHIP -> {
                return List.of(GROUP, MEMBER);
            }
            case GROUPS -> {
                return List.of(); // a name column ("name" or "group"), checked in check()
            }
            default -> required.add(matchBy.column());
        }
        switch (op) {
            // a user needs an email or a username: the key column, or (external_id) the email column
            case ONBOARD -> required.addAll(matchBy == MatchKey.USERNAME ? List.of(GIVEN_NAME, FAMILY_NAME)
                    : List.of(EMAIL, GIVEN_NAME, FAMILY_NAME));
            case MIXED -> required.add(ACTION);
            default -> {
            }
        }
        return List.copyOf(required);
    }

    /** Allowed canonical columns, attr.* excluded (see {@link #allowsAttributes}). */
    static List<String> allowed(Operation op, MatchKey matchBy) {
        List<String> allowed = new ArrayList<>();
        switch (op) {
            case ONBOARD -> {
                allowed.addAll(PROFILE);
                allowed.addAll(List.of(STATUS, SEND_INVITE, PASSWORD_HASH));
            }
            case UPDATE, SCHEDULED -> {
                allowed.addAll(PROFILE);
                allowed.add(STATUS);
                if (matchBy == MatchKey.EMAIL) {
                    allowed.add(NEW_EMAIL);
                }
            }
            case DELETE, RESET -> allowed.addAll(List.of(EMAIL, EXTERNAL_ID, USERNAME, REASON));
            case SYNC -> {
                allowed.addAll(PROFILE);
                allowed.addAll(List.of(STATUS, SEND_INVITE));
            }
            case MIXED -> {
                allowed.add(ACTION);
                allowed.addAll(PROFILE);
                allowed.add(STATUS);
                allowed.addAll(List.of(SEND_INVITE, PASSWORD_HASH));
                if (matchBy == MatchKey.EMAIL) {
                    allowed.add(NEW_EMAIL);
                }
                allowed.add(REASON);
                // a SCIM write's one-row plan (SingleRowPlan) is a mixed row; no file header names these
                allowed.addAll(SCIM_ONLY);
            }
            case MEMBERSHIP -> allowed.addAll(List.of(GROUP, MEMBER, ACTION));
            case GROUPS -> allowed.addAll(List.of(DISPLAY_NAME, GROUP, DESCRIPTION, EXTERNAL_ID, NEW_NAME, ACTION));
        }
        return List.copyOf(allowed);
    }

    static boolean allowsAttributes(Operation op) {
        return op == Operation.ONBOARD || op == Operation.UPDATE || op == Operation.MIXED || op == Operation.SYNC
                || op == Operation.SCHEDULED;
    }

    static void check(CsvHeader header, Operation op, MatchKey matchBy, String fileName, long headerLine) {
        List<String> allowed = allowed(op, matchBy);
        for (int i = 0; i < header.size(); i++) {
            String canonical = header.canonicalNames().get(i);
            String written = header.originalNames().get(i);
            boolean ok = ColumnNames.isAttribute(canonical) ? allowsAttributes(op) : allowed.contains(canonical);
            if (ok || header.ignored(i) || header.lenient(i)) {
                continue;
            }
            if (canonical.equals(NEW_EMAIL) && matchBy != MatchKey.EMAIL) {
                throw new CsvRefusedException(fileName, headerLine, written, "new_email is only used when users are "
                        + "matched by email. When matching by " + matchBy.column() + ", put the new address in the email column.");
            }
            String what = ColumnNames.isAttribute(canonical) ? "custom attributes are" : "column \"" + canonical + "\" is";
            throw new CsvRefusedException(fileName, headerLine, written, what + " not used by the " + op.urlName()
                    + " operation. Remove the column; " + op.urlName() + " files take: " + describe(op, matchBy) + ".");
        }
        if (op == Operation.GROUPS && header.has(GROUP) == header.has(DISPLAY_NAME)) {
            throw new CsvRefusedException(fileName, headerLine, null, "a groups file needs one column with the group's "
                    + "name: \"name\" (or \"group\"), not both. Add it to the header line.");
        }
        for (String column : required(op, matchBy)) {
            if (!header.has(column)) {
                throw new CsvRefusedException(fileName, headerLine, column, "missing required column \"" + column
                        + "\": the " + op.urlName() + " operation needs " + String.join(", ", required(op, matchBy))
                        + ". Add the column to the header line.");
            }
        }
    }

    /** Whether the operation reads column i (an ignored column, or a template column it has no use for, it does not). */
    static boolean uses(CsvHeader header, int i, Operation op, MatchKey matchBy) {
        if (header.ignored(i)) {
            return false;
        }
        String canonical = header.canonicalNames().get(i);
        return ColumnNames.isAttribute(canonical) ? allowsAttributes(op) : allowed(op, matchBy).contains(canonical);
    }

    static String describe(Operation op, MatchKey matchBy) {
        String columns = String.join(", ", allowed(op, matchBy).stream().filter(c -> !SCIM_ONLY.contains(c)).toList());
        return allowsAttributes(op) ? columns + ", attr.<name>" : columns;
    }
}
