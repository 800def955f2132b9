package dev.roster.plan;

import java.util.List;
import java.util.Map;

/**
 * One row read and checked, before the directory is consulted.
 *
 * @param action   null when the action cell of a mixed file is invalid
 * @param key      normalised match key, null when blank or invalid
 * @param values   canonical column -> normalised value, for non-blank valid cells; {@link RowReader#CLEAR} clears
 * @param newEmail normalised new_email, or null
 * @param messages errors and warnings found so far
 */
record RowInput(long line, RowAction action, String key, Map<String, String> values, String newEmail,
                List<PlanMessage> messages, boolean sendInvite, String passwordHash, List<String> originalCells) {
}
