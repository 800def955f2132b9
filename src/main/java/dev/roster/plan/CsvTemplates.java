package dev.roster.plan;

/**
 * Ready-to-fill CSV files per operation: a header line and one example row, as served by GET /api/templates/{operation}.
 * The example rows plan without errors on an empty directory, so the group and manager cells are left empty
 * (a group or manager they named would not exist yet); docs/csv-format.md shows them filled in.
 */
public final class CsvTemplates {

    private CsvTemplates() {
    }

    /** Template for matching by email, the default. */
    public static String template(Operation op) {
        return switch (op) {
            case ONBOARD -> "email,given_name,family_name,middle_name,honorific_prefix,honorific_suffix,display_name,nick_name,"
                    + "external_id,employee_number,phone,department,title,user_type,cost_center,organization,division,locale,"
                    + "preferred_language,timezone,profile_url,send_invite,attr.floor,groups,manager\r\n"
                    + "jane.doe@example.org,Jane,Doe,Marie,Dr.,PhD,Jane Doe,Jenny,E-1001,1001,+49 30 1234567,Sales,"
                    + "Account Manager,Employee,CC-42,Example GmbH,EMEA,de-DE,de,Europe/Berlin,"
                    + "https://intranet.example.org/people/jane.doe,true,3,,\r\n";
            case UPDATE, SCHEDULED -> "email,new_email,given_name,family_name,phone,department,title,cost_center,timezone,add_groups,remove_groups,manager\r\n"
                    + "jane.doe@example.org,jane.smith@example.org,,Smith,,Marketing,#clear,CC-7,Europe/Paris,,,\r\n";
            case DELETE -> "email,reason\r\n"
                    + "jane.doe@example.org,left the company\r\n";
            case RESET -> "email,reason\r\n"
                    + "jane.doe@example.org,forgot password\r\n";
            case MIXED -> "action,email,given_name,family_name,department,reason\r\n"
                    + "upsert,jane.doe@example.org,Jane,Doe,Sales,\r\n";
            case MEMBERSHIP -> "group,member,action\r\n"
                    + "Sales,jane.doe@example.org,add\r\n";
            case GROUPS -> "name,description,external_id,new_name,action\r\n"
                    + "Sales,Everyone selling,G-100,,\r\n";
            case SYNC -> "email,external_id,given_name,family_name,department,title,employee_number,cost_center,attr.source\r\n"
                    + "jane.doe@example.org,E-1001,Jane,Doe,Sales,Account Manager,1001,CC-42,workday\r\n";
        };
    }

    /** Suggested download name, e.g. "roster-onboard.csv". */
    public static String fileName(Operation op) {
        return "roster-" + op.urlName() + ".csv";
    }
}
