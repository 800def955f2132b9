package dev.roster.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.csv.ColumnMapping;
import dev.roster.csv.CsvFileReader;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import dev.roster.csv.HeaderRecognition;
import dev.roster.csv.MappedColumn;
import dev.roster.csv.UnplacedColumnsException;

/** The vendor fixtures (src/test/resources/vendor, written from the vendors' public documentation) read and planned. */
class VendorFilesTest {

    private final FakeDirectory directory = new FakeDirectory();

    static byte[] fixture(String name) {
        try (InputStream in = VendorFilesTest.class.getResourceAsStream("/vendor/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ColumnMapping mapping(byte[] bytes, HeaderRecognition.Choice choice) {
        try (CsvFileReader reader = CsvFileReader.open(new ByteArrayInputStream(bytes), "f.csv", CsvLimits.defaults(), choice)) {
            return reader.mapping();
        }
    }

    static Map<String, String> targets(ColumnMapping mapping) {
        Map<String, String> out = new LinkedHashMap<>();
        for (MappedColumn column : mapping.columns()) {
            out.put(column.written(), column.target());
        }
        return out;
    }

    List<PlannedChange> plan(Operation op, byte[] bytes) {
        List<PlannedChange> changes = new ArrayList<>();
        new Planner(op, MatchKey.EMAIL, directory).plan(() -> new ByteArrayInputStream(bytes), "f.csv", CsvLimits.defaults(),
                changes::add);
        return changes;
    }

    static Map<String, String> fields(PlannedChange change) {
        Map<String, String> out = new LinkedHashMap<>();
        change.fields().forEach(f -> out.put(f.name(), f.after()));
        return out;
    }

    @Test
    void entraCreateIsReadByItsBracketedPropertiesAndPlansCreates() {
        byte[] bytes = fixture("entra-create.csv");
        ColumnMapping mapping = mapping(bytes, null);
        assertEquals("Microsoft Entra ID bulk create", mapping.formatLabel());
        Map<String, String> targets = targets(mapping);
        assertEquals("email", targets.get("User name [userPrincipalName] Required"));
        assertEquals("status", targets.get("Block sign in (Yes/No) [accountEnabled] Required"));
        assertEquals("ignore", targets.get("Initial password [passwordProfile] Required"));
        assertEquals("attr.usageLocation", targets.get("Usage location [usageLocation]"));
        List<PlannedChange> changes = plan(Operation.ONBOARD, bytes);
        assertEquals(2, changes.size());
        PlannedChange ada = changes.get(0);
        assertEquals(ChangeKind.CREATE, ada.kind(), ada.messages().toString());
        Map<String, String> fields = fields(ada);
        assertEquals("ada.entra@vendor.example", fields.get("email"));
        assertEquals("Ada Entra", fields.get("display_name"));
        assertEquals("+49301234567", fields.get("phone"));
        assertEquals("DE", fields.get("attr.usageLocation"));
        assertEquals("+49 170 1234567", fields.get("attr.mobile"));
        assertEquals(3, ada.line(), "the version line and the header are lines 1 and 2");
    }

    @Test
    void entraKeepsItsOldReadingsAndOnlyFormerAttributesMoveToTheNewColumns() {
        byte[] bytes = ("version:v1.0\nName [displayName] Required,User name [userPrincipalName] Required,"
                + "First name [givenName],Last name [surname],Employee ID [employeeId],Company name [companyName],"
                + "Employee type [employeeType],Preferred language [preferredLanguage]\n"
                + "Ada Entra,ada.entra@vendor.example,Ada,Entra,701984,Contoso,Contractor,de-CH\n").getBytes(StandardCharsets.UTF_8);
        Map<String, String> targets = targets(mapping(bytes, null));
        // read as before issue #24 ("extend, never rename", decisions/0032)
        assertEquals("external_id", targets.get("Employee ID [employeeId]"));
        assertEquals("locale", targets.get("Preferred language [preferredLanguage]"));
        // formerly attr.companyName and attr.employeeType
        assertEquals("organization", targets.get("Company name [companyName]"));
        assertEquals("user_type", targets.get("Employee type [employeeType]"));
        PlannedChange ada = plan(Operation.ONBOARD, bytes).get(0);
        assertEquals(ChangeKind.CREATE, ada.kind(), ada.messages().toString());
        assertEquals("701984", fields(ada).get("external_id"));
        assertEquals("de-CH", fields(ada).get("locale"));
        assertEquals(null, fields(ada).get("employee_number"));
        assertEquals(null, fields(ada).get("preferred_language"));
    }

    @Test
    void entraEmployeeIdAndOktaEmployeeNumberStillMatchExistingUsersByExternalId() {
        UserSnapshot ada = directory.add("ada@vendor.example", "701984", UserStatus.ACTIVE);
        UserSnapshot okko = directory.add("okko@vendor.example", "O-1", UserStatus.ACTIVE);
        String entra = "version:v1.0\nUser name [userPrincipalName] Required,Employee ID [employeeId],Department [department]\n"
                + "ada@vendor.example,701984,Finance\nnew.entra@vendor.example,701985,Finance\n";
        String okta = "login,firstName,lastName,email,employeeNumber,department\n"
                + "okko,Okko,Okta,okko@vendor.example,O-1,Platform\npia,Pia,Okta,pia@vendor.example,O-404,Design\n";
        String alias = "Employee Number,department\n701984,Legal\n";
        for (String[] file : new String[][] {{entra, "Microsoft Entra ID bulk create"}, {okta, "Okta user import"},
                {alias, "Roster CSV"}}) {
            byte[] bytes = file[0].getBytes(StandardCharsets.UTF_8);
            assertEquals(file[1], mapping(bytes, null).formatLabel());
            List<PlannedChange> changes = new ArrayList<>();
            new Planner(Operation.UPDATE, MatchKey.EXTERNAL_ID, directory).plan(() -> new ByteArrayInputStream(bytes), "f.csv",
                    CsvLimits.defaults(), changes::add);
            PlannedChange first = changes.get(0);
            assertEquals(ChangeKind.UPDATE, first.kind(), file[1] + ": " + first.messages());
            assertEquals(file[0] == okta ? okko.id() : ada.id(), first.userId(), file[1]);
            assertTrue(first.fields().stream().anyMatch(f -> f.name().equals("department") && f.before() == null),
                    first.fields().toString());
            assertTrue(first.fields().stream().noneMatch(f -> f.name().equals("external_id") || f.name().equals("employee_number")),
                    "the key is not changed: " + first.fields());
            if (changes.size() > 1) {
                assertEquals(ChangeKind.ERROR, changes.get(1).kind(), file[1] + ": an unknown external id names no user");
                assertTrue(changes.get(1).messages(Severity.ERROR).toString().contains("no user with external_id"),
                        changes.get(1).messages().toString());
            }
        }
    }

    @Test
    void localisedEntraLabelsAreReadByTheProperty() {
        String csv = "version:v1.0\nNom [displayName] Obligatoire,Nom d'utilisateur [userPrincipalName] Obligatoire,"
                + "Prénom [givenName],Nom de famille [surname]\nZoé,zoe@vendor.example,Zoé,Martin\n";
        ColumnMapping mapping = mapping(csv.getBytes(StandardCharsets.UTF_8), null);
        assertEquals("entra-create", mapping.format());
        assertEquals(ChangeKind.CREATE, plan(Operation.ONBOARD, csv.getBytes(StandardCharsets.UTF_8)).get(0).kind());
    }

    @Test
    void excelSavedEntraInWindows1252WithPaddedVersionLinePlans() {
        List<PlannedChange> changes = plan(Operation.ONBOARD, fixture("entra-create-excel-1252.csv"));
        assertEquals(1, changes.size());
        assertEquals(ChangeKind.CREATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals("Cléo", fields(changes.get(0)).get("given_name"));
        assertEquals("Réseau", fields(changes.get(0)).get("department"));
    }

    @Test
    void blockedSignInCreatesASuspendedUserWithoutAnInvitationNow() {
        String csv = "version:v1.0\nUser name [userPrincipalName] Required,Block sign in (Yes/No) [accountEnabled] Required,"
                + "First name [givenName],Last name [surname]\nx@vendor.example,Yes,X,Y\nz@vendor.example,No,Z,Y\n";
        List<PlannedChange> changes = plan(Operation.ONBOARD, csv.getBytes(StandardCharsets.UTF_8));
        PlannedChange blocked = changes.get(0);
        assertEquals(ChangeKind.CREATE, blocked.kind(), blocked.messages().toString());
        assertEquals("SUSPENDED", fields(blocked).get("status"));
        assertTrue(blocked.messages().toString().contains("it is sent when the user is activated"), blocked.messages().toString());
        assertEquals(ChangeKind.CREATE, changes.get(1).kind(), changes.get(1).messages().toString());
        assertTrue(!fields(changes.get(1)).containsKey("status"), "an open account is created as usual");
    }

    @Test
    void entraBlockSignInSuspendsOnUpdate() {
        directory.add("x@vendor.example", null, UserStatus.ACTIVE);
        String csv = "version:v1.0\nUser name [userPrincipalName] Required,Block sign in (Yes/No) [accountEnabled] Required\n"
                + "x@vendor.example,Yes\n";
        PlannedChange change = plan(Operation.UPDATE, csv.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(ChangeKind.UPDATE, change.kind(), change.messages().toString());
        assertEquals("SUSPENDED", fields(change).get("status"));
    }

    @Test
    void anEntraInitialPasswordRefusesTheFileNamingTheColumn() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class,
                () -> plan(Operation.ONBOARD, fixture("entra-create-password.csv")));
        assertEquals("Initial password [passwordProfile] Required", e.column());
        assertEquals(3L, e.line());
        assertTrue(e.getMessage().contains("Plaintext passwords are not accepted"), e.getMessage());
        assertTrue(!e.getMessage().contains("Secret123"), "the password is never echoed");
    }

    @Test
    void entraBulkDeleteIsADeleteFile() {
        directory.add("ben.entra@vendor.example", null, UserStatus.ACTIVE);
        byte[] bytes = fixture("entra-delete.csv");
        assertEquals("Microsoft Entra ID bulk delete", mapping(bytes, null).formatLabel());
        PlannedChange change = plan(Operation.DELETE, bytes).get(0);
        assertEquals(ChangeKind.DELETE, change.kind(), change.messages().toString());
    }

    @Test
    void googleCreateKeepsStarsAndTakesABcryptHash() {
        byte[] bytes = fixture("google-create.csv");
        ColumnMapping mapping = mapping(bytes, null);
        assertEquals("Google Workspace bulk upload", mapping.formatLabel());
        assertEquals("manager", targets(mapping).get("Manager Email"));
        assertEquals("new_email", targets(mapping).get("New Primary Email [UPLOAD ONLY]"));
        assertEquals("attr.orgUnitPath", targets(mapping).get("Org Unit Path [Required]"));
        List<PlannedChange> changes = plan(Operation.ONBOARD, bytes);
        assertEquals(ChangeKind.CREATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals(null, changes.get(0).passwordHash());
        assertEquals("/Engineering", fields(changes.get(0)).get("attr.orgUnitPath"));
        assertEquals("G-100", fields(changes.get(0)).get("external_id"));
        assertEquals(ChangeKind.CREATE, changes.get(1).kind(), changes.get(1).messages().toString());
        assertTrue(changes.get(1).passwordHash().startsWith("$2b$10$"));
    }

    @Test
    void googleExcelUpdateChangesEmailTitleAndStatus() {
        directory.add(PlannerTest.full("gia.google@vendor.example", UserStatus.ACTIVE));
        directory.add(PlannerTest.full("hal.google@vendor.example", UserStatus.ACTIVE));
        List<PlannedChange> changes = plan(Operation.UPDATE, fixture("google-update-excel-bom.csv"));
        assertEquals(ChangeKind.UPDATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals("gia.g@vendor.example", fields(changes.get(0)).get("email"));
        assertEquals("Senior Engineer", fields(changes.get(0)).get("title"));
        assertEquals("SUSPENDED", fields(changes.get(1)).get("status"));
    }

    @Test
    void googleManagerEmailAndJumpCloudManagerSetTheManager() {
        directory.add("boss@vendor.example", null, UserStatus.ACTIVE);
        directory.add("gia.google@vendor.example", null, UserStatus.ACTIVE);
        String google = "Email Address [Required],Manager Email\ngia.google@vendor.example,boss@vendor.example\n";
        PlannedChange change = plan(Operation.UPDATE, google.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(ChangeKind.UPDATE, change.kind(), change.messages().toString());
        assertEquals("boss@vendor.example", fields(change).get("manager"));

        String jump = "FirstName,LastName,Username,Email,Manager\nJo,Jump,jo,jo@vendor.example,boss@vendor.example\n";
        PlannedChange created = plan(Operation.ONBOARD, jump.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(ChangeKind.CREATE, created.kind(), created.messages().toString());
        assertEquals("boss@vendor.example", fields(created).get("manager"));
    }

    @Test
    void aWeakGoogleHashIsRefusedWithTheReason() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class, () -> plan(Operation.ONBOARD, fixture("google-create-md5.csv")));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
        assertEquals("Password [Required]", e.column());
    }

    @Test
    void oktaCreatesWithAttributesUnderTheirOwnNames() {
        byte[] bytes = fixture("okta-create.csv");
        assertEquals("Okta user import", mapping(bytes, null).formatLabel());
        List<PlannedChange> changes = plan(Operation.ONBOARD, bytes);
        Map<String, String> okko = fields(changes.get(0));
        assertEquals(ChangeKind.CREATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals("en-US", okko.get("locale"));
        assertEquals("Platform", okko.get("division"));
        assertEquals("M", okko.get("middle_name"));
        assertEquals("O-1", okko.get("external_id"), "employeeNumber is read as external_id, as before issue #24");
        assertEquals("en", okko.get("preferred_language"));
        assertEquals("America/Los_Angeles", okko.get("timezone"));
        assertEquals("Pat Boss", okko.get("attr.manager"));
        assertEquals("Pia Okta, Jr.", fields(changes.get(1)).get("display_name"));
    }

    @Test
    void cognitoBackslashEscapedCommasStayInTheirValue() {
        byte[] bytes = fixture("cognito-create.csv");
        assertEquals("AWS Cognito user import", mapping(bytes, null).formatLabel());
        List<PlannedChange> changes = plan(Operation.ONBOARD, bytes);
        assertEquals(ChangeKind.CREATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals("1 Pine St, Seattle", fields(changes.get(0)).get("attr.address"));
        assertEquals("false", fields(changes.get(0)).get("attr.mfa_enabled"));
        assertEquals("Cognito, Kai", fields(changes.get(1)).get("display_name"));
    }

    @Test
    void jumpCloudKeepsWorking() {
        byte[] bytes = fixture("jumpcloud-create.csv");
        assertEquals("JumpCloud user import", mapping(bytes, null).formatLabel());
        PlannedChange change = plan(Operation.ONBOARD, bytes).get(0);
        assertEquals(ChangeKind.CREATE, change.kind(), change.messages().toString());
        assertEquals("CC-9", fields(change).get("cost_center"));
    }

    @Test
    void jumpCloudsDescriptionIsAUserAttributeNotAGroupsDescription() {
        byte[] bytes = ("FirstName,LastName,Username,Email,Description\n"
                + "Jo,Jump,jo.jump,jo.jump@vendor.example,Night shift\n").getBytes(StandardCharsets.UTF_8);
        assertEquals("JumpCloud user import", mapping(bytes, null).formatLabel());
        PlannedChange change = plan(Operation.ONBOARD, bytes).get(0);
        assertEquals(ChangeKind.CREATE, change.kind(), change.messages().toString());
        assertEquals("Night shift", fields(change).get("attr.description"));
    }

    @Test
    void aRosterHeaderAfterAnEntraVersionLineIsStillRead() {
        ColumnMapping mapping = mapping("version:v1.0\nemail,given_name,family_name\n".getBytes(StandardCharsets.UTF_8), null);
        assertEquals("roster", mapping.format());
    }

    @Test
    void rosterFilesReadAsAlways() {
        ColumnMapping mapping = mapping("email,given_name,family_name,Mobile\n".getBytes(StandardCharsets.UTF_8), null);
        assertEquals("roster", mapping.format());
        assertEquals("phone", targets(mapping).get("Mobile"));
    }

    @Test
    void unknownColumnsAreRefusedAsTodayWithAProposalForEachColumn() {
        UnplacedColumnsException e = assertThrows(UnplacedColumnsException.class,
                () -> mapping("Mail,Vorname,Nachname,Cost Center,Emial\n".getBytes(StandardCharsets.UTF_8), null));
        assertTrue(e.getMessage().contains("unknown column \"Vorname\""), e.getMessage());
        Map<String, String> proposed = new LinkedHashMap<>();
        e.proposal().forEach(c -> proposed.put(c.written(), c.target() + " / " + c.reason()));
        assertEquals("email / alias of email", proposed.get("Mail"));
        assertEquals("cost_center / alias of cost_center", proposed.get("Cost Center"));
        assertTrue(proposed.get("Emial").startsWith("attr.emial / \"email\" already comes from column \"Mail\""),
                proposed.get("Emial"));
    }

    @Test
    void aHeaderOfRosterNamesThatTwoTemplatesReadDifferentlyIsRostersOwn() {
        // Okta (manager: a free-text attribute) and JumpCloud (Manager: a Roster user) both read this header; since
        // issue #24 costCenter is a Roster column too, so Roster's own format reads it, naming no template
        ColumnMapping mapping = mapping("firstName,LastName,email,Manager,costCenter,Department\n".getBytes(StandardCharsets.UTF_8), null);
        assertEquals("Roster CSV", mapping.formatLabel());
        assertTrue(mapping.columns().stream().anyMatch(c -> c.target().equals("cost_center")), mapping.columns().toString());
    }

    @Test
    void aChosenMappingPlacesColumnsAndRefusesWhatDoesNotFit() {
        byte[] bytes = "Mail,Vorname,Nachname,Notiz\na@b.example,A,B,x\n".getBytes(StandardCharsets.UTF_8);
        Map<String, String> targets = Map.of("Vorname", "given_name", "Nachname", "family_name", "Notiz", "ignore");
        ColumnMapping mapping = mapping(bytes, new HeaderRecognition.Choice(targets, "HR export"));
        assertEquals("Mapping profile \"HR export\"", mapping.formatLabel());
        List<PlannedChange> changes = new ArrayList<>();
        new Planner(Operation.ONBOARD, MatchKey.EMAIL, directory).withMapping(new HeaderRecognition.Choice(targets, null))
                .plan(() -> new ByteArrayInputStream(bytes), "f.csv", CsvLimits.defaults(), changes::add);
        assertEquals(ChangeKind.CREATE, changes.get(0).kind(), changes.get(0).messages().toString());
        assertEquals("A", fields(changes.get(0)).get("given_name"));

        UnplacedColumnsException two = assertThrows(UnplacedColumnsException.class, () -> mapping(bytes,
                new HeaderRecognition.Choice(Map.of("Vorname", "given_name", "Nachname", "given_name", "Notiz", "ignore"), null)));
        assertTrue(two.getMessage().contains("both map to \"given_name\""), two.getMessage());

        UnplacedColumnsException changed = assertThrows(UnplacedColumnsException.class, () -> mapping(bytes,
                new HeaderRecognition.Choice(Map.of("First", "given_name", "Nachname", "family_name", "Notiz", "ignore"), "HR")));
        assertTrue(changed.getMessage().contains("profile \"HR\" does not fit"), changed.getMessage());
        assertTrue(changed.getMessage().contains("\"First\", which this file's header does not have"), changed.getMessage());
        assertTrue(changed.getMessage().contains("\"Vorname\" is not in the profile"), changed.getMessage());
    }
}
