package dev.roster.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for columns that hold passwords (issue #23, docs/security.md): a column whose name says password, in
 * any spelling (Password, Initial Password, pwd, passwd, Kennwort, attr.initialPwd ...), is read only when it goes to
 * {@code ignore}, and then its cells must be empty, or to {@code password_hash}, whose cells must be hashes that pass
 * the hash rules. Any other target would store plaintext passwords on every user. A vendor template's own rule for
 * such a column is kept, whoever chose the mapping.
 */
public final class PasswordColumns {

    /** Stems that make a name a password column (after {@link ColumnNames#normalise}). */
    private static final List<String> STEMS = List.of("password", "passwd", "passwort", "pwd", "kennwort", "motdepasse",
            "contrasena", "contraseña", "wachtwoord", "passcode", "passphrase", "losenord", "lösenord", "senha", "salasana",
            "haslo", "hasło", "parola");
    /** Whole names that are password columns. */
    private static final List<String> NAMES = List.of("pass", "pw", "initialpw", "temppw", "pin", "secret");
    /** Password-related columns that hold no password: a hash function's name, a yes/no, a date. */
    private static final List<String> ABOUT_PASSWORDS = List.of("hashfunction", "hashalgorithm", "nextsignin", "nextlogin",
            "nextlogon", "neverexpires", "expires", "expiry", "expiration", "lastset", "lastchanged");

    private PasswordColumns() {
    }

    /** Whether the column's name says it holds passwords (an attr. prefix and bracketed notes aside). */
    public static boolean passwordLike(String written) {
        String name = written.strip().replaceAll("\\[[^\\]]*\\]|\\([^)]*\\)", " ");
        if (name.regionMatches(true, 0, ColumnNames.ATTRIBUTE_PREFIX, 0, ColumnNames.ATTRIBUTE_PREFIX.length())) {
            name = name.substring(ColumnNames.ATTRIBUTE_PREFIX.length());
        }
        String n = ColumnNames.normalise(name).replace(".", "").replace(":", "");
        if (ABOUT_PASSWORDS.stream().anyMatch(n::contains)) {
            return false;
        }
        return NAMES.contains(n) || STEMS.stream().anyMatch(n::contains);
    }

    /**
     * The columns with the password rule on every password column: ignored ones must be empty; those going to
     * password_hash keep the hash rules; a vendor template's rule stays.
     *
     * @throws PasswordColumnRefused naming the first column that would store plaintext passwords
     */
    public static List<MappedColumn> enforce(List<MappedColumn> columns, String fileName, long line) {
        List<MappedColumn> out = new ArrayList<>(columns.size());
        for (MappedColumn c : columns) {
            if (c.rule() != CellRule.PLAIN || !passwordLike(c.written()) || ColumnNames.PASSWORD_HASH.equals(c.target())) {
                out.add(c);
            } else if (c.ignored()) {
                out.add(new MappedColumn(c.index(), c.written(), c.target(), c.reason(), CellRule.MUST_BE_EMPTY));
            } else {
                throw new PasswordColumnRefused(fileName, line, c.written(), "this column holds passwords (by its name) "
                        + "and is mapped to \"" + c.target() + "\", which would store them in clear on every user, readable "
                        + "by viewers, read tokens and exports. Map it to \"ignore\" (its cells must then be empty: new "
                        + "users get an email with a link to set their own password), or, for bcrypt or Argon2id hashes, to "
                        + "\"password_hash\"; or remove the column from the file.");
            }
        }
        return out;
    }

    /** A password column Roster will not read: 422 with a mapping, a refused file otherwise. */
    public static final class PasswordColumnRefused extends CsvRefusedException {
        public PasswordColumnRefused(String fileName, Long line, String column, String problem) {
            super(fileName, line, column, problem);
        }
    }
}
