package dev.roster.group;

/**
 * The rules for a group's name (the same as V12's CHECK): no leading or trailing spaces, no control
 * characters, 1 to 255 characters. Names are unique whatever their case among live groups.
 */
public final class GroupNames {

    public static final int MAX_LENGTH = 255;

    private GroupNames() {
    }

    /** What is wrong with a name and how to fix it, or null when it is fine. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "A group needs a name.";
        }
        if (!name.equals(name.strip())) {
            return "The group name \"" + name + "\" starts or ends with spaces: remove them.";
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            return "The group name contains a control character (a tab, line break or similar): remove it.";
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            return "The group name is " + name.codePointCount(0, name.length()) + " characters long; at most "
                    + MAX_LENGTH + " are allowed.";
        }
        return null;
    }
}
