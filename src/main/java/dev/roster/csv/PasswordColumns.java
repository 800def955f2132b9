package dev.roster.csv;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one rule for columns that hold passwords (issue #23, docs/security.md): a column whose name says password, in
 * any spelling (Password, Initial Pass, New PW, pwd, Kennwort, attr.tempPass, look-alike letters ...), or that a
 * mapping sends to an attr. target whose name says so ("Init" to attr.initialPwd), is read only when it goes to
 * {@code ignore}, and then its cells must be empty, or to {@code password_hash}, whose cells must be hashes that pass
 * the hash rules. Any other target would store plaintext passwords on every user. A vendor template's own rule for
 * such a column is kept, whoever chose the mapping.
 */
public final class PasswordColumns {

    /** Long stems that make a word a password word wherever they stand in it ("initialpassword", "userpassword"). */
    private static final List<String> STEMS = List.of("password", "passwort", "kennwort", "motdepasse", "contrasena",
            "wachtwoord", "passcode", "passphrase", "losenord", "salasana", "adgangskode", clean("пароль"), "密码", "密碼",
            "パスワード", "비밀번호");
    /**
     * Short words that are password words only as a whole word or glued after a modifier ("tempPass", "initialpw",
     * "userpasswd"): inside other words they are too often something else (parole, compass, spinner).
     */
    private static final List<String> SHORT = List.of("pass", "passe", "pw", "pwd", "pwrd", "pswd", "passwd", "pin",
            "secret", "mdp", "senha", "haslo", "hasło", "parola", "heslo", "jelszo", "geslo", "sifre", "lozinka", "passord");
    /** Words that may stand glued before a short word: "temppass", "newpw", "initialpin". */
    private static final List<String> MODIFIERS = List.of("", "initial", "init", "temp", "tmp", "temporary", "default", "new",
            "old", "user", "account", "admin", "login", "onetime", "first", "start", "current", "plain", "plaintext", "clear",
            "cleartext", "my", "set", "reset");
    /**
     * Whole names about passwords that hold none (a hash function's name, a yes/no, a date), written with "pw" for the
     * password word: only the exact phrases, so "Temp password - expires" or "Password (expires)" stays a password column
     * unless it reads as one of these from its first word to its last.
     */
    private static final Pattern ABOUT_PASSWORDS = Pattern.compile("(?:user |account )?pw (?:hash (?:function|algorithm|type"
            + "|format)|never expires|expires(?: on| at| date)?|expiry(?: date)?|expiration(?: date)?|last (?:changed|set)"
            + "(?: date| on| at)?|(?:changed|set|age)(?: date| on| at)?|(?:change|reset) (?:required|needed)|must change)"
            + "|(?:must|force|require|required) (?:change|reset) pw(?: at next (?:sign in|signin|login|log in|logon|log on))?"
            + "|(?:change|reset) pw at next (?:sign in|signin|login|log in|logon|log on)"
            + "|(?:force|forced|require|required) pw (?:change|reset)(?: at next (?:sign in|signin|login|log in|logon|log on))?");

    private static final Pattern NOTE = Pattern.compile("\\[[^\\]]*\\]|\\([^)]*\\)");

    private PasswordColumns() {
    }

    /**
     * Whether the column's name (or an attr. target) says it holds passwords. The name is first NFKC-normalised (full-width
     * letters become ASCII), format characters (zero-width spaces, soft hyphens) and accents are dropped, and common
     * Cyrillic and Greek look-alikes become the Latin letters they imitate; it is then split into words at separators,
     * brackets and camelCase. A word is a password word when it contains a stem (password, passwd, kennwort, mot de passe
     * ...), or is a short word (pass, pw, pwd, pin, secret ...) on its own or glued after a modifier (temp, initial,
     * default, new ...). Names that read as a whole as "about passwords" ({@link #ABOUT_PASSWORDS}) hold none.
     */
    public static boolean passwordLike(String written) {
        String name = clean(written).strip();
        if (name.regionMatches(true, 0, ColumnNames.ATTRIBUTE_PREFIX, 0, ColumnNames.ATTRIBUTE_PREFIX.length())) {
            name = name.substring(ColumnNames.ATTRIBUTE_PREFIX.length());
        }
        // Bracketed notes ("[UPLOAD ONLY]", "(temp)") never make a name about passwords, but a password word in one counts.
        java.util.regex.Matcher note = NOTE.matcher(name);
        while (note.find()) {
            if (words(note.group()).stream().anyMatch(PasswordColumns::passwordWord)) {
                return true;
            }
        }
        List<String> words = words(NOTE.matcher(name).replaceAll(" "));
        String joined = String.join("", words);
        List<String> marked = new ArrayList<>(words.size());
        boolean password = false;
        for (String word : words) {
            boolean pw = passwordWord(word);
            password |= pw;
            marked.add(pw ? "pw" : word);
        }
        if (!password) {
            return STEMS.stream().anyMatch(joined::contains); // "pass word", "kenn wort"
        }
        String phrase = String.join(" ", marked).replace("pw pw", "pw");
        return !ABOUT_PASSWORDS.matcher(phrase).matches();
    }

    private static boolean passwordWord(String word) {
        if (STEMS.stream().anyMatch(word::contains)) {
            return true;
        }
        String bare = word.replaceAll("[0-9]+$", "");
        for (String modifier : MODIFIERS) {
            for (String s : SHORT) {
                if (bare.equals(modifier + s)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The name's words, lower case, after the Unicode clean-up of {@link #passwordLike}. */
    static List<String> words(String written) {
        String text = clean(written);
        // camelCase and digit boundaries become separators: "initialPwd" -> "initial Pwd", "PWDExpiry" -> "PWD Expiry"
        text = text.replaceAll("(?<=\\p{Ll})(?=\\p{Lu})|(?<=\\p{Lu})(?=\\p{Lu}\\p{Ll})", " ");
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** NFKC, without format characters and accents, look-alike letters as Latin ones. */
    private static String clean(String written) {
        String text = Normalizer.normalize(written, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(c -> Character.getType(c) != Character.FORMAT).forEach(c -> out.appendCodePoint(latin(c)));
        return Normalizer.normalize(out, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    }

    /** Cyrillic and Greek letters that look like Latin ones, as those Latin letters ("Раsswоrd" with Cyrillic Р and о). */
    private static int latin(int c) {
        for (int i = 0; i + 1 < LOOK_ALIKES.length(); i += 2) {
            if (LOOK_ALIKES.charAt(i) == c) {
                return LOOK_ALIKES.charAt(i + 1);
            }
        }
        return c;
    }

    /** Pairs of look-alike and Latin letter. */
    private static final String LOOK_ALIKES = "аaеeоoрpсcуyхxѕsіiјjԁdԝwһhӏlԛqАAВBЕEЅSІIЈJКKМMНHОOРPСCТTХXУYԜW"
            + "αaοoρpνvτtιiκkΑAΒBΕEΖZΗHΙIΚKΜMΝNΟOΡPΤTΥYΧXϲc";

    /**
     * The columns with the password rule on every password column: ignored ones must be empty; those going to
     * password_hash keep the hash rules; a vendor template's rule stays.
     *
     * @throws PasswordColumnRefused naming the first column that would store plaintext passwords
     */
    public static List<MappedColumn> enforce(List<MappedColumn> columns, String fileName, long line) {
        List<MappedColumn> out = new ArrayList<>(columns.size());
        for (MappedColumn c : columns) {
            boolean byTarget = ColumnNames.isAttribute(c.target()) && passwordLike(c.target());
            if (c.rule() != CellRule.PLAIN || !(passwordLike(c.written()) || byTarget)
                    || ColumnNames.PASSWORD_HASH.equals(c.target())) {
                out.add(c);
            } else if (c.ignored()) {
                out.add(new MappedColumn(c.index(), c.written(), c.target(), c.reason(), CellRule.MUST_BE_EMPTY));
            } else {
                throw new PasswordColumnRefused(fileName, line, c.written(), "this column holds passwords (by its "
                        + (byTarget ? "target's name" : "name") + ") and is mapped to \"" + c.target() + "\", which would store them in clear on every user, readable "
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
