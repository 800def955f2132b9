package dev.roster.csv;

/**
 * One source column and what it became.
 *
 * @param index   0-based position in the file's header
 * @param written the name as written in the file
 * @param target  a canonical column ("email"), a custom attribute ("attr.costCenter") or {@link ColumnNames#IGNORE}
 * @param reason  why: "Roster column", "alias", "Google Workspace bulk upload template", "mapping profile ..."
 * @param rule    how its cells are read
 */
public record MappedColumn(int index, String written, String target, String reason, CellRule rule) {

    public boolean ignored() {
        return ColumnNames.IGNORE.equals(target);
    }
}
